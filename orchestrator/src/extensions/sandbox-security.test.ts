// The extension sandbox against hostile extensions, with real bubblewrap and real processes: each
// offender is stopped or denied within its limit + 1 s, its node fails with that reason, a benign
// call on another process in flight at the same time succeeds, and the host still starts and runs
// extensions afterwards.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ExtensionFailure,
  ExtensionManifest,
  type ExtensionManifestInput,
  IsolationLevel,
  RunErrorCode,
} from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StepContext, StepError } from '../steps/Step.js';
import { ExtensionHost } from './ExtensionHost.js';
import type { ExtensionProcess } from './ExtensionProcess.js';
import { extensionSteps } from './ExtensionStep.js';
import { ExtensionCallError } from './errors.js';
import { describeIsolation, detectIsolation } from './sandbox/isolation.js';

const FIXTURES = fileURLToPath(new URL('../../test-fixtures/extensions/', import.meta.url));
/** Slack on every time limit: the "within its limit + 1 s". */
const SLACK_MS = 1_000;

function fixture(name: string, patch: Partial<ExtensionManifestInput> = {}) {
  const folder = join(FIXTURES, name);
  const raw = JSON.parse(
    readFileSync(join(folder, 'symphony-extension.json'), 'utf8'),
  ) as ExtensionManifestInput;
  return { manifest: ExtensionManifest.parse({ ...raw, ...patch }), folder };
}

const run = (params: Record<string, unknown> = {}) => ({
  nodeType: 'run',
  params,
  inputs: {},
  attempt: 1,
  idempotencyKey: 'run/node/1',
});

function stepContext(params: Record<string, unknown>): StepContext {
  return {
    runId: 'run-1' as StepContext['runId'],
    nodeId: 'node-1' as StepContext['nodeId'],
    attempt: 1,
    idempotencyKey: 'run-1/node-1/1',
    effectKey: 'run-1/node-1',
    params,
    inputs: {},
    signal: new AbortController().signal,
    grants: [],
    documents: undefined,
    progress: () => {},
    reportUsage: () => {},
  };
}

let workspace: string;
let outside: string;
let host: ExtensionHost;
let bystander: ExtensionProcess;
let tcp: TcpServer;
let tcpPort: number;
let tcpConnections = 0;
let http: Server;
let httpPort: number;
const httpSeen: { url: string; authorization: string | undefined }[] = [];

