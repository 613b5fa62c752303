// Tests of the editor engine's transports: Worker and MessagePort, coalescing, stdio, WebSocket,
// the client, pipelining, and a catastrophic regex.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { EngineErrorCode } from '@symphony/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import {
  EditorEngine,
  EditorEngineClient,
  MemoryDocumentSource,
  portChannel,
  serveOnPort,
  shareDocuments,
} from '../src/index.js';
import { coalescingSender } from '../src/internal.js';
import { stdioChannel, webSocketChannel } from '../src/node.js';

/** The built worker entry (what `engineWorkerPath` names in dist). */
const engineWorkerPath = new URL('../dist/worker.js', import.meta.url);

import { applyOps, eventually } from './helpers.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function failure(promise: Promise<unknown>) {
  return promise.then(
    () => {
      throw new Error('expected failure');
    },
    (e: { code: number; message: string; data: unknown }) => e,
  );
}

describe('Worker / MessagePort', () => {
  it('edits the page’s Y.Doc from a worker, both ways, and follows role changes', async () => {
    const page = new Y.Doc();
    page.getText('content').insert(0, 'page text\n');
    const docs = new MessageChannel();
    const sharing = shareDocuments(docs.port1, (id) =>
      id === 'page-doc' ? { doc: page, role: 'editor' } : undefined,
    );
    const worker = new Worker(new URL('./fixtures/engine-worker.mjs', import.meta.url), {
      workerData: { docs: docs.port2 },
      transferList: [docs.port2],
    });
    const client = new EditorEngineClient(portChannel(worker));
    cleanups.push(() => {
      sharing.stop();
      docs.port1.close();
      return worker.terminate();
    });

    const { bufferId, length } = await client.request('buffer.open', { documentId: 'page-doc' });
    expect(length).toBe(10);
    let copy = 'page text\n';
    client.on('buffer.update', (u) => {
      copy = applyOps(copy, u.ops);
    });
    await client.request('buffer.edit', {
      bufferId,
      edits: [{ op: 'insert', at: { line: 1, column: 0 }, text: 'from the worker' }],
    });
    await eventually(() => expect(page.getText('content').toString()).toBe('page text\nfrom the worker'));
    page.getText('content').insert(0, '# ');
    await eventually(() => expect(copy).toBe('# page text\nfrom the worker'));
    expect((await client.request('buffer.outline', { bufferId })).items.map((i) => i.name)).toEqual([
      'page text',
    ]);

    const statuses: string[] = [];
    client.on('buffer.status', (s) => statuses.push(s.role));
    sharing.setRole('page-doc', 'viewer');
    await eventually(() => expect(statuses).toEqual(['viewer']));
    const refused = await failure(
      client.request('buffer.edit', { bufferId, edits: [{ op: 'insert', at: 0, text: 'x' }] }),
    );
    expect(refused.code).toBe(EngineErrorCode.ReadOnly);

    const unknown = await failure(client.request('buffer.open', { documentId: 'not-on-page' }));
    expect(unknown.code).toBe(EngineErrorCode.UnknownDocument);
  });
});

describe('coalescing', () => {
  it('sends the first message of a turn at once and the rest in order, 16 at a time', async () => {
    const sent: (string | string[])[] = [];
    const send = coalescingSender(
      (text) => sent.push(text),
      (texts) => sent.push(texts),
      () => {},
    );
    const texts = Array.from({ length: 40 }, (_, i) => `m${i}`);
    for (const text of texts) send(text);
    expect(sent).toEqual(['m0', texts.slice(1, 17), texts.slice(17, 33)]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual(['m0', texts.slice(1, 17), texts.slice(17, 33), texts.slice(33)]);
    send('next turn');
    expect(sent.at(-1)).toBe('next turn');
  });

  it('reports a send that throws after the turn instead of throwing from a timer', async () => {
    const errors: unknown[] = [];
    const send = coalescingSender(
      () => {},
      () => {
        throw new Error('port closed');
      },
      (error) => errors.push(error),
    );
    send('a');
    send('b');
    send('c');
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors.map(String)).toEqual(['Error: port closed']);
  });

  it('answers each text of a port message that carries an array, and refuses what is not text', async () => {
    const port = new MessageChannel();
    const engine = new EditorEngine({ source: new MemoryDocumentSource() });
    serveOnPort(engine, port.port2);
    const answers: { id: unknown; result?: unknown; error?: { code: number; message: string } }[] = [];
    port.port1.on('message', (data: string | string[]) => {
      for (const text of Array.isArray(data) ? data : [data]) answers.push(JSON.parse(text));
    });
    cleanups.push(() => {
      port.port1.close();
      engine.close();
    });
    const hello = (id: number) => JSON.stringify({ jsonrpc: '2.0', id, method: 'engine.hello', params: {} });
    port.port1.postMessage([hello(1), 42, hello(2)]);
    await eventually(() => expect(answers).toHaveLength(3));
    expect(answers.map((a) => a.id)).toEqual([1, null, 2]);
    expect(answers[1]!.error).toMatchObject({ code: EngineErrorCode.InvalidRequest });
    expect(answers[1]!.error!.message).toContain('a port message must be JSON text');
  });
});

