// `@symphony/server/testing`: the composed process for tests of this and other packages — the
// built `symphony-server` bin started in a folder, and waiting for it to stop.
export type { RunningBin } from './testing/bin-process.js';
export { BIN, startBin, stopped } from './testing/bin-process.js';
