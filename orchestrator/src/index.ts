// The public face of @symphony/orchestrator: the `symphony` CLI entry and the audit chain verifier.
export type { AuditBreak, AuditVerdict } from './audit-verify.js';
export { genesisHash, verifyAuditChain } from './audit-verify.js';
export { ExitCode } from './cli/errors.js';
export { RunOutputLine } from './cli/ndjson.js';
export type { CredentialStore } from './credentials/CredentialStore.js';
export {
  CredentialStoreError,
  credentialsPath,
  FileCredentialStore,
} from './credentials/FileCredentialStore.js';
export { redactSecrets } from './credentials/redact.js';
export { cancelledError, documentStepError } from './documents/document-errors.js';
export type { EngineDocumentsOptions } from './documents/EngineDocuments.js';
export { EngineDocuments } from './documents/EngineDocuments.js';
export type { EngineConnection, StartedEngine } from './documents/engine-connection.js';
export { EngineMode } from './documents/engine-connection.js';
export { StartEngineOptions, startEngine } from './documents/start-engine.js';
export { AbortKind, StepAbortError } from './executor/attempt.js';
export type { CancelOutcome, RunHandle } from './executor/Executor.js';
export { Executor } from './executor/Executor.js';
export {
  ExecutorClosedError,
  JournalWriteError,
  OrchestratorInputError,
  RunClaimedError,
  RunNotFoundError,
  WorkflowRefusedError,
} from './executor/errors.js';
export type {
  Clock,
  ClockTimer,
  ExecutorLimits,
  ExecutorLogger,
  ExecutorOptions,
  ProgressEvent,
} from './executor/options.js';
export {
  consoleLogger,
  defaultExecutorLimits,
  newRunId,
  RerunArgs,
  StartArgs,
  systemClock,
} from './executor/options.js';
export type { RunClaim } from './executor/run-claims.js';
export { liveOwner, requestCancel } from './executor/run-claims.js';
// Extensions (the sandboxed host), the instruments on it, the credential store and the registry.
export * from './extensions/index.js';
export type { Classification } from './instrument/classify.js';
export type { LocalInstrument } from './instrument/LocalInstrument.js';
export { InstrumentInputError, WinkInstrument } from './instrument/WinkInstrument.js';
export type {
  InstrumentCallsOptions,
  InstrumentProcess,
  InstrumentRun,
} from './instrument-calls/InstrumentCalls.js';
export { InstrumentCalls } from './instrument-calls/InstrumentCalls.js';
export { instrumentExtension } from './instruments/builtin.js';
export { instrumentsPath, readInstruments, writeInstruments } from './instruments/config-file.js';
export type { CliInput, CliIo } from './main.js';
export { main, UsageError, usage } from './main.js';
export { describeManifest } from './registry/describe-manifest.js';
export type { InstalledExtension } from './registry/ExtensionRegistry.js';
export { ExtensionRegistry, ExtensionRegistryError, readManifest } from './registry/ExtensionRegistry.js';
export type { ExpressionSandbox, Predicate } from './sandbox/ExpressionSandbox.js';
export { ExpressionError, ExpressionFailure, SandboxInputError } from './sandbox/ExpressionSandbox.js';
export { QuickJsExpressionSandbox, QuickJsSandboxOptions } from './sandbox/QuickJsExpressionSandbox.js';
export { LoadWorkflowFromServerOptions, loadWorkflowFromServer } from './sources/automerge-workflow.js';
export { LoadWorkflowAtOptions, loadWorkflowAt } from './sources/load-workflow.js';
export type { TeamServerEndpoints } from './sources/team-server.js';
export { TeamServerUrl, teamServerEndpoints } from './sources/team-server.js';
export type { WorkflowProblem } from './sources/WorkflowSourceError.js';
export {
  MAX_WORKFLOW_FILE_BYTES,
  WorkflowSourceError,
  WorkflowSourceErrorCode,
} from './sources/WorkflowSourceError.js';
export type { LoadedWorkflow } from './sources/workflow-file.js';
export { loadWorkflowFile, parseWorkflowFileBytes, workflowFileJson } from './sources/workflow-file.js';
export type { BuiltinStepsOptions } from './steps/index.js';
export { BuiltinStepsError, builtinSteps, runsAsStep } from './steps/index.js';
export type { ReadCodeOptions } from './steps/read-code.js';
export { READ_CODE_MAX_BYTES } from './steps/read-code.js';
export type { RemoteInstruments } from './steps/remote-instruments.js';
export type { JsonValue, RunDocuments, Step, StepContext, StepProgress, StepValue } from './steps/Step.js';
export { StepError } from './steps/Step.js';
