// A throwaway PostgreSQL 15 cluster for OFB's tests and benchmarks: Debian's package (installed
// with apt if missing, as `npm test` does up front), initdb + pg_ctl start on a free loopback port
// in a temp dir, trust auth, `fsync=off`, run as the `postgres` user (initdb and postgres refuse root).
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = '/usr/lib/postgresql/15/bin';

/** A running throwaway cluster. */
export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` (trust auth, superuser). */
  readonly url: string;
  /** Creates a fresh database in the cluster, for one suite; returns its URL. */
  createDatabase(name: string): Promise<string>;
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

/** Starts a throwaway cluster; a failed start removes what it made. */
export async function startPostgres(): Promise<PostgresServer> {
  ensureInstalled();
  const dir = mkdtempSync(join(tmpdir(), 'ofb-pg-'));
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
    // 200 connections: the 100-writer benchmark's pool plus the tests' own.
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
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    return {
      url,
      async createDatabase(name: string) {
        const { default: postgres } = await import('postgres');
        const sql = postgres(url, { max: 1, onnotice: () => {} });
        await sql.unsafe(`create database "${name}"`);
        await sql.end();
        return `postgres://postgres@127.0.0.1:${port}/${name}`;
      },
      stop,
    };
  } catch (error) {
    stop();
    throw error;
  }
}
