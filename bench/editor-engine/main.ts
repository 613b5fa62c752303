/**
 * editor-engine: the JSON-RPC editor engine (`@symphony/editor-engine`) over its real transports,
 * each case side by side with its anchor in the same run (A B A B…, see ../lib/harness.ts):
 *
 * 1. Round trip of a 1-char `buffer.edit` insert, awaited one at a time, over stdio (the
 *    `symphony-editor-engine` bin as a child process, NDJSON) and over a Worker (worker_threads,
 *    the engine's MessagePort transport), against a bare echo over the same transport; and against
 *    the absolute target p99 < 1 ms.
 * 2. Throughput of 1-char edits, 64 requests in flight, against bare `Y.Text.insert` in this process
 *    and against the design target of 1,000 ops/s (goal 100×).
 * 3. Replay of the automerge-paper editing trace, one edit per request, against the same trace
 *    applied to a bare `Y.Text`; the final text must equal the trace's `endContent`.
 * 4. Opening a 10 MB Markdown-like document (`buffer.open` + the first `buffer.lines`) and searching
 *    it (`buffer.find`, literal and regex), against loading the same update into a bare `Y.Doc` +
 *    `Y.Text.toString()`, and `toString()` + an `indexOf` / `RegExp.exec` loop.
 *
 * Ours is always the shipped client (`EditorEngineClient`, json-rpc-peer) talking to the shipped
 * engine; the engine's documents live in memory (`MemoryDocumentSource`), so no network is measured.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { MessageChannel, Worker } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import { EditorEngineClient, type EngineChannel, portChannel } from '@symphony/editor-engine';
import { spawnEngine, stdioChannel } from '@symphony/editor-engine/node';
import type { TextEdit } from '@symphony/schemas';
import * as prng from 'lib0/prng';
import * as Y from 'yjs';
import {
  alternate,
  type BenchCase,
  Direction,
  percentile,
  smoke,
  summarise,
  writeResult,
} from '../lib/harness.ts';

// ── sizes ─────────────────────────────────────────────────────────────────────────────────────────

const SIZE = smoke
  ? {
      warmup: 0,
      pairs: 1,
      latencySamples: 200,
      throughputOps: 1_000,
      tracePrefix: 5_000,
      traceWhole: 5_000,
      traceWarmupEdits: 0,
      documentBytes: 200_000,
    }
  : {
      warmup: 1,
      pairs: 7,
      latencySamples: 3_000,
      throughputOps: 50_000,
      tracePrefix: 25_000,
      traceWhole: Number.POSITIVE_INFINITY,
      traceWarmupEdits: 10_000,
      documentBytes: 10 * 1024 * 1024,
    };
/** `BENCH_PAIRS=<n>` overrides the number of pairs everywhere, for investigating (full runs use the defaults). */
if (process.env.BENCH_PAIRS) SIZE.pairs = Number(process.env.BENCH_PAIRS);
/**
 * Pairs of the trace replays on a prefix of the trace: 5, the minimum of BENCH.md. The whole trace is
 * replayed in one pair only: through the engine it takes minutes per run (see the README).
 */
const TRACE_PAIRS = process.env.BENCH_PAIRS ? SIZE.pairs : smoke ? 1 : 5;
/** Requests in flight in the pipelined cases. */
const WINDOW = 64;
/** Lines the first `buffer.lines` of a freshly opened document asks for (a screenful and more). */
const FIRST_LINES = 100;

const GOAL = {
  /** Issue 5: a small edit's round trip within 1.5× of a bare echo over the same transport… */
  echoRatio: 1.5,
  /** …and under 1 ms at p99. */
  p99Ms: 1,
  /** Issue 5: the design target is 1,000 ops/s; aim for 100× (ratio target ÷ ours ≤ 0.01). */
  designOpsPerS: 1_000,
  designFactor: 100,
  /** Our choice: a request through a transport and the engine within 10× of a bare in-process insert. */
  bareInsertRatio: 10,
  /** Issue 5: the trace in under 2× bare Yjs in total. */
  traceRatio: 2,
  /** Our choice (the issue sets none): opening and searching within 2× of the bare Yjs + String work. */
  documentRatio: 2,
} as const;

// ── watchdog ──────────────────────────────────────────────────────────────────────────────────────

