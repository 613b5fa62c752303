// The process inside an extension's sandbox: `node [permission flags] extension-runtime.js <folder>`.
// Speaks JSON-RPC on stdin/stdout (one message per line), imports the extension's entry on
// `extension.init` and calls its `run` on each `node.run`. Stdout carries the protocol only.
// It loads no zod, no schemas and no json-rpc-peer (see protocol.ts): every idle instance pays for
// what it loads, and a thousand of them run at once.
import dgram from 'node:dgram';
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
import net from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format as formatText } from 'node:util';
import type { ExtensionCall, ExtensionModule } from '../api.js';
import { LinePeer, METHOD_NOT_FOUND, RpcError, type RpcIncoming } from './line-peer.js';
import {
  MAX_OUTPUT_BYTES,
  Method,
  ProtocolShapeError,
  parseCancel,
  parseFetchChunk,
  parseFetchEnd,
  parseFetchError,
  parseInit,
  parseRun,
  type RunFailureData,
  RuntimeErrorCode,
} from './protocol.js';
import { FetchRelay } from './relayed-fetch.js';

/** Largest message the host sends: a call's inputs are bounded by the largest output limit. */
const INBOUND_LIMIT = MAX_OUTPUT_BYTES + 1024 * 1024;
const LOG_CHARS = 4000;

const folder = process.argv[2];
if (!folder) {
  process.stderr.write('usage: extension-runtime.js <extension folder>\n');
  process.exit(2);
}

const stdout = process.stdout;
const writeOut = stdout.write.bind(stdout);
const peer = new LinePeer(INBOUND_LIMIT, (text) => void writeOut(text), {
  onMessage: (message) => handle(message),
  onOversized: (bytes) => die(`the host sent a ${bytes}-byte message, over the ${INBOUND_LIMIT}-byte limit`),
  onMalformed: (error) => die(`the host sent a malformed message: ${String(error)}`),
});
const relay = new FetchRelay({
  request: (method, params) => peer.request(method, params),
  notify: (method, params) => peer.notify(method, params),
});
const calls = new Map<string, AbortController>();
let extension: ExtensionModule | undefined;
let config: Record<string, unknown> = {};

denyNetwork();
redirectConsole();
process.stdin.on('data', (chunk: Buffer) => peer.push(chunk));
process.stdin.on('end', () => {
  peer.flush();
  process.exit(0);
});

function die(message: string): never {
  process.stderr.write(`extension runtime: ${message}\n`);
  process.exit(70);
}

function handle(message: RpcIncoming): unknown {
  switch (message.method) {
    case Method.init:
      return init(message.params);
    case Method.run:
      return run(message.params);
    case Method.cancel: {
      const { callId } = parseCancel(message.params);
      calls
        .get(callId)
        ?.abort(new DOMException('the call was cancelled or ran past its time limit', 'AbortError'));
      return undefined;
    }
    case Method.fetchChunk: {
      const { fetchId, data } = parseFetchChunk(message.params);
      relay.chunk(fetchId, data);
      return undefined;
    }
    case Method.fetchEnd:
      relay.end(parseFetchEnd(message.params).fetchId);
      return undefined;
    case Method.fetchError: {
      const { fetchId, message: reason } = parseFetchError(message.params);
      relay.end(fetchId, reason);
      return undefined;
    }
    default:
      if (message.type === 'request')
        throw new RpcError(`unknown method ${message.method}`, METHOD_NOT_FOUND);
      return undefined;
  }
}

async function init(params: unknown): Promise<{ ok: true }> {
  const parsed = checked(parseInit, params);
  config = parsed.config;
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(join(folder!, parsed.manifest.entry)).href)) as Record<
      string,
      unknown
    >;
  } catch (error) {
    throw failure(error, `importing ${parsed.manifest.entry} failed`);
  }
  const candidate = (module.default ?? module) as Partial<ExtensionModule>;
  const run = typeof candidate.run === 'function' ? candidate : (module as Partial<ExtensionModule>);
  if (typeof run.run !== 'function')
    throw new RpcError(
      `${parsed.manifest.entry} exports no run(call) function (export default { run } or export function run)`,
      RuntimeErrorCode.badModule,
    );
  extension = run as ExtensionModule;
  return { ok: true };
}

async function run(params: unknown): Promise<unknown> {
  if (!extension) throw new RpcError('node.run before extension.init', RuntimeErrorCode.badModule);
  const request = checked(parseRun, params);
  const controller = new AbortController();
  calls.set(request.callId, controller);
  const call: ExtensionCall = {
    nodeType: request.nodeType,
    params: request.params,
    inputs: request.inputs,
    attempt: request.attempt,
    idempotencyKey: request.idempotencyKey,
    signal: controller.signal,
    config,
    fetch: relay.fetch,
    progress: (update) => peer.notify(Method.progress, { ...update, callId: request.callId }),
    log: (level, message) => peer.notify(Method.log, { level, message: String(message).slice(0, LOG_CHARS) }),
  };
  try {
    const result = await extension.run(call);
    if (
      typeof result !== 'object' ||
      result === null ||
      typeof result.outputs !== 'object' ||
      result.outputs === null
    )
      throw new RpcError('run(call) must return { outputs: { <port>: value } }', RuntimeErrorCode.badModule);
    return result.usage === undefined
      ? { outputs: result.outputs }
      : { outputs: result.outputs, usage: result.usage };
  } catch (error) {
    if (error instanceof RpcError) throw error;
    throw failure(error, 'run failed');
  } finally {
    calls.delete(request.callId);
  }
}

