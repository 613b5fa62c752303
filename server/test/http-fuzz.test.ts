// Raw, malformed HTTP against the real bin and the standalone OFB bin: every request gets an answer or a
// closed socket, never a crash.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { connect as tcpConnect } from 'node:net';
import { dirname, join } from 'node:path';
import { tempDir } from '@symphony/sync-server/testing';
import * as prng from 'lib0/prng';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningBin, startBin, stopped } from '../src/testing.js';

/**
 * Raw, malformed HTTP against the real bin (embedded OFB, the built client's folder served): every
 * request gets an answer or a closed socket, never a crash, a 500 or an unhandled rejection, and
 * `/healthz` answers after each one. Seeded: `HTTP_FUZZ_SEED=N` replays one run.
 */

/** The standalone OFB (`symphony-ofb`), built: `bin.js` beside the package's entry point. */
const OFB_BIN = join(dirname(createRequire(import.meta.url).resolve('@symphony/ofb')), 'bin.js');

const SEED = Number(process.env.HTTP_FUZZ_SEED ?? 0x5eed);
const RANDOM_REQUESTS = Number(process.env.HTTP_FUZZ_REQUESTS ?? 250);
/** A well-formed `Sec-WebSocket-Key` (16 bytes, base64). */
const WS_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

const TARGETS = [
  '/',
  '//',
  '///',
  '//evil.example/x',
  '/\\\\evil.example',
  '*',
  '',
  'http://evil.example/healthz',
  'http://127.0.0.1/healthz',
  'https://127.0.0.1/yjs/doc',
  'evil.example:443',
  '127.0.0.1:80',
  '/%',
  '/%zz',
  '/%E0%A4%A',
  '/%C0%AF',
  '/%00',
  '/index.html%00.js',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/../../../../etc/passwd',
  '/assets/..%2f..%2fpackage.json',
  '/yjs/',
  '/yjs/%',
  '/yjs/%zz',
  '/yjs/%00',
  '/yjs/a/b',
  `/yjs/${'a'.repeat(5000)}`,
  '/yjs/doc?token=%',
  '/yjs/doc?token=%zz&token=x',
  '/automerge',
  '/automerge?token=%',
  '/automerge/x',
  '/functions/v1/',
  '/functions/v1/%zz',
  '/functions/v1/sign-in',
  '/functions/v1/../healthz',
  '/functions/v1/authorize?%',
  '/healthz?%zz',
  '/?#',
  '/#fragment',
  '/\u00ff\u00fe',
  '/é',
  `/${'x'.repeat(9000)}`,
  '/ /',
];

const METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'OPTIONS',
  'PATCH',
  'CONNECT',
  'TRACE',
  'FOO',
  'get',
  'PRI',
];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/9.9', 'HTTP/1.1 extra', ''];
const HOSTS = [
  undefined,
  '',
  '127.0.0.1',
  'localhost:1',
  'evil.example',
  '[::1',
  '[::1]:80',
  'a b',
  'x'.repeat(3000),
  '127.0.0.1, evil.example',
];
const HEADER_SETS: string[][] = [
  [],
  ['Upgrade: websocket', 'Connection: Upgrade'],
  ['Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${WS_KEY}`, 'Sec-WebSocket-Version: 13'],
  ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: short', 'Sec-WebSocket-Version: 13'],
  ['Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${WS_KEY}`, 'Sec-WebSocket-Version: 99'],
  [
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${WS_KEY}`,
    'Sec-WebSocket-Version: 13',
    'Origin: null',
  ],
  [
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${WS_KEY}`,
    'Sec-WebSocket-Version: 13',
    'Origin: not a url',
  ],
  [
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${WS_KEY}`,
    'Sec-WebSocket-Version: 13',
    'Origin: http://evil.example',
  ],
  ['Upgrade: websocket'],
  ['Connection: Upgrade'],
  ['Upgrade: h2c', 'Connection: Upgrade, HTTP2-Settings', 'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA'],
  ['Upgrade: ', 'Connection: Upgrade'],
  ['Content-Length: -1'],
  ['Content-Length: abc'],
  ['Content-Length: 5', 'Content-Length: 6'],
  ['Content-Length: 99999999999999999999'],
  ['Transfer-Encoding: chunked'],
  ['Transfer-Encoding: chunked', 'Content-Length: 3'],
  ['Transfer-Encoding: gzip, chunked'],
  ['Content-Type: application/json', 'Content-Length: 9'],
  ['Authorization: Bearer %zz'],
  ['Authorization: Bearer'],
  ['Cookie: \u0000'],
  ['No-Colon-Header'],
  ['X-Folded: a', ' folded continuation'],
  [`X-Huge: ${'h'.repeat(20_000)}`],
  ['Expect: 100-continue', 'Content-Length: 4'],
];
const BODIES = ['', '{}', '{"name":', 'zz\r\n', '0\r\n\r\n', '5\r\nhello\r\n0\r\n\r\n', '\u0000\u0001\u0002'];
/** Bytes that are not HTTP at all. */
const GARBAGE = [
  Buffer.from('\r\n\r\n'),
  Buffer.from('\u0000\u0000\u0000\u0000'),
  Buffer.from('GET\r\n\r\n'),
  Buffer.from('GET / HTTP/1.1\nHost: 127.0.0.1\n\n'),
  Buffer.from('GET /\u0000 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'),
  Buffer.from('GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n'),
  Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
  Buffer.from('16030100a5010000a10303', 'hex'),
];

interface Answer {
  /** The status line's code, or `undefined` when the server closed (or kept silent) without one. */
  readonly status: number | undefined;
  readonly head: string;
}

/** Sends `bytes` on a fresh TCP connection; resolves once a response head arrived, the socket closed, or 600 ms passed. */
function sendRaw(port: number, bytes: Buffer): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    let received = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      resolve({ status: match ? Number(match[1]) : undefined, head: received.split('\r\n\r\n')[0] ?? '' });
    };
    const timer = setTimeout(done, 600);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n')) done();
    });
    socket.on('close', done);
    socket.on('error', done);
    socket.on('connect', () => socket.write(bytes));
  });
}

/**
 * Sends `bytes` and resets the connection (TCP RST) at once, as a client that gives up mid-answer
 * does: the server's write then meets ECONNRESET on a socket it refused to upgrade.
 */
function sendAndReset(port: number, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.on('error', () => {});
    socket.on('close', () => resolve());
    socket.on('connect', () => {
      socket.write(bytes);
      setImmediate(() => socket.resetAndDestroy());
    });
  });
}

function request(
  method: string,
  target: string,
  version: string,
  host: string | undefined,
  headers: string[],
  body: string,
): Buffer {
  const lines = [`${method} ${target}${version ? ` ${version}` : ''}`];
  if (host !== undefined) lines.push(`Host: ${host}`);
  lines.push(...headers);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

/** Raw-HTTP probes against one running server, each followed by a look at `/healthz`. */
class Prober {
  constructor(private readonly server: RunningBin) {}

  private get port(): number {
    return Number(new URL(this.server.origin).port);
  }

  async expectAlive(sent: string): Promise<void> {
    const res = await fetch(`${this.server.origin}/healthz`).catch((error: unknown) => {
      throw new Error(
        `/healthz did not answer after ${JSON.stringify(sent.slice(0, 200))}: ${String(error)}`,
      );
    });
    expect(res.status, `after ${JSON.stringify(sent.slice(0, 200))}`).toBe(200);
    await res.arrayBuffer();
  }

  async probe(bytes: Buffer): Promise<Answer> {
    const answer = await sendRaw(this.port, bytes);
    const sent = bytes.toString('latin1');
    // A 5xx other than 503 means a handler threw on this input.
    if (answer.status !== undefined)
      expect(
        [500, 501, 502].includes(answer.status),
        `${answer.head} for ${JSON.stringify(sent.slice(0, 200))}`,
      ).toBe(false);
    await this.expectAlive(sent);
    return answer;
  }

  /** The whole corpus, then {@link RANDOM_REQUESTS} seeded random mixes of it. */
  async fuzz(): Promise<void> {
    const server = this.server;
    const probe = (bytes: Buffer) => this.probe(bytes);

    console.log(`HTTP fuzz seed ${SEED} (HTTP_FUZZ_SEED=${SEED} replays it)`);
    for (const target of TARGETS)
      for (const headers of [HEADER_SETS[0]!, HEADER_SETS[2]!])
        await probe(request('GET', target, 'HTTP/1.1', '127.0.0.1', headers, ''));
    for (const bytes of GARBAGE) await probe(bytes);
    // Upgrades the server refuses (bad target, foreign Host or Origin, unknown path), each reset by
    // the client while the refusal is being written: once killed the process.
    const upgrade = HEADER_SETS[2]!;
    const refused = [
      request('GET', '//', 'HTTP/1.1', '127.0.0.1', upgrade, ''),
      request('GET', '/yjs/doc', 'HTTP/1.1', 'evil.example', upgrade, ''),
      request('GET', '/yjs/doc', 'HTTP/1.1', '127.0.0.1', [...upgrade, 'Origin: http://evil.example'], ''),
      request('GET', '/automerge', 'HTTP/1.1', '127.0.0.1', [...upgrade, 'Origin: http://evil.example'], ''),
      request('GET', '/nothing-here', 'HTTP/1.1', '127.0.0.1', upgrade, ''),
    ];
    for (let round = 0; round < 20; round++)
      for (const bytes of refused) await sendAndReset(this.port, bytes);
    await this.expectAlive('upgrades reset by the client');
    for (const headers of HEADER_SETS)
      await probe(request('POST', '/functions/v1/sign-in', 'HTTP/1.1', '127.0.0.1', headers, '{"name":'));

    const gen = prng.create(SEED);
    for (let i = 0; i < RANDOM_REQUESTS; i++) {
      const target = prng.bool(gen) ? prng.oneOf(gen, TARGETS) : `/${prng.utf16String(gen, 12)}`;
      const headers = [
        ...prng.oneOf(gen, HEADER_SETS),
        ...(prng.bool(gen) ? [] : prng.oneOf(gen, HEADER_SETS)),
      ];
      await probe(
        request(
          prng.oneOf(gen, METHODS),
          target,
          prng.int32(gen, 0, 3) === 0 ? prng.oneOf(gen, VERSIONS) : 'HTTP/1.1',
          prng.int32(gen, 0, 3) === 0 ? prng.oneOf(gen, HOSTS) : '127.0.0.1',
          headers,
          prng.oneOf(gen, BODIES),
        ),
      );
    }

    expect(server.child.exitCode).toBeNull();
    const log = server.output.join('');
    expect(log).not.toMatch(/unhandled rejection|uncaught|ERR_INVALID_URL|URIError/i);
  }
}

describe('the bin under malformed HTTP', () => {
  let bin: Awaited<ReturnType<typeof startBin>>;
  let prober: Prober;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const cwd = await tempDir('symphony-fuzz-');
    cleanup = cwd.cleanup;
    await writeFile(join(cwd.dir, 'index.html'), '<!doctype html><title>app</title>');
    bin = await startBin(cwd.dir, ['--static', cwd.dir]);
    prober = new Prober(bin);
  }, 60_000);

  afterAll(async () => {
    bin.child.kill('SIGTERM');
    await stopped(bin.child);
    await cleanup();
  });

  it(
    'answers every malformed target, header and upgrade (or closes) and stays up',
    () => prober.fuzz(),
    240_000,
  );

  it('answers the findings of the review as a user would expect', async () => {
    // The crash: `GET //` with an Upgrade header, then without one.
    const upgrade = [
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${WS_KEY}`,
      'Sec-WebSocket-Version: 13',
    ];
    expect((await prober.probe(request('GET', '//', 'HTTP/1.1', '127.0.0.1', upgrade, ''))).status).toBe(404);
    expect((await prober.probe(request('GET', '//', 'HTTP/1.1', '127.0.0.1', [], ''))).status).toBe(200);
    // Targets that are not a path, and paths that do not decode.
    for (const target of ['http://127.0.0.1/healthz', '*', '/%zz', '/%E0%A4%A'])
      expect(
        (await prober.probe(request('GET', target, 'HTTP/1.1', '127.0.0.1', [], ''))).status,
        target,
      ).toBe(400);
    expect(
      (await prober.probe(request('GET', 'http://127.0.0.1/yjs/doc', 'HTTP/1.1', '127.0.0.1', upgrade, '')))
        .status,
    ).toBe(400);
    // A document id that does not decode is refused once the socket is open, with its close code.
    expect(
      (await prober.probe(request('GET', '/yjs/%zz', 'HTTP/1.1', '127.0.0.1', upgrade, ''))).status,
    ).toBe(101);
    expect(bin.output.join('')).not.toMatch(/unhandled rejection|uncaught/i);
  }, 60_000);
});

describe('the standalone OFB bin under malformed HTTP', () => {
  let ofb: RunningBin;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const cwd = await tempDir('symphony-fuzz-ofb-');
    cleanup = cwd.cleanup;
    const env = { ...process.env };
    delete env.DATABASE_URL;
    delete env.SUPABASE_JWT_SECRET;
    const child = spawn(process.execPath, [OFB_BIN, '--port', '0', '--data-dir', cwd.dir], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const origin = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /OFB is running at (http:\/\/[^/\s]+)\//.exec(out);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`symphony-ofb exited with ${code}: ${output.join('')}`)));
    });
    ofb = { child, origin, output };
  }, 60_000);

  afterAll(async () => {
    ofb.child.kill('SIGTERM');
    await stopped(ofb.child);
    await cleanup();
  });

  it(
    'answers every malformed target, header and upgrade (or closes) and stays up',
    () => new Prober(ofb).fuzz(),
    240_000,
  );
});
