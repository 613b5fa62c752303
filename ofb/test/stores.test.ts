// Runs the OfbStore acceptance suite on PgliteStore and on PostgresStore.
import { afterAll } from 'vitest';
import { PgliteStore } from '../src/adapters/PgliteStore.js';
import { PostgresStore } from '../src/adapters/PostgresStore.js';
import { type PostgresServer, runOfbStoreTests, startPostgres } from '../src/testing.js';

runOfbStoreTests('PgliteStore', () => PgliteStore.open('memory://'));

let server: PostgresServer | undefined;
afterAll(() => server?.stop());
runOfbStoreTests('PostgresStore', async () => {
  server = await startPostgres();
  return PostgresStore.open(await server.createDatabase('acceptance'));
});
