// Two LinePeers wired back to back, as the host and the runtime are over the sandbox's pipes.
import { describe, expect, it } from 'vitest';
import {
  LinePeer,
  type LinePeerHandlers,
  METHOD_NOT_FOUND,
  RpcError,
  type RpcIncoming,
} from './line-peer.js';

interface End {
  peer: LinePeer;
  received: RpcIncoming[];
  malformed: unknown[];
  oversized: number[];
  /** Every line this end wrote. */
  written: string[];
}

function end(limit: number, onMessage: LinePeerHandlers['onMessage'], deliver: (text: string) => void): End {
  const self: End = { peer: undefined!, received: [], malformed: [], oversized: [], written: [] };
  self.peer = new LinePeer(
    limit,
    (text) => {
      self.written.push(...text.split('\n').filter((line) => line.length > 0));
      deliver(text);
    },
    {
      onMessage: (message) => {
        self.received.push(message);
        return onMessage(message);
      },
      onOversized: (bytes) => self.oversized.push(bytes),
      onMalformed: (error) => self.malformed.push(error),
    },
  );
  return self;
}

/** A host and a runtime; `serve` answers the host's requests. */
function pair(serve: LinePeerHandlers['onMessage'], limit = 1 << 20) {
  const runtime: End = end(limit, serve, (text) => host.peer.push(Buffer.from(text)));
  const host: End = end(
    limit,
    () => undefined,
    (text) => runtime.peer.push(Buffer.from(text)),
  );
  return { host, runtime };
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('LinePeer', () => {
  it('answers a request synchronously when its handler returns at once', async () => {
    const { host, runtime } = pair((message) => ({ echoed: message.params }));
    const answer = host.peer.request('node.run', { text: 'hi' });
    // Written before any promise settled: the direct path.
    expect(runtime.written).toEqual(['{"jsonrpc":"2.0","id":1,"result":{"echoed":{"text":"hi"}}}']);
    await expect(answer).resolves.toEqual({ echoed: { text: 'hi' } });
    expect(runtime.received).toEqual([{ type: 'request', method: 'node.run', params: { text: 'hi' } }]);
  });

  it('sends the notifications a call made before its answer, in order, with it', async () => {
    const { host, runtime } = pair(async (message) => {
      if (message.type === 'notification') return undefined;
      runtime.peer.notify('node.progress', { fraction: 0.5 });
      runtime.peer.notify('log', { level: 'info', message: 'one' });
      await Promise.resolve();
      return { outputs: {} };
    });
    await expect(host.peer.request('node.run', {})).resolves.toEqual({ outputs: {} });
    expect(host.received.map((m) => m.method)).toEqual(['node.progress', 'log']);
    expect(runtime.written.map((line) => JSON.parse(line).method ?? 'answer')).toEqual([
      'node.progress',
      'log',
      'answer',
    ]);
  });

  it('answers with the error a handler throws, and rejects the request with it', async () => {
    const { host } = pair((message) => {
      if (message.method === 'missing') throw new RpcError('unknown method missing', METHOD_NOT_FOUND);
      return Promise.reject(new RpcError('run failed', -32001, { code: 'rate_limited' }));
    });
    await expect(host.peer.request('missing')).rejects.toMatchObject({
      code: METHOD_NOT_FOUND,
      message: 'unknown method missing',
    });
    const error = await host.peer.request('node.run').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ code: -32001, message: 'run failed', data: { code: 'rate_limited' } });
  });

  it('hides the text of an error that is not meant for the far end', async () => {
    const { host } = pair(() => {
      throw new Error('secret internals');
    });
    await expect(host.peer.request('x')).rejects.toMatchObject({
      code: -32000,
      message: 'unknown error from the peer',
    });
  });

  it('answers an internal error when the result is not JSON', async () => {
    const { host } = pair(() => ({ big: 1n }));
    await expect(host.peer.request('x')).rejects.toMatchObject({ code: -32603 });
  });

  it('never answers a notification, even one whose handler throws', async () => {
    const { host, runtime } = pair(() => {
      throw new Error('no');
    });
    host.peer.notify('node.cancel', { callId: 'a' });
    await settled();
    expect(runtime.received).toHaveLength(1);
    expect(runtime.written).toEqual([]);
    expect(runtime.malformed).toEqual([]);
  });

  it('reports what is not a JSON-RPC 2.0 message of the protocol, and answers none of it', () => {
    const { runtime } = pair(() => 'ok');
    for (const line of [
      'not json',
      '[{"jsonrpc":"2.0","id":1,"method":"x"}]',
      '"text"',
      '{"id":1,"method":"x"}',
      '{"jsonrpc":"2.0","id":7,"result":1}',
      '{"jsonrpc":"2.0","id":null,"error":{"code":1,"message":"m"}}',
    ])
      runtime.peer.push(Buffer.from(`${line}\n`));
    runtime.peer.push(Buffer.from([0xff, 0xfe, 10]));
    expect(runtime.malformed).toHaveLength(7);
    expect(runtime.written).toEqual([]);
  });

  it('reports a line over its limit by its length, without reading it', () => {
    const { runtime } = pair(() => 'ok', 64);
    runtime.peer.push(Buffer.from(`${'x'.repeat(100)}\n`));
    expect(runtime.oversized).toEqual([100]);
    expect(runtime.received).toEqual([]);
  });

  it('fails waiting and later requests with the reason it was closed for', async () => {
    const runtime = new LinePeer(1024, () => {}, {
      onMessage: () => undefined,
      onOversized: () => {},
      onMalformed: () => {},
    });
    const waiting = runtime.request('fetch', {});
    const reason = new Error('the process exited');
    runtime.close(reason);
    await expect(waiting).rejects.toBe(reason);
    await expect(runtime.request('fetch', {})).rejects.toBe(reason);
  });
});
