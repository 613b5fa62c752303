// The public face of @symphony/orchestrator: the `symphony` CLI entry and the audit chain verifier.
export type { AuditBreak, AuditVerdict } from './audit-verify.js';
export { genesisHash, verifyAuditChain } from './audit-verify.js';
export type { CliIo } from './main.js';
export { main, UsageError, usage } from './main.js';
