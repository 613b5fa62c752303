// `@symphony/server/testing`: the composed process for tests and benchmarks of this and other
// packages — the built `symphony-server` bin started in a folder, waiting for it to stop, and the
// team server's users, workspaces, workflows and documents made through its OFB.
export type { RunningBin } from './testing/bin-process.js';
export { BIN, startBin, stopped } from './testing/bin-process.js';
export type { TeamServer, TeamServerOptions, User } from './testing/team-server.js';
export {
  createDocument,
  PASSWORD,
  shareWorkflow,
  signIn,
  signUp,
  startTeamServer,
  stopTeamServer,
  workspace,
} from './testing/team-server.js';