beforeAll(async () => {
  const isolation = await detectIsolation({});
  if (isolation !== IsolationLevel.sandboxed)
    throw new Error('these tests need bubblewrap (apt-get install bubblewrap) with user namespaces allowed');
  workspace = mkdtempSync(join(tmpdir(), 'symphony-ext-'));
  outside = join(workspace, 'outside');
  for (const dir of ['read', 'write', 'outside']) mkdirSync(join(workspace, dir));
  writeFileSync(join(workspace, 'read', 'granted.txt'), 'granted text');
  writeFileSync(join(outside, 'secret.txt'), 'host secret');
  symlinkSync(join(outside, 'secret.txt'), join(workspace, 'read', 'link'));
  symlinkSync(join(outside, 'planted.txt'), join(workspace, 'write', 'link'));
  tcp = createTcpServer((socket) => {
    tcpConnections++;
    socket.end();
  });
  await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
  tcpPort = (tcp.address() as { port: number }).port;
  http = createServer((request, response) => {
    httpSeen.push({ url: request.url ?? '', authorization: request.headers.authorization });
    if (request.url === '/redirect-out') {
      response.writeHead(302, { location: 'http://127.0.0.2:9/' }).end();
      return;
    }
    response.end(
      request.url === '/echo-auth' ? String(request.headers.authorization) : 'hello from the granted host',
    );
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  httpPort = (http.address() as { port: number }).port;
  host = new ExtensionHost({
    isolation: IsolationLevel.sandboxed,
    credentials: async (name) => (name === 'test-key' ? 'sk-test-1234567890' : undefined),
    workspaceDir: workspace,
    env: { ...process.env, SECRET_X: 'hush-hush', GRANTED_X: 'visible' },
    // `rebind.example` is a public-looking name that resolves to loopback (DNS rebinding).
    lookup: ((hostname: string, _options: object, callback: (...args: unknown[]) => void) => {
      if (hostname === 'rebind.example') return callback(null, [{ address: '127.0.0.1', family: 4 }]);
      return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    }) as never,
  });
  bystander = await host.start(fixture('echo'));
});

afterAll(async () => {
  await host?.close();
  tcp?.close();
  http?.close();
  if (workspace) rmSync(workspace, { recursive: true, force: true });
});

/**
 * Runs `name` with `params` as a node (through its Step) beside a benign call on the bystander, and
 * checks the offender's node failed `extension_failed` with `reason` within its limit + 1 s.
 */
async function expectStopped(
  name: string,
  params: Record<string, unknown>,
  reason: ExtensionFailure,
  patch: Partial<ExtensionManifestInput> = {},
): Promise<StepError> {
  const extension = fixture(name, patch);
  // Started before the clock: the limit is the call's, not the cold start's.
  const offender = await host.start(extension);
  const [step] = extensionSteps(
    extension.manifest,
    async () => offender,
    (process) => void process.close(),
  );
  expect(step!.type).toBe(`${extension.manifest.id}/run`);
  const begin = performance.now();
  const [outcome, benign] = await Promise.all([
    step!.run(stepContext(params)).then(
      (outputs) => ({ outputs, error: undefined }),
      (error: unknown) => ({ outputs: undefined, error }),
    ),
    bystander.call(run({ delayMs: 50, who: 'bystander' })),
  ]);
  const elapsed = performance.now() - begin;
  expect(outcome.outputs, `${name} should have failed`).toBeUndefined();
  const error = outcome.error as StepError;
  expect(error).toBeInstanceOf(StepError);
  expect(error.code).toBe(RunErrorCode.extensionFailed);
  expect(error.details, error.message).toMatchObject({ reason, extension: extension.manifest.id });
  expect(elapsed).toBeLessThan(extension.manifest.limits.timeoutMs + SLACK_MS);
  expect(benign.outputs).toMatchObject({ out: { params: { who: 'bystander' } } });
  // The host carries on: a fresh process starts and answers.
  const fresh = await host.start(fixture('echo'));
  await expect(fresh.call(run({ after: name }))).resolves.toMatchObject({
    outputs: { out: { params: { after: name } } },
  });
  await fresh.close();
  return error;
}

describe('a crashing extension', () => {
  it.each(['exit', 'abort', 'uncaught'])('fails its node "crashed" when it dies by %s', async (mode) => {
    const error = await expectStopped('crash', { mode }, ExtensionFailure.crashed);
    expect(error.retryable).toBe(true);
  });

  it('fails to start "crashed" when its module throws as it loads', async () => {
    await expect(host.start(fixture('crash-at-import'))).rejects.toMatchObject({
      name: 'ExtensionCallError',
      reason: ExtensionFailure.crashed,
      message: expect.stringContaining('broken at import'),
    });
  });

  it("keeps the extension's own error code when run throws one", async () => {
    const process = await host.start(fixture('crash'));
    const [step] = extensionSteps(
      process.manifest,
      async () => process,
      () => {},
    );
    await expect(step!.run(stepContext({ mode: 'throw' }))).rejects.toMatchObject({
      code: RunErrorCode.invalidInput,
      details: { why: 'test' },
    });
    expect(process.alive).toBe(true);
    await process.close();
  });
});

describe('limits', () => {
  it('kills an infinite loop at its time limit', async () => {
    const error = await expectStopped('loop', {}, ExtensionFailure.timeLimit);
    expect(error.retryable).toBe(true);
  });

  it('kills a JS heap bomb', async () => {
    const error = await expectStopped('heap-bomb', {}, ExtensionFailure.memoryLimit);
    expect(error.retryable).toBe(false);
  });

  it('kills an ArrayBuffer bomb the heap limit does not see', async () => {
    await expectStopped('arraybuffer-bomb', {}, ExtensionFailure.memoryLimit);
  });

  it('kills a 100 MB answer over its output limit', async () => {
    await expectStopped('big-answer', {}, ExtensionFailure.outputLimit);
  });

  it('kills a flood of messages written straight to fd 1, each under the limit', async () => {
    await expectStopped('flood', {}, ExtensionFailure.outputLimit);
  });

  it('freezes an idle extension: a timer it left running after its answer gets no CPU', async () => {
    const process = await host.start(fixture('lingering'));
    await expect(process.call(run())).resolves.toEqual({ outputs: { out: 'answered' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = await treeCpuSeconds(process.pid!);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = await treeCpuSeconds(process.pid!);
    // Unfrozen, the timer would burn ~0.4 s of CPU each second.
    expect(after - before).toBeLessThan(0.05);
    // It still answers the next call (thawed for it).
    await expect(process.call(run())).resolves.toEqual({ outputs: { out: 'answered' } });
    await process.close();
  });
});

/** CPU seconds (user + system) used so far by `pid` and its descendants, from /proc. */
async function treeCpuSeconds(pid: number): Promise<number> {
  const { treePids } = await import('./watchdog.js');
  let ticks = 0;
  for (const one of await treePids(pid)) {
    try {
      const fields = readFileSync(`/proc/${one}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // Gone meanwhile.
    }
  }
  return ticks / 100;
}

describe('processes and threads', () => {
  it.each(['spawn', 'fork', 'execSync'])('denies %s', async (mode) => {
    await expectStopped('spawn', { mode }, ExtensionFailure.denied);
  });

  it('denies a worker thread', async () => {
    await expectStopped('worker', {}, ExtensionFailure.denied);
  });
});

describe('the file system', () => {
  it('reads a granted folder', async () => {
    const process = await host.start(fixture('fs-read-outside'));
    await expect(process.call(run({ path: join(workspace, 'read', 'granted.txt') }))).resolves.toEqual({
      outputs: { out: 'granted text' },
    });
    await process.close();
  });

  it.each([
    ['/etc/passwd', () => '/etc/passwd'],
    ['a host file outside the grant', () => join(outside, 'secret.txt')],
    ['a symlink inside the grant that points outside', () => join(workspace, 'read', 'link')],
  ])('denies reading %s', async (_, path) => {
    await expectStopped('fs-read-outside', { path: path() }, ExtensionFailure.denied);
  });

  it('writes a granted folder', async () => {
    const process = await host.start(fixture('fs-write-outside'));
    await process.call(run({ path: join(workspace, 'write', 'granted.txt') }));
    expect(readFileSync(join(workspace, 'write', 'granted.txt'), 'utf8')).toBe('written by an extension');
    await process.close();
  });

  it.each([
    ['a file outside the grant', () => join(outside, 'new.txt'), () => join(outside, 'new.txt')],
    [
      'through a symlink inside the grant',
      () => join(workspace, 'write', 'link'),
      () => join(outside, 'planted.txt'),
    ],
    [
      'its own folder',
      () => join(FIXTURES, 'fs-write-outside', 'x.txt'),
      () => join(FIXTURES, 'fs-write-outside', 'x.txt'),
    ],
  ])('denies writing %s', async (_, path, target) => {
    await expectStopped('fs-write-outside', { path: path() }, ExtensionFailure.denied);
    expect(existsSync(target())).toBe(false);
  });

  it('refuses to start with a granted folder that does not exist', async () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the manifest's literal placeholder
    const missing = '${workspace}/missing';
    await expect(
      host.start(fixture('fs-read-outside', { permissions: { read: [missing] } })),
    ).rejects.toMatchObject({
      reason: ExtensionFailure.denied,
      message: expect.stringContaining('does not exist'),
    });
  });
});

describe('protected folders inside a grant', () => {
  it("keeps a project grant from writing Symphony's run data or reading the user's keys", async () => {
    const project = join(workspace, 'project');
    const data = join(project, '.symphony');
    const config = join(project, 'config');
    mkdirSync(data, { recursive: true });
    mkdirSync(config, { recursive: true });
    writeFileSync(join(data, 'journal'), 'the journal');
    writeFileSync(join(config, 'credentials.json'), 'the keys');
    const guarded = new ExtensionHost({
      isolation: IsolationLevel.sandboxed,
      credentials: async () => undefined,
      workspaceDir: project,
      protect: { code: [data], secret: [config] },
    });
    try {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the manifest's literal placeholder
      const everything = { read: ['${workspace}'], write: ['${workspace}'] };
      const writer = await guarded.start(fixture('fs-write-outside', { permissions: everything }));
      await writer.call(run({ path: join(project, 'notes.txt') }));
      expect(readFileSync(join(project, 'notes.txt'), 'utf8')).toBe('written by an extension');
      await expect(writer.call(run({ path: join(data, 'journal') }))).rejects.toMatchObject({
        reason: ExtensionFailure.denied,
      });
      expect(readFileSync(join(data, 'journal'), 'utf8')).toBe('the journal');
      await writer.close();
      const reader = await guarded.start(fixture('fs-read-outside', { permissions: everything }));
      await expect(reader.call(run({ path: join(data, 'journal') }))).resolves.toEqual({
        outputs: { out: 'the journal' },
      });
      await expect(reader.call(run({ path: join(config, 'credentials.json') }))).rejects.toMatchObject({
        reason: ExtensionFailure.denied,
      });
      await reader.close();
      // A grant inside a protected folder is refused outright.
      await expect(
        guarded.start(fixture('fs-read-outside', { permissions: { read: [config] } })),
      ).rejects.toMatchObject({ reason: ExtensionFailure.denied, message: expect.stringContaining('keys') });
    } finally {
      await guarded.close();
    }
  });
});

describe("Symphony's own code", () => {
  it('stays read-only under a write grant of the whole checkout, and a grant of / is refused', async () => {
    const checkout = fileURLToPath(new URL('../../../', import.meta.url));
    const targets = [
      join(checkout, 'orchestrator', 'dist', 'sandbox-probe.txt'),
      join(checkout, 'pit', 'sandbox-probe.txt'),
      join(checkout, 'node_modules', 'sandbox-probe.txt'),
    ];
    const writer = await host.start(fixture('fs-write-outside', { permissions: { write: [checkout] } }));
    try {
      for (const target of targets) {
        await expect(writer.call(run({ path: target })), target).rejects.toMatchObject({
          reason: ExtensionFailure.denied,
        });
        expect(existsSync(target), target).toBe(false);
      }
    } finally {
      for (const target of targets) rmSync(target, { force: true });
      await writer.close();
    }
    await expect(
      host.start(fixture('fs-read-outside', { permissions: { read: ['/'] } })),
    ).rejects.toMatchObject({
      reason: ExtensionFailure.denied,
      message: expect.stringContaining('whole file system'),
    });
  });
});

describe('the network', () => {
  it.each(['net', 'raw-net'])('denies a %s connection to 127.0.0.1', async (mode) => {
    await expectStopped('net-connect', { mode, port: tcpPort }, ExtensionFailure.denied);
    expect(tcpConnections).toBe(0);
  });

  it('denies the global fetch', async () => {
    await expectStopped(
      'net-connect',
      { mode: 'global-fetch', url: `http://127.0.0.1:${httpPort}/` },
      ExtensionFailure.denied,
    );
    expect(httpSeen).toEqual([]);
  });

  it('denies call.fetch of a host outside the grant', async () => {
    await expectStopped('net-connect', { url: `http://127.0.0.1:${httpPort}/` }, ExtensionFailure.denied, {
      permissions: { network: ['api.example.com'] },
    });
    expect(httpSeen).toEqual([]);
  });

  it('denies a granted name that resolves to a private address (DNS rebinding)', async () => {
    await expectStopped(
      'net-connect',
      { url: `http://rebind.example:${httpPort}/` },
      ExtensionFailure.denied,
      {
        permissions: { network: [`rebind.example:${httpPort}`] },
      },
    );
    expect(httpSeen).toEqual([]);
  });

  it('fetches a granted host through the proxy, adding the credential', async () => {
    const process = await host.start(
      fixture('net-connect', {
        permissions: {
          network: [`127.0.0.1:${httpPort}`],
          credentials: [
            {
              name: 'test-key',
              header: 'Authorization',
              prefix: 'Bearer ',
              hosts: [`127.0.0.1:${httpPort}`],
            },
          ],
        },
      }),
    );
    await expect(process.call(run({ url: `http://127.0.0.1:${httpPort}/hello` }))).resolves.toEqual({
      outputs: { out: 'hello from the granted host' },
    });
    expect(httpSeen.at(-1)).toEqual({ url: '/hello', authorization: 'Bearer sk-test-1234567890' });
    await process.close();
  });

  it('sends a credential only to the hosts it names, never to another granted host', async () => {
    const process = await host.start(
      fixture('net-connect', {
        permissions: {
          network: [`127.0.0.1:${httpPort}`, `localhost:${httpPort}`],
          credentials: [
            {
              name: 'test-key',
              header: 'Authorization',
              prefix: 'Bearer ',
              hosts: [`localhost:${httpPort}`],
            },
          ],
        },
      }),
    );
    await process.call(run({ url: `http://127.0.0.1:${httpPort}/hello` }));
    expect(httpSeen.at(-1)).toEqual({ url: '/hello', authorization: undefined });
    await process.close();
  });

  it('redacts the credential from what the extension sends back', async () => {
    const logs: string[] = [];
    const progress: string[] = [];
    const process = await host.start(
      fixture('net-connect', {
        permissions: {
          network: [`127.0.0.1:${httpPort}`],
          credentials: [
            {
              name: 'test-key',
              header: 'Authorization',
              prefix: 'Bearer ',
              hosts: [`127.0.0.1:${httpPort}`],
            },
          ],
        },
      }),
    );
    const failed = await process
      .call(run({ mode: 'fetch-leak', url: `http://127.0.0.1:${httpPort}/echo-auth` }), {
        onLog: (_, message) => logs.push(message),
        onProgress: (update) => progress.push(update.message ?? ''),
      })
      .catch((error: Error) => error);
    expect(String(failed)).toContain('leaking Bearer [redacted]');
    expect([...logs, ...progress, String(failed)].join('\n')).not.toContain('sk-test-1234567890');
    expect(logs).toContain('the server said Bearer [redacted]');
    // A host that reflects the key cannot carry it out in the node's outputs either.
    const answered = await process.call(run({ url: `http://127.0.0.1:${httpPort}/echo-auth` }));
    expect(answered).toEqual({ outputs: { out: 'Bearer [redacted]' } });
    await process.close();
  });

  it('fails a fetch whose credential is not set, naming the command that sets it', async () => {
    const process = await host.start(
      fixture('net-connect', {
        permissions: {
          network: [`127.0.0.1:${httpPort}`],
          credentials: [
            {
              name: 'unset-key',
              header: 'Authorization',
              prefix: 'Bearer ',
              hosts: [`127.0.0.1:${httpPort}`],
            },
          ],
        },
      }),
    );
    await expect(process.call(run({ url: `http://127.0.0.1:${httpPort}/` }))).rejects.toThrow(
      'symphony credentials set unset-key',
    );
    await process.close();
  });
});

describe('the environment', () => {
  it('sees only its granted variables, never a host secret', async () => {
    const extension = await host.start(fixture('env-secret'));
    const answer = await extension.call(run());
    expect(answer.outputs.out).toEqual({
      secret: null,
      granted: 'visible',
      keys: ['GRANTED_X', 'HOME', 'PWD'],
    });
    await extension.close();
  });
});

describe('reduced isolation', () => {
  const reduced = () =>
    new ExtensionHost({
      isolation: IsolationLevel.reduced,
      credentials: async () => undefined,
      workspaceDir: workspace,
      env: { SECRET_X: 'hush-hush' },
    });

  it('is what SYMPHONY_ISOLATION=reduced asks for, and says so', async () => {
    await expect(detectIsolation({ SYMPHONY_ISOLATION: 'reduced' })).resolves.toBe(IsolationLevel.reduced);
    expect(describeIsolation(IsolationLevel.reduced)).toContain('reduced isolation');
    expect(describeIsolation(IsolationLevel.sandboxed)).toContain('sandboxed');
  });

  it('refuses a third-party extension with a network grant, and says how to get full isolation', async () => {
    const host = reduced();
    const extension = fixture('net-connect', { permissions: { network: ['api.example.com'] } });
    await expect(host.check(extension.manifest)).resolves.toMatchObject({
      ok: false,
      reason: ExtensionFailure.isolation,
    });
    await expect(host.start(extension)).rejects.toMatchObject({
      reason: ExtensionFailure.isolation,
      message: expect.stringContaining('install bubblewrap'),
    });
    await expect(host.check(extension.manifest, { builtin: true })).resolves.toMatchObject({ ok: true });
    await host.close();
  });

  it('runs an extension without a network grant, still under the permission flags and the watchdog', async () => {
    const host = reduced();
    const echo = await host.start(fixture('echo'));
    await expect(echo.call(run({ x: 1 }))).resolves.toMatchObject({ outputs: { out: { params: { x: 1 } } } });
    const spawner = await host.start(fixture('spawn'));
    await expect(spawner.call(run())).rejects.toMatchObject({ reason: ExtensionFailure.denied });
    const env = await host.start(fixture('env-secret'));
    await expect(env.call(run())).resolves.toMatchObject({ outputs: { out: { secret: null } } });
    const loop = await host.start(fixture('loop'));
    await expect(loop.call(run())).rejects.toBeInstanceOf(ExtensionCallError);
    await host.close();
  });

  it('refuses UDP, DNS and signals to other processes there too', async () => {
    const { createSocket } = await import('node:dgram');
    const udp = createSocket('udp4');
    let received = '';
    udp.on('message', (message) => {
      received += message;
    });
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const host = reduced();
    try {
      const reacher = await host.start(fixture('reach-out'));
      for (const mode of ['udp', 'dns', 'signal']) {
        await expect(reacher.call(run({ mode, port: udp.address().port })), mode).rejects.toMatchObject({
          reason: ExtensionFailure.denied,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(received).toBe('');
    } finally {
      udp.close();
      await host.close();
    }
  });
});
