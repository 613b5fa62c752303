// Playwright's global setup: fails fast, with the fix, when the sync-server bin, the built client
// or Chromium is missing.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { clientDist, serverBin } from './paths.js';

/** Fails fast, with the fix, when the things under test have not been built. */
export default function globalSetup(): void {
  const missing = [serverBin, resolve(clientDist, 'index.html'), resolve(clientDist, 'sw.js')].filter(
    (path) => !existsSync(path),
  );
  if (missing.length > 0) {
    throw new Error(
      `e2e: missing ${missing.join(', ')}. Run \`npm run build\` from the repository root first.`,
    );
  }
  if (!existsSync('/usr/bin/chromium')) {
    throw new Error('e2e: /usr/bin/chromium is missing. Install it with `apt-get install -y chromium`.');
  }
}
