/**
 * A throwaway PostgreSQL 15 cluster for a benchmark: initdb + pg_ctl start on a free loopback port in
 * a temp dir, trust auth, `fsync=off` (as ofb/test/postgres-server.ts, which a benchmark cannot import
 * across project roots). Runs as root by dropping to the `postgres` user; installs Debian's package
 * with apt when it is missing, as `npm test` does.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = '/usr/lib/postgresql/15/bin';

export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust auth, superuser). */
  readonly url: string;
  /** Stops the cluster and removes its directory; safe to call more than once. */
  stop(): void;
}

function ensureInstalled(): void {
  if (existsSync(`${bin}/postgres`)) return;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { env, stdio: 'ignore' });
  execFileSync('apt-get', ['install', '-y', 'postgresql'], { env, stdio: 'ignore' });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function asPostgres(args: string[]): void {
  const result = spawnSync('runuser', ['-u', 'postgres', '--', ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr || result.stdout}`);
}

export async function startPostgres(): Promise<PostgresCluster> {
  ensureInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'bench-pg-'));
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString());
  chownSync(dir, id('-u'), id('-g'));
  const data = join(dir, 'data');
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    spawnSync('runuser', ['-u', 'postgres', '--', `${bin}/pg_ctl`, '-D', data, '-m', 'fast', '-w', 'stop'], {
      stdio: 'ignore',
    });
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    asPostgres([`${bin}/initdb`, '-D', data, '-U', 'postgres', '--auth=trust', '--no-sync']);
    const port = await freePort();
    asPostgres([
      `${bin}/pg_ctl`,
      '-D',
      data,
      '-l',
      join(dir, 'log'),
      '-w',
      '-o',
      `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c max_connections=200`,
      'start',
    ]);
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
  } catch (error) {
    stop();
    throw error;
  }
}
