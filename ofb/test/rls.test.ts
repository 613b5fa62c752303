// Runs the row-level security suite on PGlite and on PostgreSQL 15.
import { afterAll } from 'vitest';
import { PgliteStore } from '../src/adapters/PgliteStore.js';
import { PostgresStore } from '../src/adapters/PostgresStore.js';
import { type PostgresServer, startPostgres } from '../src/testing.js';
import { runRlsTests } from './runRlsTests.js';

runRlsTests('PGlite', async () => (await PgliteStore.open('memory://')).db);

let server: PostgresServer | undefined;
afterAll(() => server?.stop());
runRlsTests('PostgreSQL 15', async () => {
  server = await startPostgres();
  return (await PostgresStore.open(await server.createDatabase('rls'), { max: 1 })).db;
});