/** No single step may take this long; past it the run is broken, not slow, and must fail CI. */
const STEP_TIMEOUT_MS = 180_000;
let phase = { what: 'starting', since: Date.now(), limit: STEP_TIMEOUT_MS };
function enter(what: string, limit = STEP_TIMEOUT_MS): void {
  phase = { what, since: Date.now(), limit };
}
setInterval(() => {
  if (Date.now() - phase.since > phase.limit) {
    console.error(`editor-engine: stuck for over ${phase.limit} ms while ${phase.what}`);
    process.exit(1);
  }
}, 1000).unref();

// ── transports ────────────────────────────────────────────────────────────────────────────────────

const Transport = { stdio: 'stdio', worker: 'Worker' } as const;
type Transport = (typeof Transport)[keyof typeof Transport];

/** The engine behind one transport, with a client of it. */
interface EngineEnd {
  client: EditorEngineClient;
  /** Applies a Yjs update to a document of the engine's source, off the clock (Worker only). */
  seed?(documentId: string, update: Uint8Array): Promise<void>;
  stop(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

function startStdioEngine(): EngineEnd {
  const { client, child } = spawnEngine(['--memory']);
  return {
    client,
    async stop() {
      client.close();
      await exited(child);
    },
  };
}

function startWorkerEngine(): EngineEnd {
  const control = new MessageChannel();
  const worker = new Worker(new URL('./engine-worker.mjs', import.meta.url), {
    workerData: { control: control.port2 },
    transferList: [control.port2],
  });
  worker.on('error', (error) => {
    console.error('editor-engine: the engine worker failed', error);
    process.exit(1);
  });
  const client = new EditorEngineClient(portChannel(worker));
  let nextSeed = 1;
  const seeded = new Map<number, () => void>();
  control.port1.on('message', (message: { type: string; id: number }) => {
    if (message.type === 'seeded') seeded.get(message.id)?.();
  });
  return {
    client,
    seed(documentId, update) {
      const id = nextSeed++;
      return new Promise<void>((resolve) => {
        seeded.set(id, resolve);
        control.port1.postMessage({ type: 'seed', id, documentId, update });
      });
    },
    async stop() {
      client.close();
      control.port1.close();
    },
  };
}

/**
 * A bare echo over a transport, driven as a client would drive the engine: each request is the
 * JSON text of the same `buffer.edit`, and each echoed line is parsed. Answers come back in order.
 */
interface EchoEnd {
  request(message: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

function echoOver(channel: EngineChannel, stop: () => Promise<void>): EchoEnd {
  const waiting: ((value: unknown) => void)[] = [];
  let head = 0;
  channel.onMessage((text) => {
    const resolve = waiting[head];
    waiting[head++] = undefined as never;
    if (head > 4096 && head === waiting.length) {
      waiting.length = 0;
      head = 0;
    }
    resolve?.(JSON.parse(text));
  });
  return {
    request(message) {
      return new Promise((resolve) => {
        waiting.push(resolve);
        channel.send(JSON.stringify(message));
      });
    },
    stop,
  };
}

function startStdioEcho(): EchoEnd {
  const child = spawn(process.execPath, [new URL('./echo-child.mjs', import.meta.url).pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const channel = stdioChannel(child);
  return echoOver(channel, async () => {
    channel.close();
    await exited(child);
  });
}

function startWorkerEcho(): EchoEnd {
  const worker = new Worker(new URL('./echo-worker.mjs', import.meta.url));
  const channel = portChannel(worker);
  return echoOver(channel, async () => {
    await worker.terminate();
  });
}

const startEngine = (t: Transport) => (t === Transport.stdio ? startStdioEngine() : startWorkerEngine());
const startEcho = (t: Transport) => (t === Transport.stdio ? startStdioEcho() : startWorkerEcho());

let documentNumber = 0;
/**
 * Opens a fresh empty document on the engine; returns its buffer id. Writers open with
 * `updates: 'others'` (not told about their own edits, as a script replaying edits would);
 * `'all'` is a view that is also sent a `buffer.update` for each of its own edits.
 */
async function openFresh(end: EngineEnd, what: string, updates: Updates = 'others'): Promise<string> {
  const opened = await end.client.request('buffer.open', {
    documentId: `bench-${what}-${documentNumber++}`,
    updates,
  });
  return opened.bufferId;
}

type Updates = 'all' | 'others';

// ── helpers ───────────────────────────────────────────────────────────────────────────────────────

/** Runs `op(0…n-1)` with `window` calls in flight (each lane starts the next as one finishes). */
async function pipelined(n: number, window: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const began = performance.now();
  const lane = async () => {
    while (next < n) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, n) }, lane));
  return performance.now() - began;
}

interface Latency {
  p50: number;
  p99: number;
  samples: number;
}

function latencyOf(samples: number[]): Latency {
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), samples: samples.length };
}

const cases: BenchCase[] = [];
const notes: string[] = [];

function fmt(value: number, unit: string): string {
  return `${value < 10 ? value.toFixed(3) : value < 1000 ? value.toFixed(1) : Math.round(value)} ${unit}`;
}

// ── 1. round-trip latency ─────────────────────────────────────────────────────────────────────────

async function roundTrips(transport: Transport, updates: Updates): Promise<void> {
  const label = `${transport} round trip, 1-char insert${updates === 'all' ? ', own buffer.update sent too' : ''}`;
  console.log(
    `editor-engine: ${label}, ${SIZE.warmup} warm-up + ${SIZE.pairs} pairs × ${SIZE.latencySamples}`,
  );
  enter(`starting the ${transport} engine and echo`);
  const engine = startEngine(transport);
  const echo = startEcho(transport);
  const bufferId = await openFresh(engine, 'latency', updates);
  let length = 0;
  let echoId = 0;
  const runs = await alternate<Latency>({
    warmup: SIZE.warmup,
    pairs: SIZE.pairs,
    ours: async () => {
      enter(`${label}: ours`);
      const samples: number[] = [];
      for (let i = 0; i < SIZE.latencySamples; i++) {
        const began = performance.now();
        await engine.client.request('buffer.edit', {
          bufferId,
          edits: [{ op: 'insert', at: length, text: 'x' }],
        });
        samples.push(performance.now() - began);
        length++;
      }
      return latencyOf(samples);
    },
    anchor: async () => {
      enter(`${label}: echo`);
      const samples: number[] = [];
      for (let i = 0; i < SIZE.latencySamples; i++) {
        const began = performance.now();
        await echo.request({
          jsonrpc: '2.0',
          id: ++echoId,
          method: 'buffer.edit',
          params: { bufferId, edits: [{ op: 'insert', at: length + i, text: 'x' }] },
        });
        samples.push(performance.now() - began);
      }
      return latencyOf(samples);
    },
    onPair: (i, ours, anchor) =>
      console.log(
        `  pair ${i + 1}: ours p50 ${fmt(ours!.p50, 'ms')} p99 ${fmt(ours!.p99, 'ms')} | echo p50 ${fmt(anchor.p50, 'ms')} p99 ${fmt(anchor.p99, 'ms')}`,
      ),
  });
  enter(`stopping the ${transport} engine and echo`);
  await engine.stop();
  await echo.stop();
  const anchorName = `bare echo over ${transport === Transport.stdio ? 'stdio (child process, NDJSON lines)' : 'a Worker (postMessage back)'}`;
  const samples = SIZE.latencySamples;
  for (const key of ['p50', 'p99'] as const) {
    cases.push(
      summarise(
        {
          case: label,
          metric: `${key}_ms`,
          direction: Direction.cost,
          anchor_name: anchorName,
          goal_ratio: GOAL.echoRatio,
          samples,
        },
        runs.ours.map((r) => r[key]),
        runs.anchor.map((r) => r[key]),
      ),
    );
  }
  cases.push(
    summarise(
      {
        case: label,
        metric: 'p99_ms',
        direction: Direction.cost,
        anchor_name: `design target p99 < ${GOAL.p99Ms} ms (no anchor)`,
        goal_ratio: 1,
        samples,
      },
      runs.ours.map((r) => r.p99),
      runs.ours.map(() => GOAL.p99Ms),
    ),
  );
}

// ── 2. throughput ─────────────────────────────────────────────────────────────────────────────────

async function throughput(transport: Transport): Promise<void> {
  const label = `${transport} throughput, 1-char inserts, ${WINDOW} in flight`;
  const n = SIZE.throughputOps;
  console.log(`editor-engine: ${label}, ${SIZE.warmup} warm-up + ${SIZE.pairs} pairs × ${n} ops`);
  enter(`starting the ${transport} engine`);
  const engine = startEngine(transport);
  const runs = await alternate<number>({
    warmup: SIZE.warmup,
    pairs: SIZE.pairs,
    ours: async () => {
      const bufferId = await openFresh(engine, 'throughput');
      enter(`${label}: ours`);
      // Requests are handled in order, so the i-th insert lands at offset i: typing at the end.
      const ms = await pipelined(n, WINDOW, (i) =>
        engine.client.request('buffer.edit', { bufferId, edits: [{ op: 'insert', at: i, text: 'x' }] }),
      );
      await engine.client.request('buffer.close', { bufferId });
      return n / (ms / 1000);
    },
    anchor: async () => {
      enter(`${label}: bare Y.Text.insert`);
      const doc = new Y.Doc();
      const text = doc.getText('content');
      const began = performance.now();
      for (let i = 0; i < n; i++) text.insert(i, 'x');
      const ms = performance.now() - began;
      if (text.length !== n) throw new Error(`bare Y.Text holds ${text.length} characters, not ${n}`);
      doc.destroy();
      return n / (ms / 1000);
    },
    onPair: (i, ours, anchor) =>
      console.log(
        `  pair ${i + 1}: ours ${fmt(ours!, 'ops/s')} | bare Y.Text.insert ${fmt(anchor, 'ops/s')}`,
      ),
  });
  enter(`stopping the ${transport} engine`);
  await engine.stop();
  cases.push(
    summarise(
      {
        case: label,
        metric: 'ops_per_s',
        direction: Direction.rate,
        anchor_name: 'bare Y.Text.insert in this process, one transaction per character',
        goal_ratio: GOAL.bareInsertRatio,
        samples: n,
      },
      runs.ours,
      runs.anchor,
    ),
    summarise(
      {
        case: label,
        metric: 'ops_per_s',
        direction: Direction.rate,
        anchor_name: `design target ${GOAL.designOpsPerS.toLocaleString('en')} ops/s (no anchor); goal ${GOAL.designFactor}× it`,
        goal_ratio: 1 / GOAL.designFactor,
        samples: n,
      },
      runs.ours,
      runs.ours.map(() => GOAL.designOpsPerS),
    ),
  );
}

// ── 3. editing trace ──────────────────────────────────────────────────────────────────────────────

interface Trace {
  startContent: string;
  endContent: string;
  txns: { patches: [number, number, string][] }[];
}

const tracePath = new URL('../data/automerge-paper.json.gz', import.meta.url);
const trace = JSON.parse(gunzipSync(readFileSync(tracePath)).toString('utf8')) as Trace;
const allPatches = trace.txns.flatMap((txn) => txn.patches);
if (trace.startContent !== '') throw new Error('automerge-paper: expected an empty startContent');

/** The first `count` edits of the trace as engine edits, and the text they lead to. */
function traceUpTo(count: number): { edits: TextEdit[]; patches: [number, number, string][]; end: string } {
  const patches = allPatches.slice(0, Math.min(count, allPatches.length));
  const edits = patches.map(([at, deleted, inserted]): TextEdit => {
    if (deleted === 0) return { op: 'insert', at, text: inserted };
    if (inserted === '') return { op: 'delete', from: at, to: at + deleted };
    return { op: 'replace', from: at, to: at + deleted, text: inserted };
  });
  let end = trace.endContent;
  if (patches.length < allPatches.length) {
    // Replay the prefix on a plain string to know what it must end as.
    end = trace.startContent;
    for (const [at, deleted, inserted] of patches)
      end = end.slice(0, at) + inserted + end.slice(at + deleted);
  }
  return { edits, patches, end };
}

interface Replay {
  totalMs: number;
  p50: number;
  p99: number;
}

async function replayThroughEngine(
  engine: EngineEnd,
  part: ReturnType<typeof traceUpTo>,
  mode: 'awaited' | 'pipelined',
): Promise<Replay> {
  const bufferId = await openFresh(engine, 'trace');
  const samples = new Float64Array(part.edits.length);
  let totalMs: number;
  if (mode === 'awaited') {
    const began = performance.now();
    for (let i = 0; i < part.edits.length; i++) {
      const t = performance.now();
      await engine.client.request('buffer.edit', { bufferId, edits: [part.edits[i]!] });
      samples[i] = performance.now() - t;
    }
    totalMs = performance.now() - began;
  } else {
    totalMs = await pipelined(part.edits.length, WINDOW, async (i) => {
      const t = performance.now();
      await engine.client.request('buffer.edit', { bufferId, edits: [part.edits[i]!] });
      samples[i] = performance.now() - t;
    });
  }
  const { text } = await engine.client.request('buffer.read', { bufferId });
  await engine.client.request('buffer.close', { bufferId });
  checkText('the engine', text, part.end);
  const list = Array.from(samples);
  return { totalMs, p50: percentile(list, 50), p99: percentile(list, 99) };
}

function replayBare(part: ReturnType<typeof traceUpTo>): Replay {
  const doc = new Y.Doc();
  const text = doc.getText('content');
  const samples = new Float64Array(part.patches.length);
  const began = performance.now();
  for (let i = 0; i < part.patches.length; i++) {
    const [at, deleted, inserted] = part.patches[i]!;
    const t = performance.now();
    if (deleted > 0 && inserted !== '') {
      doc.transact(() => {
        text.delete(at, deleted);
        text.insert(at, inserted);
      });
    } else if (deleted > 0) text.delete(at, deleted);
    else text.insert(at, inserted);
    samples[i] = performance.now() - t;
  }
  const totalMs = performance.now() - began;
  checkText('bare Y.Text', text.toString(), part.end);
  doc.destroy();
  const list = Array.from(samples);
  return { totalMs, p50: percentile(list, 50), p99: percentile(list, 99) };
}

function checkText(who: string, actual: string, expected: string): void {
  if (actual === expected) return;
  let at = 0;
  while (at < actual.length && actual[at] === expected[at]) at++;
  console.error(
    `editor-engine: TRACE REPLAY IS WRONG: ${who} ended with ${actual.length} characters, the trace with ${expected.length}; first difference at ${at}: ${JSON.stringify(actual.slice(at, at + 40))} vs ${JSON.stringify(expected.slice(at, at + 40))}`,
  );
  process.exit(1);
}

async function traceReplay(
  transport: Transport,
  mode: 'awaited' | 'pipelined',
  edits: number,
  pairs: number,
): Promise<void> {
  const part = traceUpTo(edits);
  const warm = traceUpTo(SIZE.traceWarmupEdits);
  const whole = part.edits.length === allPatches.length;
  const how = mode === 'awaited' ? '1 request at a time' : `${WINDOW} in flight`;
  const count = part.edits.length.toLocaleString('en');
  const label = `${transport} automerge-paper replay (${whole ? `whole trace, ${count}` : `first ${count}`} edits), 1 edit per request, ${how}`;
  console.log(`editor-engine: ${label}, ${pairs} pairs`);
  enter(`starting the ${transport} engine`);
  const engine = startEngine(transport);
  if (warm.edits.length > 0) {
    // Warm-up on a prefix of the trace: a whole extra replay would cost more than a pair.
    enter(`${label}: warm-up`);
    await replayThroughEngine(engine, warm, mode);
    replayBare(warm);
  }
  const runs = await alternate<Replay>({
    warmup: 0,
    pairs,
    ours: () => {
      enter(`${label}: ours`, whole ? 900_000 : STEP_TIMEOUT_MS);
      return replayThroughEngine(engine, part, mode);
    },
    anchor: async () => {
      enter(`${label}: bare Y.Text`);
      return replayBare(part);
    },
    onPair: (i, ours, anchor) =>
      console.log(
        `  pair ${i + 1}: ours ${fmt(ours!.totalMs, 'ms')} (p50 ${fmt(ours!.p50, 'ms')}, p99 ${fmt(ours!.p99, 'ms')}) | bare Y.Text ${fmt(anchor.totalMs, 'ms')} (p50 ${fmt(anchor.p50, 'ms')}, p99 ${fmt(anchor.p99, 'ms')})`,
      ),
  });
  enter(`stopping the ${transport} engine`);
  await engine.stop();
  const samples = part.edits.length;
  const bare = 'the same edits on a bare Y.Text in this process, one transaction per edit';
  cases.push(
    summarise(
      {
        case: label,
        metric: 'total_ms',
        direction: Direction.cost,
        anchor_name: bare,
        goal_ratio: GOAL.traceRatio,
        samples,
      },
      runs.ours.map((r) => r.totalMs),
      runs.anchor.map((r) => r.totalMs),
    ),
  );
  if (mode === 'awaited') {
    cases.push(
      summarise(
        {
          case: label,
          metric: 'p99_ms',
          direction: Direction.cost,
          anchor_name: `design target p99 < ${GOAL.p99Ms} ms per edit (no anchor)`,
          goal_ratio: 1,
          samples,
        },
        runs.ours.map((r) => r.p99),
        runs.ours.map(() => GOAL.p99Ms),
      ),
    );
  }
  notes.push(
    `${label}: per-edit p50/p99 ours ${fmt(median(runs.ours.map((r) => r.p50)), 'ms')} / ${fmt(median(runs.ours.map((r) => r.p99)), 'ms')}, bare Y.Text ${fmt(median(runs.anchor.map((r) => r.p50)), 'ms')} / ${fmt(median(runs.anchor.map((r) => r.p99)), 'ms')} (medians over pairs; pipelined latencies include queueing).`,
  );
}

/** The last commit that touched editor-engine/ (its dist is what runs), or "unknown" outside git. */
function engineCommit(): string {
  try {
    return execFileSync('git', ['log', '-1', '--format=%h %cI', '--', 'editor-engine'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown';
  }
}

function median(values: number[]): number {
  return percentile(values, 50);
}

// ── 4. a 10 MB document ───────────────────────────────────────────────────────────────────────────

/** lib0's seeded generator, as floats in [0, 1), so every run builds the same document. */
function random(seed: number): () => number {
  const gen = prng.create(seed);
  return () => prng.real53(gen);
}

const WORDS = (
  'the a of and to in is that for it as with was on be by this are or from at an which not have ' +
  'document engine buffer edit text line workflow step summary format replace search collaborative ' +
  'update revision caller transport worker process request response notification schema server client ' +
  'offset range position selection cursor undo redo history merge change version stream message queue ' +
  'latency throughput benchmark anchor ratio target figure sample median percentile machine node thread'
).split(' ');

/**
 * Markdown-like text of about `bytes` characters (ASCII): headings, wrapped paragraphs with links and
 * inline code, bullet lists and fenced code blocks; "Symphony" about once every 400 words. Returned
 * as paragraphs, so the document can be built the way an editor would append them.
 */
function markdown(bytes: number): string[] {
  const rand = random(5);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
  const word = () => {
    const r = rand();
    if (r < 0.0025) return 'Symphony';
    if (r < 0.006) return `[${pick(WORDS)} ${pick(WORDS)}](https://example.com/${pick(WORDS)})`;
    if (r < 0.01) return `\`${pick(WORDS)}()\``;
    return pick(WORDS);
  };
  const wrap = (count: number, prefix = '') => {
    let out = '';
    let line = prefix;
    for (let i = 0; i < count; i++) {
      const w = word();
      if (line.length + w.length + 1 > 80) {
        out += `${line}\n`;
        line = prefix.replace(/\S/g, ' ');
      }
      line += line.trim().length === 0 ? w : ` ${w}`;
    }
    return `${out}${line}\n`;
  };
  const blocks: string[] = [];
  let size = 0;
  let section = 0;
  while (size < bytes) {
    const r = rand();
    let block: string;
    if (r < 0.08)
      block = `${'#'.repeat(1 + Math.floor(rand() * 3))} Section ${++section}: ${pick(WORDS)}\n\n`;
    else if (r < 0.2) {
      block = '';
      for (let i = 0, n = 2 + Math.floor(rand() * 5); i < n; i++)
        block += wrap(5 + Math.floor(rand() * 20), '- ');
      block += '\n';
    } else if (r < 0.25) {
      block = '```ts\n';
      for (let i = 0, n = 3 + Math.floor(rand() * 10); i < n; i++) {
        block += `const ${pick(WORDS)}${i} = ${pick(WORDS)}(${pick(WORDS)}, ${Math.floor(rand() * 1000)});\n`;
      }
      block += '```\n\n';
    } else block = `${wrap(20 + Math.floor(rand() * 120))}\n`;
    blocks.push(block);
    size += block.length;
  }
  return blocks;
}

const LITERAL = 'Symphony';
const REGEX = String.raw`\[[^\]\n]+\]\([^)\n]+\)`;

async function largeDocument(): Promise<void> {
  enter('building the large document');
  const blocks = markdown(SIZE.documentBytes);
  const source = new Y.Doc();
  const sourceText = source.getText('content');
  for (const block of blocks) sourceText.insert(sourceText.length, block);
  const update = Y.encodeStateAsUpdate(source);
  const text = sourceText.toString();
  source.destroy();
  const mb = (text.length / 2 ** 20).toFixed(1);
  const lineCount = text.split('\n').length;
  const label = `${mb} MB Markdown document (${lineCount.toLocaleString('en')} lines)`;
  console.log(`editor-engine: ${label} over a Worker, ${SIZE.warmup} warm-up + ${SIZE.pairs} pairs`);

  // The anchor's finds, computed once to check that ours finds the same.
  const literalCount = findLiteral(text).length / 2;
  const regexCount = findRegex(text).length / 2;

  // The anchor's copy of the document, loaded off the clock as the engine's source holds its own.
  const anchorDoc = new Y.Doc();
  Y.applyUpdate(anchorDoc, update);
  const ytext = anchorDoc.getText('content');

  enter('starting the Worker engine');
  const engine = startWorkerEngine();
  const documentId = 'bench-large';
  await engine.seed!(documentId, update);

  interface Figures {
    open: number;
    literal: number;
    regex: number;
  }
  const runs = await alternate<Figures>({
    warmup: SIZE.warmup,
    pairs: SIZE.pairs,
    ours: async () => {
      enter(`${label}: ours`);
      let t = performance.now();
      const opened = await engine.client.request('buffer.open', { documentId });
      const first = await engine.client.request('buffer.lines', {
        bufferId: opened.bufferId,
        from: 0,
        to: FIRST_LINES,
      });
      const open = performance.now() - t;
      if (opened.length !== text.length || first.lines.length !== Math.min(FIRST_LINES, lineCount)) {
        throw new Error(`buffer.open saw ${opened.length} characters, ${first.lines.length} first lines`);
      }
      t = performance.now();
      const literal = await engine.client.request('buffer.find', {
        bufferId: opened.bufferId,
        query: LITERAL,
        caseSensitive: true,
        limit: 100_000,
      });
      const literalMs = performance.now() - t;
      t = performance.now();
      const regex = await engine.client.request('buffer.find', {
        bufferId: opened.bufferId,
        query: REGEX,
        regex: true,
        caseSensitive: true,
        limit: 100_000,
      });
      const regexMs = performance.now() - t;
      if (literal.matches.length !== literalCount || regex.matches.length !== regexCount) {
        throw new Error(
          `buffer.find found ${literal.matches.length} / ${regex.matches.length}, the anchor ${literalCount} / ${regexCount}`,
        );
      }
      await engine.client.request('buffer.close', { bufferId: opened.bufferId });
      return { open, literal: literalMs, regex: regexMs };
    },
    anchor: async () => {
      enter(`${label}: bare Y.Doc`);
      let t = performance.now();
      const loaded = ytext.toString();
      // What buffer.open answers (length, line count) and the first screen of lines.
      if (countLines(loaded) !== lineCount) throw new Error('the anchor counted a different number of lines');
      firstLines(loaded, FIRST_LINES);
      const open = performance.now() - t;
      t = performance.now();
      const literal = findLiteral(ytext.toString());
      const literalMs = performance.now() - t;
      t = performance.now();
      const regex = findRegex(ytext.toString());
      const regexMs = performance.now() - t;
      if (literal.length / 2 !== literalCount || regex.length / 2 !== regexCount) {
        throw new Error('the anchor found a different number of matches');
      }
      return { open, literal: literalMs, regex: regexMs };
    },
    onPair: (i, ours, anchor) =>
      console.log(
        `  pair ${i + 1}: ours open ${fmt(ours!.open, 'ms')}, find ${fmt(ours!.literal, 'ms')} / ${fmt(ours!.regex, 'ms')} | anchor open ${fmt(anchor.open, 'ms')}, find ${fmt(anchor.literal, 'ms')} / ${fmt(anchor.regex, 'ms')}`,
      ),
  });
  enter('stopping the Worker engine');
  await engine.stop();
  const rows: [keyof Figures, string, string][] = [
    [
      'open',
      `open a ${label}: buffer.open + first ${FIRST_LINES} lines`,
      `Y.Text.toString() of the same document held in a bare Y.Doc + counting its lines (indexOf loop) + its first ${FIRST_LINES} lines, in this process`,
    ],
    [
      'literal',
      `find "${LITERAL}" in the ${label} (${literalCount.toLocaleString('en')} matches)`,
      'Y.Text.toString() + a String.prototype.indexOf loop, in this process',
    ],
    [
      'regex',
      `find regex /${REGEX}/ (Markdown links) in the ${label} (${regexCount.toLocaleString('en')} matches)`,
      'Y.Text.toString() + a RegExp.exec loop (flags gm), in this process',
    ],
  ];
  for (const [key, name, anchorName] of rows) {
    cases.push(
      summarise(
        {
          case: name,
          metric: 'ms',
          direction: Direction.cost,
          anchor_name: anchorName,
          goal_ratio: GOAL.documentRatio,
          samples: 1,
        },
        runs.ours.map((r) => r[key]),
        runs.anchor.map((r) => r[key]),
      ),
    );
  }
}

function countLines(text: string): number {
  let lines = 1;
  for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', nl + 1)) lines++;
  return lines;
}

function firstLines(text: string, count: number): string[] {
  const lines: string[] = [];
  let start = 0;
  while (lines.length < count) {
    const nl = text.indexOf('\n', start);
    lines.push(text.slice(start, nl === -1 ? text.length : nl));
    if (nl === -1) break;
    start = nl + 1;
  }
  return lines;
}

/** Offsets of every match, as [from, to, from, to, …]. */
function findLiteral(text: string): number[] {
  const out: number[] = [];
  for (let at = text.indexOf(LITERAL); at !== -1; at = text.indexOf(LITERAL, at + LITERAL.length)) {
    out.push(at, at + LITERAL.length);
  }
  return out;
}

function findRegex(text: string): number[] {
  const out: number[] = [];
  const re = new RegExp(REGEX, 'gm');
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m.index, m.index + m[0].length);
  return out;
}

// ── run ───────────────────────────────────────────────────────────────────────────────────────────

const loadAtStart = loadavg()[0]!;
/** Taken before the run: the engine's dist is loaded by each case as it starts. */
const engineAtStart = engineCommit();
const only = process.env.BENCH_CASES?.split(',');
const want = (name: string) => !only || only.includes(name);

if (want('latency')) {
  await roundTrips(Transport.stdio, 'others');
  await roundTrips(Transport.worker, 'others');
  await roundTrips(Transport.stdio, 'all');
  await roundTrips(Transport.worker, 'all');
}
if (want('throughput')) {
  await throughput(Transport.stdio);
  await throughput(Transport.worker);
}
if (want('trace')) {
  await traceReplay(Transport.worker, 'awaited', SIZE.tracePrefix, TRACE_PAIRS);
  await traceReplay(Transport.worker, 'pipelined', SIZE.tracePrefix, TRACE_PAIRS);
  await traceReplay(Transport.stdio, 'awaited', SIZE.tracePrefix, TRACE_PAIRS);
  await traceReplay(Transport.stdio, 'pipelined', SIZE.tracePrefix, TRACE_PAIRS);
}
if (want('trace-whole')) {
  await traceReplay(Transport.worker, 'awaited', SIZE.traceWhole, 1);
  await traceReplay(Transport.worker, 'pipelined', SIZE.traceWhole, 1);
}
if (want('document')) await largeDocument();

const path = writeResult({
  name: 'editor-engine',
  cases,
  notes: [
    "Ours: the shipped EditorEngineClient (json-rpc-peer) → transport → the shipped engine with MemoryDocumentSource. Buffers are opened with updates: 'others' (the writer is not sent its own edits back) except in the cases marked 'own buffer.update sent too' (updates: 'all', what a view uses), where each edit's notification also crosses the transport and is parsed by the client.",
    'Both transports coalesce, on the client and on the engine: the first message of a turn is sent at once, the rest of a burst together (one write / one postMessage of an array) every 16 messages and when the turn ends.',
    'stdio: the built symphony-editor-engine bin (--memory) as a child process; Worker: worker_threads with serveOnPort / portChannel.',
    'Echo anchors receive the JSON text of the same buffer.edit request and the client parses the echoed line.',
    `Engine: editor-engine/dist as built from commit ${engineAtStart} (the last commit touching editor-engine/ when the run began); load average ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end (${cpus().length} CPUs).`,
    ...notes,
  ],
});
console.table(
  cases.map((c) => ({
    case: c.case.length > 70 ? `${c.case.slice(0, 67)}…` : c.case,
    metric: c.metric,
    ours: c.ours,
    anchor: c.anchor,
    ratio: c.ratio,
    goal: c.goal_ratio,
  })),
);
console.log(`editor-engine: wrote ${path}`);
process.exit(0);
