#!/usr/bin/env node
// The `symphony` bin as npm links it at install time, before anything is built: it runs the built
// CLI, or says how to build it.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('symphony: the CLI is not built yet; run "npm run build" in the repository first\n');
  process.exit(2);
}
await import(cli.href);