describe('worker_threads entry', () => {
  it('serves in-worker documents on parentPort without any setup', async () => {
    const worker = new Worker(engineWorkerPath);
    cleanups.push(() => worker.terminate());
    const client = new EditorEngineClient(portChannel(worker));
    const { bufferId } = await client.request('buffer.open', { documentId: 'in-worker' });
    await client.request('buffer.edit', { bufferId, edits: [{ op: 'insert', at: 0, text: 'abc' }] });
    expect(await client.request('buffer.find', { bufferId, query: 'b' })).toMatchObject({
      matches: [{ from: 1 }],
    });
  });
});

/** Starts the built bin; resolves its stderr's first line once it says it listens (or at once for stdio). */
function startBin(args: string[]): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  cleanups.push(() => child.kill());
  return child;
}

describe('stdio', () => {
  it('serves a typed client over the bin’s stdin/stdout, with notifications', async () => {
    const child = startBin(['--memory']);
    const client = new EditorEngineClient(stdioChannel(child));
    const hello = await client.request('engine.hello', { client: 'test' });
    expect(hello.limits.maxMessageBytes).toBe(8 * 1024 * 1024);
    const { bufferId } = await client.request('buffer.open', { documentId: 'stdio-doc', language: 'json' });
    const updates: number[] = [];
    client.on('buffer.update', (u) => updates.push(u.revision));
    await client.request('buffer.edit', {
      bufferId,
      edits: [{ op: 'insert', at: 0, text: '{"a": [1, 2]}' }],
    });
    expect(updates).toEqual([1]);
    const tokens = await client.request('buffer.tokens', { bufferId });
    expect(tokens.language).toBe('json');
    expect(tokens.tokens.some((t) => t.type === 'number')).toBe(true);
    client.close();
    await new Promise((resolve) => child.once('exit', resolve));
    expect(child.exitCode).toBe(0);
  });
});

describe('a catastrophic regex', () => {
  it('is answered in moments by the bin, and the engine goes on serving', async () => {
    const child = startBin(['--memory']);
    const client = new EditorEngineClient(stdioChannel(child));
    const { bufferId } = await client.request('buffer.open', { documentId: 'redos', updates: 'others' });
    await client.request('buffer.edit', {
      bufferId,
      edits: [{ op: 'insert', at: 0, text: `${'a'.repeat(5000)}b\n${'a'.repeat(40)}!` }],
    });
    // Backtracking alone would take longer than the universe's age on the 5,000 'a's.
    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error('no answer to a (a+)+$ search within 10 s')), 10_000).unref(),
    );
    const found = await Promise.race([
      client.request('buffer.find', { bufferId, query: '(a+)+$', regex: true, caseSensitive: true }),
      timeout,
    ]);
    expect(found).toMatchObject({ matches: [], truncated: false });
    const next = await client.request('buffer.find', { bufferId, query: 'a+!', regex: true });
    expect(next.matches).toEqual([{ from: 5002, to: 5043, line: 1, column: 0 }]);
    client.close();
    await new Promise((resolve) => child.once('exit', resolve));
  }, 30_000);
});

/** A client of an in-memory engine served on a MessagePort in this thread (closed after the test). */
function clientOfPortEngine(): EditorEngineClient {
  const port = new MessageChannel();
  const engine = new EditorEngine({ source: new MemoryDocumentSource() });
  serveOnPort(engine, port.port2);
  const client = new EditorEngineClient(portChannel(port.port1));
  cleanups.push(() => {
    client.close();
    engine.close();
  });
  return client;
}

describe('the client', () => {
  it('refuses a request over the message limit itself, instead of waiting for an answer that cannot come', async () => {
    const client = clientOfPortEngine();
    const { bufferId } = await client.request('buffer.open', { documentId: 'limits' });
    const huge = 'é'.repeat(5 * 1024 * 1024); // 10 MiB of UTF-8 in 5 M code units
    const refused = await failure(
      client.request('buffer.edit', { bufferId, edits: [{ op: 'insert', at: 0, text: huge }] }),
    );
    expect(refused.code).toBe(EngineErrorCode.PayloadTooLarge);
    expect(refused.message).toContain('over the engine');
    expect((await client.request('buffer.lineCount', { bufferId })).length).toBe(0);
  });

  it('keeps delivering the messages of a burst when a notification listener throws', async () => {
    const client = clientOfPortEngine();
    const thrown: unknown[] = [];
    const onUncaught = (error: unknown) => thrown.push(error);
    process.on('uncaughtException', onUncaught);
    cleanups.push(() => process.off('uncaughtException', onUncaught));
    const { bufferId } = await client.request('buffer.open', { documentId: 'listener' });
    let calls = 0;
    client.on('buffer.update', () => {
      calls++;
      if (calls === 3) throw new Error('a listener bug');
    });
    const edits = Array.from({ length: 5 }, (_, i) =>
      client.request('buffer.edit', { bufferId, edits: [{ op: 'insert', at: i, text: 'x' }] }),
    );
    expect((await Promise.all(edits)).map((r) => r.revision)).toEqual([1, 2, 3, 4, 5]);
    expect(calls).toBe(5);
    await eventually(() => expect(thrown.map(String)).toEqual(['Error: a listener bug']));
  });
});

