// `@symphony/orchestrator/testing`: test kits for the orchestrator and its callers (no vitest here,
// so child processes of a test can import it): the kill -9 test's workflows, recording steps,
// child process, reference run and checks; `symphony serve` as a process and its live stream.

export type { ProviderFault } from './instruments/testing/provider-server.js';
export { ProviderTestServer } from './instruments/testing/provider-server.js';
export type { KillRunEvidence } from './testing/kill-checks.js';
export { killRunProblems } from './testing/kill-checks.js';
export type { KillFact } from './testing/kill-child.js';
export { KillChildArgs, killTestSteps, runKillChild } from './testing/kill-child.js';
export type { ReferenceOptions, ReferenceRun } from './testing/kill-reference.js';
export { referenceRun } from './testing/kill-reference.js';
export type { KillWorkflow } from './testing/kill-workflow.js';
export { KillWorkflowOptions, killWorkflow } from './testing/kill-workflow.js';
export type { EffectSink, RecordingOptions } from './testing/recording-steps.js';
export {
  EffectLine,
  EffectLogError,
  FileEffectLog,
  readEffects,
  recordingSteps,
  seededDelay,
  taggedLines,
  writeTag,
  writtenLine,
} from './testing/recording-steps.js';
export type { Serve, ServeOptions } from './testing/serve-process.js';
export { cliEnv, LiveClient, SYMPHONY_CLI, startServe } from './testing/serve-process.js';
