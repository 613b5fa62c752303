// Tests of the pre-parser of Automerge chunks: what Automerge writes is read, chunks back to back split,
// inflation bombs stopped at the frame's budget, and malformed chunks refused with their reason.
import { next as A } from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import {
  compressChange,
  compressedChangeBomb,
  concat,
  deflatedZeros,
  documentBomb,
  header,
} from '../testing/crafted-chunks.js';
import {
  ChunkRejectedError,
  ChunkType,
  encodeChunk,
  InflationBudget,
  readChunks,
} from './automerge-chunk.js';

const MiB = 1024 * 1024;

/** A document whose columns Automerge deflates (they are longer than its 256-byte threshold). */
function bigDocument(): A.Doc<{ items: string[] }> {
  let doc = A.from<{ items: string[] }>({ items: [] });
  for (let i = 0; i < 200; i++)
    doc = A.change(doc, (d) => {
      d.items.push(`item ${i} `.repeat(20));
    });
  return doc;
}

function refusal(run: () => unknown): ChunkRejectedError {
  try {
    run();
  } catch (error) {
    if (error instanceof ChunkRejectedError) return error;
    throw error;
  }
  throw new Error('expected a ChunkRejectedError');
}

async function refusalOf(promise: Promise<unknown>): Promise<ChunkRejectedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (error instanceof ChunkRejectedError) return error;
  throw new Error(`expected a ChunkRejectedError, got ${String(error)}`);
}

/** What `bytes`' deflated parts inflate to, within `maxBytes`. */
const inflatedSize = (bytes: Uint8Array, maxBytes = 64 * MiB) =>
  new InflationBudget(maxBytes).measure(readChunks(bytes).flatMap((c) => c.deflated));

