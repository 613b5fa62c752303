import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The sync-server entry point the tests run; `SYMPHONY_SERVER_BIN` overrides it. */
export const serverBin = process.env.SYMPHONY_SERVER_BIN ?? resolve(repoRoot, 'sync-server/dist/bin.js');

/** The built client the server serves. */
export const clientDist = resolve(repoRoot, 'client/dist');