/** `parse(params)`, a misfit answered as JSON-RPC's "invalid params" with the field it names. */
function checked<T>(parse: (params: unknown) => T, params: unknown): T {
  try {
    return parse(params);
  } catch (error) {
    if (error instanceof ProtocolShapeError)
      throw new RpcError(error.message, RuntimeErrorCode.invalidParams);
    throw error;
  }
}

/** An error the extension threw, as an answer: its message, and what the host needs to classify it. */
function failure(error: unknown, fallback: string): RpcError {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const message = error instanceof Error ? error.message : error === undefined ? fallback : String(error);
  const data: RunFailureData = {};
  const code = fields.code;
  if (code === 'ERR_ACCESS_DENIED') data.denied = true;
  else if (typeof code === 'string' && /^[a-z_]+$/.test(code)) data.code = code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code) && typeof fields.path === 'string')
    data.fs = { code, path: fields.path };
  if (typeof fields.retryable === 'boolean') data.retryable = fields.retryable;
  if (typeof fields.details === 'object' && fields.details !== null && !Array.isArray(fields.details))
    data.details = fields.details as Record<string, unknown>;
  return new RpcError(message.slice(0, LOG_CHARS) || fallback, RuntimeErrorCode.threw, data);
}

/**
 * The sandbox has no network (bubblewrap's own network namespace) and its own pid namespace; these
 * make a failure say so at once, and are the only barrier in reduced isolation (best effort: they
 * live in the extension's own JavaScript context). `call.fetch` is the way out.
 */
function denyNetwork(): void {
  const refuseNow = (what: string) => () => {
    throw denied(what);
  };
  const denied = (what: string) =>
    Object.assign(
      new Error(`${what}: an extension has no network; use call.fetch (hosts in permissions.network)`),
      {
        code: 'ERR_ACCESS_DENIED',
      },
    );
  globalThis.fetch = () => Promise.reject(denied('fetch'));
  net.Socket.prototype.connect = function connect(this: net.Socket) {
    process.nextTick(() => this.destroy(denied('net.connect')));
    return this;
  } as typeof net.Socket.prototype.connect;
  // Listening lets others in: refused like connecting.
  net.Server.prototype.listen = function listen(this: net.Server) {
    throw denied('net.Server.listen');
  } as typeof net.Server.prototype.listen;
  (dgram as unknown as Record<string, unknown>).createSocket = refuseNow('dgram.createSocket');
  // UDP and name resolution (a DNS query is a way out too), and signals to other processes (in
  // reduced isolation there is no pid namespace: the host's own pid is reachable).
  for (const method of ['send', 'bind', 'connect'] as const) {
    (dgram.Socket.prototype as unknown as Record<string, unknown>)[method] = () => {
      throw denied(`dgram ${method}`);
    };
  }
  for (const name of [
    'lookup',
    'lookupService',
    'resolve',
    'resolve4',
    'resolve6',
    'resolveAny',
    'reverse',
  ] as const) {
    (dns as unknown as Record<string, unknown>)[name] = refuseNow(`dns.${name}`);
    (dns.promises as unknown as Record<string, unknown>)[name] = refuseNow(`dns.promises.${name}`);
  }
  const kill = process.kill.bind(process);
  process.kill = ((pid: number, signal?: string | number) => {
    if (pid !== process.pid) throw denied('process.kill of another process');
    return kill(pid, signal);
  }) as typeof process.kill;
  // `process.kill` calls `process._kill`, which an extension could call itself.
  const internal = process as unknown as { _kill?: (pid: number, signal: number) => number };
  const rawKill = internal._kill;
  if (typeof rawKill === 'function') {
    internal._kill = (pid, signal) => {
      if (pid !== process.pid) throw denied('process._kill of another process');
      return rawKill.call(process, pid, signal);
    };
  }
  // `import { lookup } from 'node:dns'` reads the built-in's ESM view: bring it in line.
  syncBuiltinESMExports();
}

/** Console output (and stray writes to stdout) become `log` notifications: stdout is the protocol's. */
function redirectConsole(): void {
  const send =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) =>
      peer.notify(Method.log, { level, message: formatText(...args).slice(0, LOG_CHARS) });
  console.debug = send('debug');
  console.log = send('info');
  console.info = send('info');
  console.warn = send('warn');
  console.error = send('error');
  stdout.write = ((chunk: unknown) => {
    peer.notify(Method.log, { level: 'info', message: String(chunk).slice(0, LOG_CHARS) });
    return true;
  }) as typeof stdout.write;
}
