// A replayable fuzz test of the stdio bin: 10,000 random and mutated messages, no crash, no corrupt buffer.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TextEdit, TextPosition } from '@symphony/schemas';
import * as prng from 'lib0/prng';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The built bin (tests run against what `npx tsc -b` produced, as users do). */
const engineBinPath = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** lib0's seeded generator, so any run can be replayed with its seed: `int(n)` is in [0, n). */
function rng(seed: number) {
  const gen = prng.create(seed);
  return {
    next: () => prng.real53(gen),
    int: (n: number) => prng.uint32(gen, 0, n - 1),
    pick: <T>(xs: readonly T[]): T => prng.oneOf(gen, [...xs]),
  };
}

/** The bin over raw stdio lines: send anything, and read every line it answers. */
class RawEngine {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  #waiters: (() => void)[] = [];
  stderr = '';
  /** The barrier's own answer (`buffer.lineCount` of b1), for tracking b1's revision. */
  lastBarrier: string | undefined;
  #rest = '';

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [engineBinPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => {
      const parts = (this.#rest + chunk).split('\n');
      this.#rest = parts.pop() ?? '';
      this.lines.push(...parts.filter((p) => p.length > 0));
      for (const w of this.#waiters.splice(0)) w();
    });
    this.child.stderr!.on('data', (d) => {
      this.stderr += String(d);
    });
  }

  write(data: string | Buffer): void {
    this.child.stdin!.write(data);
  }

  /** Sends a message line, then a barrier request; returns every line answered before the barrier. */
  exchange(line: string | Buffer, barrier: string): Promise<string[]> {
    this.write(line);
    this.write(
      `{"jsonrpc":"2.0","id":"${barrier}","method":"buffer.lineCount","params":{"bufferId":"b1"}}\n`,
    );
    return this.#until(barrier, false);
  }

  /** Sends one request and waits for its own answer (requests like buffer.open answer later). */
  async request(
    id: string,
    method: string,
    params: unknown,
  ): Promise<{ result?: unknown; error?: { code: number } }> {
    this.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    const answers = await this.#until(id, true);
    return JSON.parse(answers.at(-1)!);
  }

  /** Waits for the line answering `id`; returns the lines before it (and it, with `keep`). */
  async #until(id: string, keep: boolean): Promise<string[]> {
    for (;;) {
      const at = this.lines.findIndex((l) => l.includes(`"id":"${id}"`));
      if (at !== -1) {
        const before = this.lines.splice(0, at + 1);
        if (!keep) this.lastBarrier = before.pop();
        return before;
      }
      if (this.child.exitCode !== null)
        throw new Error(`engine exited (${this.child.exitCode}): ${this.stderr}`);
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }
}

/** The line as an edit request or notification, if it parses as one at all. */
function asEdit(line: string | Buffer): { id?: unknown; bufferId: string; edits: TextEdit[] } | undefined {
  try {
    // What the engine reads: the line as UTF-8, where a lone surrogate has become U+FFFD.
    const m = JSON.parse((typeof line === 'string' ? Buffer.from(line, 'utf8') : line).toString('utf8'));
    if (
      m &&
      m.method === 'buffer.edit' &&
      m.params &&
      typeof m.params.bufferId === 'string' &&
      Array.isArray(m.params.edits)
    ) {
      return { ...('id' in m ? { id: m.id } : {}), bufferId: m.params.bufferId, edits: m.params.edits };
    }
  } catch {
    // not JSON: nothing the engine could have applied
  }
  return undefined;
}

/** The engine's batch semantics, on a plain string: positions refer to the text before the batch. */
function applyBatch(text: string, edits: readonly TextEdit[]): { text: string; changed: boolean } {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const off = (p: TextPosition) => (typeof p === 'number' ? p : lineStarts[p.line]! + p.column);
  const resolved = edits.map((e, index) =>
    e.op === 'insert'
      ? { from: off(e.at), to: off(e.at), text: e.text, index }
      : { from: off(e.from), to: off(e.to), text: e.op === 'replace' ? e.text : '', index },
  );
  resolved.sort(
    (a, b) => a.from - b.from || (a.from === a.to ? 0 : 1) - (b.from === b.to ? 0 : 1) || a.index - b.index,
  );
  let out = text;
  for (const e of resolved) {
    if (e.from < e.to) out = splitPair(splitPair(out, e.from), e.to);
    else if (e.text.length > 0) out = splitPair(out, e.from);
  }
  for (let i = resolved.length - 1; i >= 0; i--) {
    const e = resolved[i]!;
    out = out.slice(0, e.from) + e.text + out.slice(e.to);
  }
  return { text: out, changed: resolved.some((e) => e.to > e.from || e.text.length > 0) };
}

/**
 * Yjs never splits a surrogate pair (yjs#248): an edit that starts or ends between its two halves
 * turns both into U+FFFD, and so does the model.
 */
function splitPair(text: string, at: number): string {
  const high = text.charCodeAt(at - 1);
  const low = text.charCodeAt(at);
  const inPair = high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
  return inPair ? `${text.slice(0, at - 1)}\ufffd\ufffd${text.slice(at + 1)}` : text;
}

const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const MESSAGES = 10_000;

describe('the stdio bin under 10,000 random and mutated messages', () => {
  let engine: RawEngine;
  beforeAll(() => {
    if (!existsSync(engineBinPath)) throw new Error(`build first (npx tsc -b): ${engineBinPath} is missing`);
    engine = new RawEngine(['--memory']);
  });
  afterAll(() => {
    engine?.child.kill();
  });

  it(`never crashes nor corrupts a buffer (seed ${SEED}; replay with FUZZ_SEED)`, {
    timeout: 120_000,
  }, async () => {
    const r = rng(SEED);
    const docs = ['fuzz-a', 'fuzz-b', 'fuzz-c'];
    const models = new Map<string, string>();
    const revisions = new Map<string, number>();
    for (const [i, documentId] of docs.entries()) {
      const opened = await engine.request(`open-${i}`, 'buffer.open', { documentId });
      const { bufferId } = opened.result as { bufferId: string };
      models.set(bufferId, '');
      revisions.set(bufferId, 0);
      await engine.request(`seed-${i}`, 'buffer.edit', {
        bufferId,
        edits: [{ op: 'insert', at: 0, text: 'line one\nline two\n\nfour\n' }],
      });
      models.set(bufferId, 'line one\nline two\n\nfour\n');
      revisions.set(bufferId, 1);
    }
    const bufferIds = [...models.keys()];
    const alphabet = ['a', 'Z', ' ', '\n', 'é', '😀', '\r\n', '"', '\\', '\u0000', '{}'];

    const position = (text: string, wild: boolean): TextPosition => {
      if (wild && r.next() < 0.1) return r.pick([-1, text.length + 1 + r.int(5), 2 ** 53, 1.5]) as number;
      if (r.next() < 0.3) {
        const lines = text.split('\n');
        const line = r.int(lines.length + (wild ? 2 : 0));
        const column = r.int((lines[line]?.length ?? 0) + (wild && r.next() < 0.2 ? 3 : 1));
        return { line, column };
      }
      return r.int(text.length + 1);
    };
    const randomText = () => {
      let s = '';
      for (let i = r.int(6); i > 0; i--) s += r.pick(alphabet);
      return s;
    };
    const randomEdit = (text: string, wild: boolean): TextEdit => {
      const kind = r.int(3);
      if (kind === 0) return { op: 'insert', at: position(text, wild), text: randomText() };
      const a = position(text, wild);
      const b = position(text, wild);
      const [from, to] = typeof a === 'number' && typeof b === 'number' && a > b && !wild ? [b, a] : [a, b];
      return kind === 1 ? { op: 'delete', from, to } : { op: 'replace', from, to, text: randomText() };
    };
    const randomJson = (): unknown =>
      r.pick([null, true, -1, 0, 1e308, 'x', '', [], {}, [1, 2], { op: 'insert' }, 'b1', 'A'.repeat(1000)]);

    type Sent = { line: string | Buffer };
    const makeMessage = (n: number): Sent => {
      const bufferId = r.pick(bufferIds);
      const model = models.get(bufferId)!;
      const choice = r.next();
      const id = n;
      if (choice < 0.35) {
        // A valid-looking edit batch (may still be out of range or overlapping).
        const edits = Array.from({ length: 1 + r.int(3) }, () => randomEdit(model, r.next() < 0.3));
        const params: Record<string, unknown> = { bufferId, edits };
        if (r.next() < 0.1) params.baseRevision = revisions.get(bufferId)! - r.int(2);
        return { line: `${JSON.stringify({ jsonrpc: '2.0', id, method: 'buffer.edit', params })}\n` };
      }
      if (choice < 0.55) {
        // A valid edit message, mutated.
        const message = {
          jsonrpc: '2.0',
          id,
          method: 'buffer.edit',
          params: { bufferId, edits: [randomEdit(model, false)] } as Record<string, unknown>,
        };
        const m = r.int(7);
        if (m === 0) {
          const text = JSON.stringify(message);
          const at = r.int(text.length);
          return {
            line: `${text.slice(0, at)}${String.fromCharCode(32 + r.int(90))}${text.slice(at + 1)}\n`,
          };
        }
        if (m === 1) return { line: `${JSON.stringify(message).slice(0, r.int(60))}\n` };
        if (m === 2) message.params[r.pick(['bufferId', 'edits', 'baseRevision', 'extra'])] = randomJson();
        if (m === 3)
          (message.params.edits as Record<string, unknown>[])[0]![
            r.pick(['op', 'at', 'from', 'to', 'text', 'x'])
          ] = randomJson();
        if (m === 4)
          (message as Record<string, unknown>)[r.pick(['jsonrpc', 'id', 'method', 'params'])] = randomJson();
        if (m === 5) delete (message as Record<string, unknown>)[r.pick(['jsonrpc', 'method', 'params'])];
        if (m === 6)
          message.method = r.pick(['buffer.edi', 'BUFFER.EDIT', '__proto__', 'constructor', 'toString', '']);
        const text = JSON.stringify(message);
        return { line: `${text}\n` };
      }
      if (choice < 0.7) {
        // Reads, finds and selections, valid or not.
        const method = r.pick([
          'buffer.read',
          'buffer.find',
          'buffer.lines',
          'buffer.setSelections',
          'buffer.selections',
          'buffer.tokens',
          'buffer.outline',
          'engine.hello',
        ]);
        const params: Record<string, unknown> = { bufferId: r.next() < 0.9 ? bufferId : 'b404' };
        if (method === 'buffer.find')
          Object.assign(params, {
            query: r.pick(['line', '(', '[a-z]+', '\\', 'e', '.*']),
            regex: r.next() < 0.5,
            wholeWord: r.next() < 0.3,
          });
        if (method === 'buffer.lines') Object.assign(params, { from: r.int(8), to: r.int(10) });
        if (method === 'buffer.read' && r.next() < 0.5)
          params.range = { from: position(model, true), to: position(model, true) };
        if (method === 'buffer.setSelections')
          params.selections = [{ anchor: position(model, true), head: position(model, true) }];
        if (method === 'engine.hello') delete params.bufferId;
        return { line: `${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n` };
      }
      if (choice < 0.8) {
        // Garbage: random bytes (invalid UTF-8 included), random JSON values, empty and odd batches.
        const g = r.int(6);
        if (g === 0)
          return {
            line: Buffer.concat([
              Buffer.from(Array.from({ length: 1 + r.int(40) }, () => r.int(256)).filter((b) => b !== 10)),
              Buffer.from('\n'),
            ]),
          };
        if (g === 1) return { line: `${JSON.stringify(randomJson())}\n` };
        if (g === 2) return { line: '[]\n' };
        if (g === 3)
          return {
            line: `[${JSON.stringify({ jsonrpc: '2.0', id, method: 'engine.hello' })},1,{"jsonrpc":"2.0","id":"x","result":1}]\n`,
          };
        if (g === 4) return { line: `${'['.repeat(5000)}${']'.repeat(5000)}\n` };
        return {
          line: `{"jsonrpc":"2.0","id":${id},"method":"buffer.read","params":{"bufferId":"b1","__proto__":{"x":1}}}\n`,
        };
      }
      if (choice < 0.9) {
        // Notifications (no answer expected), including edits sent as notifications.
        const edits = [randomEdit(model, r.next() < 0.5)];
        return {
          line: `${JSON.stringify({ jsonrpc: '2.0', method: 'buffer.edit', params: { bufferId, edits } })}\n`,
        };
      }
      // Unknown buffers, stale revisions and responses to requests never sent.
      return {
        line: `${JSON.stringify(
          r.pick([
            {
              jsonrpc: '2.0',
              id,
              method: 'buffer.edit',
              params: { bufferId: 'b999', edits: [{ op: 'insert', at: 0, text: 'x' }] },
            },
            {
              jsonrpc: '2.0',
              id,
              method: 'buffer.edit',
              params: { bufferId, baseRevision: 0, edits: [{ op: 'insert', at: 0, text: 'x' }] },
            },
            { jsonrpc: '2.0', id: 123456789, result: 'unsolicited' },
            { jsonrpc: '2.0', id: 123456789, error: { code: 1, message: 'unsolicited' } },
            { jsonrpc: '2.0', id, method: 'buffer.close', params: { bufferId: 'b999' } },
          ]),
        )}\n`,
      };
    };

    let answered = 0;
    for (let n = 0; n < MESSAGES; n++) {
      const sent = makeMessage(n);
      const answers = await engine.exchange(sent.line, `barrier-${n}`);
      answered += answers.length;
      for (const a of answers) {
        const parsed = JSON.parse(a);
        // Every answer is JSON-RPC 2.0: a result or an error with a code and a message.
        const items = Array.isArray(parsed) ? parsed : [parsed];
        for (const item of items) {
          if (item.method === 'buffer.update' || item.method === 'buffer.selections') continue;
          expect(item.jsonrpc, `seed ${SEED}, message ${n}`).toBe('2.0');
          if (item.error) {
            expect(typeof item.error.code).toBe('number');
            expect(item.error.message.length).toBeGreaterThan(5);
            expect(
              item.error.code,
              `no internal errors (seed ${SEED}, message ${n}: ${String(sent.line).slice(0, 300)})`,
            ).not.toBe(-32603);
          }
        }
      }
      // Whatever the line turned out to be, if it parses as an edit the engine took, the model takes it too.
      const edit = asEdit(sent.line);
      if (edit) {
        const took = answers.some((a) => {
          const p = JSON.parse(a);
          return edit.id !== undefined
            ? JSON.stringify(p.id) === JSON.stringify(edit.id) && 'result' in p
            : p.method === 'buffer.update' && p.params.origin === 'self';
        });
        if (took) {
          const after = applyBatch(models.get(edit.bufferId)!, edit.edits);
          models.set(edit.bufferId, after.text);
          // A batch that inserts nothing and deletes nothing is no change and no revision.
          if (after.changed) revisions.set(edit.bufferId, revisions.get(edit.bufferId)! + 1);
        }
      }
      if (process.env.FUZZ_DEBUG) {
        const rev = JSON.parse(engine.lastBarrier!).result.revision;
        if (rev !== revisions.get('b1'))
          throw new Error(
            `b1 diverged at ${n}: ${String(sent.line).slice(0, 400)} → ${answers.join('\n').slice(0, 800)}`,
          );
      }
    }
    // Two oversized messages: refused unread, with PayloadTooLarge.
    const big = await engine.exchange(
      `{"jsonrpc":"2.0","id":"big","method":"buffer.edit","params":{"text":"${'x'.repeat(9 * 1024 * 1024)}"}}\n`,
      'after-big',
    );
    expect(JSON.parse(big[0]!).error.code).toBe(-32004);

    expect(answered).toBeGreaterThan(MESSAGES / 2);
    for (const [bufferId, model] of models) {
      const read = await engine.request(`final-${bufferId}`, 'buffer.read', { bufferId });
      expect((read.result as { text: string }).text, `buffer ${bufferId} (seed ${SEED})`).toBe(model);
      expect((read.result as { revision: number }).revision).toBe(revisions.get(bufferId));
    }
    const hello = await engine.request('final-hello', 'engine.hello', {});
    expect(hello.result).toMatchObject({ name: 'symphony-editor-engine' });
    expect(engine.child.exitCode).toBeNull();
  });
});
