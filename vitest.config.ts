// The root vitest configuration: which packages' unit and integration tests run, and their timeouts.
import { defineConfig } from 'vitest/config';

/** One vitest run for every package; browser tests live in e2e/ and run under Playwright. */
export default defineConfig({
  test: {
    include: [
      '{schemas,sync-server,server,client,editor-engine,orchestrator,pit,ofb}/{src,test}/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