describe('stdio input that ends', () => {
  it('answers every request piped in before stdin closed, then exits', async () => {
    const child = startBin(['--memory']);
    let out = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      out += chunk;
    });
    const requests = [
      {
        jsonrpc: '2.0',
        id: 'open',
        method: 'buffer.open',
        params: { documentId: 'piped', updates: 'others' },
      },
      ...Array.from({ length: 40 }, (_, i) => ({
        jsonrpc: '2.0',
        id: i,
        method: 'buffer.edit',
        params: { bufferId: 'b1', edits: [{ op: 'insert', at: i, text: 'x' }] },
      })),
      { jsonrpc: '2.0', id: 'read', method: 'buffer.read', params: { bufferId: 'b1' } },
    ];
    child.stdin!.end(`${requests.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    const answers = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(answers.map((a) => a.id)).toEqual(requests.map((r) => r.id));
    expect(answers.at(-1).result).toMatchObject({ text: 'x'.repeat(40), revision: 40 });
  });
});

describe('pipelining', () => {
  it('handles a connection’s messages in arrival order, so edits may follow buffer.open unawaited', async () => {
    const child = startBin(['--memory']);
    const lines: string[] = [];
    child.stdout!.on('data', (d) => lines.push(...String(d).split('\n').filter(Boolean)));
    child.stdin!.write(
      [
        '{"jsonrpc":"2.0","id":1,"method":"buffer.open","params":{"documentId":"notes"}}',
        '{"jsonrpc":"2.0","id":2,"method":"buffer.edit","params":{"bufferId":"b1","edits":[{"op":"insert","at":0,"text":"hi"}]}}',
        '{"jsonrpc":"2.0","id":3,"method":"buffer.read","params":{"bufferId":"b1"}}',
        '',
      ].join('\n'),
    );
    await eventually(() => expect(lines).toHaveLength(4));
    const answers = lines.map((l) => JSON.parse(l));
    expect(answers.map((a) => a.id ?? a.method)).toEqual([1, 'buffer.update', 2, 3]);
    expect(answers[3].result.text).toBe('hi');
  });
});

describe('WebSocket', () => {
  it('serves each connection as its own caller, and answers oversized and broken messages', async () => {
    const child = startBin(['--memory', '--listen', '0']);
    const url = await new Promise<string>((resolve) => {
      child.stderr!.on('data', (d) => {
        const m = /listening at (ws:\/\/\S+)/.exec(String(d));
        if (m) resolve(m[1]!);
      });
    });
    const a = new EditorEngineClient(await webSocketChannel(url));
    const b = new EditorEngineClient(await webSocketChannel(url));
    cleanups.push(() => {
      a.close();
      b.close();
    });
    const { bufferId } = await a.request('buffer.open', { documentId: 'ws-doc' });
    await b.request('buffer.open', { documentId: 'ws-doc' });
    const seen: string[] = [];
    b.on('buffer.update', (u) => seen.push(u.origin));
    await a.request('buffer.edit', { bufferId, edits: [{ op: 'insert', at: 0, text: 'shared' }] });
    await eventually(() => expect(seen).toEqual(['other']));
    expect((await b.request('buffer.read', { bufferId })).text).toBe('shared');
    // b cannot undo a's edit.
    expect(await b.request('buffer.undo', { bufferId })).toMatchObject({ changed: false });

    const raw = new WebSocket(url);
    cleanups.push(() => raw.close());
    await new Promise((resolve) => raw.once('open', resolve));
    const answers: { id: unknown; error?: { code: number; message: string } }[] = [];
    raw.on('message', (d) => answers.push(JSON.parse(String(d))));
    raw.send('{not json');
    raw.send(
      `{"jsonrpc":"2.0","id":1,"method":"engine.hello","params":{"client":"${'x'.repeat(9 * 1024 * 1024)}"}}`,
    );
    raw.send('{"jsonrpc":"2.0","id":2,"method":"engine.hello"}');
    await eventually(() => expect(answers).toHaveLength(3));
    expect(answers[0]).toMatchObject({ id: null, error: { code: EngineErrorCode.ParseError } });
    expect(answers[1]).toMatchObject({ id: null, error: { code: EngineErrorCode.PayloadTooLarge } });
    expect(answers[1]!.error!.message).toContain('larger than the limit');
    expect(answers[2]).toMatchObject({ id: 2 });
  });
});
