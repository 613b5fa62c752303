// A stand-in for `symphony serve` for the tests of the orchestrator child: a real process that takes
// serve's arguments, prints its ready line, answers `GET /v1/health` with what it was started with,
// and can be told by the environment to crash at start or never get ready.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** How a fake orchestrator behaves: `FAKE_ORCHESTRATOR` in its environment. */
export const FakeMode = {
  /** Listens, prints its ready line, answers health; SIGTERM ends it with 0. */
  serve: 'serve',
  /** Writes why to stderr and exits with 3 at once. */
  crash: 'crash',
  /** Starts but never listens nor prints its ready line. */
  hang: 'hang',
  /** Serves, but ignores SIGTERM. */
  stubborn: 'stubborn',
} as const;
export type FakeMode = (typeof FakeMode)[keyof typeof FakeMode];

/** What the fake's `/v1/health` answers, beyond the contract's fields. */
export interface FakeHealth {
  readonly service: 'symphony-orchestrator';
  readonly server: string;
  readonly pid: number;
  readonly args: readonly string[];
}

const SOURCE = `import { createServer } from 'node:http';
const args = process.argv.slice(2);
const flag = (name) => args[args.indexOf(name) + 1];
const mode = process.env.FAKE_ORCHESTRATOR ?? 'serve';
if (args[0] !== 'serve') { console.error('fake orchestrator: expected serve, got ' + args[0]); process.exit(2); }
if (mode === 'crash') { console.error('fake orchestrator: cannot start (on purpose)'); process.exit(3); }
if (mode === 'hang') { setInterval(() => {}, 1000); }
else {
  const server = createServer((req, res) => {
    if (req.url !== '/v1/health') { res.statusCode = 404; res.end(); return; }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ service: 'symphony-orchestrator', version: '0.0.0-fake', server: flag('--server'),
      isolation: 'reduced', running: 0, pid: process.pid, args }));
  });
  server.listen(Number(flag('--port')), '127.0.0.1', () => {
    console.log('fake orchestrator: listening');
    console.log('Symphony orchestrator is running at http://127.0.0.1:' + server.address().port + '/');
  });
  process.on('SIGTERM', () => {
    console.error('fake orchestrator: SIGTERM');
    if (mode !== 'stubborn') server.close(() => process.exit(0));
  });
}
`;

/** Writes the fake into `dir` and returns its path (a bin for `SYMPHONY_ORCHESTRATOR_BIN`). */
export async function writeFakeOrchestrator(dir: string): Promise<string> {
  const path = join(dir, 'fake-orchestrator.mjs');
  await writeFile(path, SOURCE);
  return path;
}

/** `GET <url>v1/health` of a fake: its answer, or the error if nothing answers. */
export async function fakeHealth(url: string): Promise<FakeHealth | Error> {
  try {
    const response = await fetch(new URL('v1/health', url));
    return (await response.json()) as FakeHealth;
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}
