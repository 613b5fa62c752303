export type { AuditBreak, AuditVerdict } from './audit-verify.js';
export { genesisHash, verifyAuditChain } from './audit-verify.js';
export type { CliIo } from './main.js';
export { main, UsageError, usage } from './main.js';
