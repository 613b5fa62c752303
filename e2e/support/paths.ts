// Paths the e2e suite runs against: the repository root, the workspace server's bin and the built client.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The server the tests start: `symphony-server` (`server/dist/bin.js`: the sync-server with OFB
 * embedded and the client); `SYMPHONY_SERVER_BIN` names another build.
 */
export const serverBin = process.env.SYMPHONY_SERVER_BIN ?? resolve(repoRoot, 'server/dist/bin.js');

/** The built client the server serves. */
export const clientDist = resolve(repoRoot, 'client/dist');