describe('readChunks', () => {
  it('reads what Automerge writes: documents (with deflated columns), changes, compressed changes', async () => {
    const doc = bigDocument();
    const saved = A.save(doc);
    const [whole] = readChunks(saved);
    expect(whole!.type).toBe(ChunkType.document);
    expect(whole!.bytes).toEqual(saved);
    expect(whole!.deflated.length).toBeGreaterThan(0);
    expect(await inflatedSize(saved)).toBeGreaterThan(saved.byteLength);

    expect(readChunks(A.save(A.init()))).toEqual([
      expect.objectContaining({ type: ChunkType.document, deflated: [] }),
    ]);

    const change = A.getLastLocalChange(doc)!;
    expect(readChunks(change)).toEqual([
      {
        type: ChunkType.change,
        bytes: change,
        deflated: [],
        rows: A.decodeChange(change).ops.length,
        rowsLater: [],
      },
    ]);

    const compressed = compressChange(change);
    expect(A.decodeChange(compressed).hash).toBe(A.decodeChange(change).hash);
    expect(readChunks(compressed)[0]!.type).toBe(ChunkType.compressedChange);
    expect(await inflatedSize(compressed)).toBe(change.byteLength - header(change).bodyStart);
  });

  it('reads several chunks back to back, each on its own', () => {
    const changes = A.getAllChanges(bigDocument()).slice(0, 3);
    const chunks = readChunks(concat(...changes));
    expect(chunks.map((c) => c.bytes)).toEqual(changes);
    for (const chunk of chunks) expect(A.decodeChange(chunk.bytes).seq).toBeGreaterThan(0);
  });

  it('refuses a document column that inflates past the budget, having inflated little more than it', async () => {
    const bomb = documentBomb(256 * MiB);
    expect(bomb.byteLength).toBeLessThan(300 * 1024);
    const started = performance.now();
    const error = await refusalOf(inflatedSize(bomb, 8 * MiB));
    expect(error.kind).toBe('over-budget');
    expect(error.reason).toMatch(/inflates past the frame's budget of 8388608 bytes/);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('counts one budget across the chunks of a frame', async () => {
    const [chunk] = readChunks(documentBomb(6 * MiB));
    const inflation = new InflationBudget(10 * MiB);
    expect(await inflation.measure(chunk!.deflated)).toBe(6 * MiB);
    expect(inflation.remaining).toBe(4 * MiB);
    expect((await refusalOf(inflation.measure(chunk!.deflated))).kind).toBe('over-budget');
  });

  it('inflates small parts at once, with the same budget', () => {
    const [chunk] = readChunks(documentBomb(4 * MiB));
    expect(InflationBudget.fitsNow(chunk!.deflated)).toBe(true);
    const inflation = new InflationBudget(6 * MiB);
    expect(inflation.measureNow(chunk!.deflated)).toBe(4 * MiB);
    expect(refusal(() => inflation.measureNow(chunk!.deflated)).kind).toBe('over-budget');
    expect(InflationBudget.fitsNow(readChunks(documentBomb(64 * MiB))[0]!.deflated)).toBe(false);
  });

  it('refuses a compressed change that inflates past the budget', async () => {
    const error = await refusalOf(inflatedSize(compressedChangeBomb(64 * MiB), MiB));
    expect(error.kind).toBe('over-budget');
  });

  it('refuses a deflated part that does not inflate', async () => {
    for (const bytes of [
      encodeChunk(0, concat(Uint8Array.of(0, 0, 1, 0x09, 3, 0), Uint8Array.of(1, 2, 3))),
      encodeChunk(2, Uint8Array.of(1, 2, 3)),
    ]) {
      const error = await refusalOf(inflatedSize(bytes));
      expect(error.kind).toBe('malformed');
      expect(error.reason).toMatch(/a deflated part does not inflate/);
      const now = refusal(() => new InflationBudget(MiB).measureNow(readChunks(bytes)[0]!.deflated));
      expect(now.reason).toMatch(/a deflated part does not inflate/);
    }
  });

  it('refuses what does not parse, with the reason', () => {
    const change = A.getLastLocalChange(bigDocument())!;
    const wrongChecksum = change.slice();
    wrongChecksum[4]! ^= 0xff;
    const bodyEdited = change.slice();
    bodyEdited[bodyEdited.length - 1]! ^= 0xff;
    const cases: [Uint8Array, RegExp][] = [
      [new Uint8Array(0), /empty chunk/],
      [Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), /no chunk magic bytes/],
      [change.subarray(0, change.length - 1), /only \d+ follow/],
      [concat(change, Uint8Array.of(0x85)), /unexpected end of chunk/],
      [wrongChecksum, /wrong checksum/],
      [bodyEdited, /wrong checksum/],
      [encodeChunk(3, new Uint8Array(4)), /type 3; only documents, changes and compressed changes/],
      [encodeChunk(0, Uint8Array.of(5)), /declares 5 actors but only 0 bytes follow/],
      [encodeChunk(0, Uint8Array.of(0, 1)), /declares 1 heads but only 0 bytes follow/],
      [encodeChunk(0, concat(Uint8Array.of(0, 0, 1, 0x09, 100, 0))), /unexpected end of chunk/],
      [encodeChunk(0, concat(Uint8Array.of(0, 0, 0, 0), Uint8Array.of(9, 9))), /2 bytes after the document/],
    ];
    for (const [bytes, reason] of cases) {
      const error = refusal(() => readChunks(bytes));
      expect(error.kind, String(reason)).toBe('malformed');
      expect(error.reason).toMatch(reason);
    }
  });

  it('refuses a change chunk holding a deflated column, as Automerge does', () => {
    // deps 0, actor (1 byte), seq 1, start op 1, time 0, message "", other actors 0, one deflated column.
    const column = deflatedZeros(16);
    const body = concat(Uint8Array.of(0, 1, 0xaa, 1, 1, 0, 0, 0, 1, 0x09, column.byteLength), column);
    expect(refusal(() => readChunks(encodeChunk(1, body))).reason).toMatch(/deflated column/);
  });
});
