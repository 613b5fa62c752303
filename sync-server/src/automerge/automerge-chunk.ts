// The bounded pre-parser of Automerge's binary chunks: headers, checksums, columns and declared operations
// read, deflated parts measured against the frame's budget, before any chunk reaches Automerge.
import { createHash } from 'node:crypto';
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import { columnRows, isCountable } from './automerge-rows.js';

/**
 * A bounded pre-parser of Automerge's binary chunks (the storage format of `A.save`, and what a
 * sync message's `changes` hold), run before any chunk reaches Automerge.
 *
 * Automerge inflates every deflated column of a document chunk, and the whole body of a compressed
 * change, without a limit: a valid 517 KB document chunk whose column inflates to gigabytes froze
 * the server for seconds and left its memory at gigabytes. {@link readChunks} reads only the chunk
 * headers and column metadata (every length checked against the bytes that remain) and verifies
 * each checksum; {@link InflationBudget.measure} then inflates each deflated part with raw DEFLATE
 * (as Automerge does, flate2's `DeflateDecoder`), off the event loop and counting the output
 * without keeping it, and stops at the frame's budget. Only what both accept is handed to
 * `A.load` / `A.decodeChange`.
 *
 * Format, after `rust/automerge/src/storage/` (`chunk.rs`, `document.rs`, `change.rs`,
 * `columns/raw_column.rs`): magic `85 6f 4a 83`, a 4-byte checksum (the first 4 bytes of SHA-256
 * over the type byte, the uLEB body length and the body), a type byte, the uLEB body length, the
 * body. A chunk of several chunks back to back is read chunk by chunk.
 */

/** Why a chunk was refused; `reason` is short enough for a log line. */
export class ChunkRejectedError extends Error {
  override name = 'ChunkRejectedError';
  constructor(
    /** `malformed`: it does not parse. `over-budget`: it parses but costs more than the budget to decode. */
    readonly kind: 'malformed' | 'over-budget',
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Chunk types, as the type byte after the checksum says. */
export const ChunkType = { document: 0, change: 1, compressedChange: 2 } as const;
export type ChunkType = (typeof ChunkType)[keyof typeof ChunkType];

/** One chunk found by {@link readChunks}. */
export interface ChunkInfo {
  readonly type: ChunkType;
  /** The whole chunk, header included: a view into the input. */
  readonly bytes: Uint8Array;
  /** Its deflated parts (columns of a document, the body of a compressed change): views into the input. */
  readonly deflated: readonly Uint8Array[];
  /** The operations its plain columns declare (see `automerge-rows.ts`). */
  readonly rows: number;
  /** Parts whose rows can only be counted once inflated: deflated op columns, a compressed change. */
  readonly rowsLater: readonly DeferredRows[];
}

/** A deflated op column (`spec`), or a compressed change's deflated body (`spec` undefined). */
export interface DeferredRows {
  readonly spec?: number;
  readonly deflated: Uint8Array;
}

/** 1032: the most DEFLATE can shrink data (a 258-byte match in 2 bits), so n bytes inflate to at most 1032·n. */
const MAX_DEFLATE_RATIO = 1032;
/**
 * 8 MiB: deflated parts that cannot inflate to more are inflated at once, on the event loop (a few
 * milliseconds); larger ones as a stream (see {@link InflationBudget.measure}).
 */
const INFLATE_NOW_BYTES = 8 * 1024 * 1024;

/**
 * How many bytes the deflated parts of the chunks of one frame may inflate to, altogether. Parts
 * that could inflate to more than a few MiB are inflated as a stream whose output is counted and
 * dropped, stopped as soon as the count passes what is left: a bomb costs the server a few KiB of
 * memory and at most the budget's worth of inflating, in zlib's thread pool rather than on the
 * event loop. Smaller parts, what clients send almost always, are inflated at once.
 */
export class InflationBudget {
  #remaining: number;
  constructor(readonly maxBytes: number) {
    this.#remaining = maxBytes;
  }

  /** Bytes not yet spent. */
  get remaining(): number {
    return this.#remaining;
  }

  /** Whether `parts` are small enough for {@link measureNow}: they cannot inflate past 8 MiB. */
  static fitsNow(parts: readonly Uint8Array[]): boolean {
    return parts.reduce((n, part) => n + part.byteLength, 0) * MAX_DEFLATE_RATIO <= INFLATE_NOW_BYTES;
  }

  /**
   * {@link measure}, synchronously, for parts that {@link fitsNow}.
   * @throws ChunkRejectedError as {@link measure} does.
   */
  measureNow(parts: readonly Uint8Array[]): number {
    if (!InflationBudget.fitsNow(parts))
      throw new RangeError('InflationBudget.measureNow: parts too large; use measure()');
    let total = 0;
    for (const part of parts) {
      let inflated: number;
      try {
        inflated = inflateRawSync(part, { maxOutputLength: Math.max(1, this.#remaining) }).byteLength;
      } catch (error) {
        if ((error as { code?: string }).code !== 'ERR_BUFFER_TOO_LARGE')
          throw malformed(`a deflated part does not inflate: ${(error as Error).message}`);
        inflated = Number.POSITIVE_INFINITY;
      }
      if (inflated > this.#remaining) {
        this.#remaining = 0;
        throw overBudget(`a deflated part inflates past the frame's budget of ${this.maxBytes} bytes`);
      }
      this.#remaining -= inflated;
      total += inflated;
    }
    return total;
  }

  /**
   * Inflates each of `parts` (raw DEFLATE) in turn, charges what it inflates to, and resolves with
   * the total.
   * @throws ChunkRejectedError `over-budget` past the budget, `malformed` if a part does not inflate.
   */
  async measure(parts: readonly Uint8Array[]): Promise<number> {
    let total = 0;
    for (const part of parts) total += await this.#measureOne(part);
    return total;
  }

  #measureOne(deflated: Uint8Array): Promise<number> {
    return new Promise((resolve, reject) => {
      const inflate = createInflateRaw();
      let inflated = 0;
      let over = false;
      inflate.on('data', (chunk: Buffer) => {
        if (over) return;
        inflated += chunk.byteLength;
        if (inflated <= this.#remaining) return;
        over = true;
        this.#remaining = 0;
        inflate.destroy();
        reject(overBudget(`a deflated part inflates past the frame's budget of ${this.maxBytes} bytes`));
      });
      inflate.on('error', (error) => reject(malformed(`a deflated part does not inflate: ${error.message}`)));
      inflate.on('end', () => {
        this.#remaining -= inflated;
        resolve(inflated);
      });
      inflate.end(deflated);
    });
  }
}

/**
 * Splits `bytes` into the chunks it holds (one, or several back to back), checking each one's
 * header, checksum and column layout, and listing its deflated parts for an {@link InflationBudget}
 * to measure. Nothing is inflated. A compressed change's checksum is that of the change inside
 * it, so it is checked once the change is inflated (by `checkSyncData`, within the budget).
 * @throws ChunkRejectedError if a chunk does not parse.
 */
export function readChunks(bytes: Uint8Array): ChunkInfo[] {
  const chunks: ChunkInfo[] = [];
  const r = new Reader(bytes);
  if (r.remaining === 0) throw malformed('an empty chunk');
  while (r.remaining > 0) {
    const start = r.pos;
    for (const b of MAGIC) if (r.byte() !== b) throw malformed('no chunk magic bytes');
    const checksum = bytes.subarray(r.pos, r.pos + 4);
    r.skip(4);
    const type = r.byte();
    const length = r.length('chunk body');
    const bodyStart = r.pos;
    r.skip(length);
    const body = bytes.subarray(bodyStart, r.pos);
    const label = chunks.length === 0 ? 'chunk' : `chunk ${chunks.length + 1}`;
    let deflated: Uint8Array[] = [];
    let rows = 0;
    let rowsLater: DeferredRows[] = [];
    switch (type) {
      case ChunkType.document: {
        const read = readDocumentBody(bytes, bodyStart, r.pos);
        deflated = read.deflated;
        rows = read.ops.rows;
        rowsLater = read.ops.later;
        break;
      }
      case ChunkType.change:
        rows = readChangeBody(bytes, bodyStart, r.pos);
        break;
      case ChunkType.compressedChange:
        deflated = [body];
        rowsLater = [{ deflated: body }];
        break;
      default:
        throw malformed(
          `${label} has type ${type}; only documents, changes and compressed changes are accepted`,
        );
    }
    if (type !== ChunkType.compressedChange) {
      const hashed = checksumOf(type, body);
      if (!checksum.every((b, i) => b === hashed[i])) throw malformed(`${label} has a wrong checksum`);
    }
    chunks.push({ type: type as ChunkType, bytes: bytes.subarray(start, r.pos), deflated, rows, rowsLater });
  }
  return chunks;
}

/** How many operations the chunks of one frame may declare, by how Automerge decodes them. */
export interface OperationBudget {
  /** In document chunks (`load`: 1–4 µs an operation). */
  readonly inDocuments: number;
  /** In changes and compressed changes (`decodeChange`: about 5–10 µs an operation). */
  readonly inChanges: number;
}

/**
 * The operations `chunks` declare, documents and changes apart, deflated parts inflated (each
 * at most `maxInflatedBytes`, so never past the frame's inflation budget) to count theirs.
 * @throws ChunkRejectedError (`over-budget`) past either part of `budget`.
 */
export function countRows(
  chunks: readonly ChunkInfo[],
  budget: OperationBudget,
  maxInflatedBytes: number,
): { inDocuments: number; inChanges: number } {
  const rows = { inDocuments: 0, inChanges: 0 };
  for (const chunk of chunks) {
    const kind = chunk.type === ChunkType.document ? 'inDocuments' : 'inChanges';
    const add = (n: number) => {
      rows[kind] += n;
      if (rows[kind] > budget[kind])
        throw overBudget(
          `its ${kind === 'inDocuments' ? 'document chunks' : 'changes'} declare more than ${budget[kind]} operations (${rows[kind]} so far)`,
        );
    };
    // Every op column of a chunk has a row per operation: the chunk holds the most any declares.
    let most = chunk.rows;
    for (const part of chunk.rowsLater) {
      let inflated: Buffer;
      try {
        inflated = inflateRawSync(part.deflated, { maxOutputLength: maxInflatedBytes });
      } catch (error) {
        if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
          throw overBudget(`a deflated part inflates past the frame's budget of ${maxInflatedBytes} bytes`);
        continue; // not DEFLATE: the inflation check refuses it
      }
      if (part.spec !== undefined) most = Math.max(most, columnRows(part.spec, inflated));
      else {
        try {
          most = Math.max(most, readChangeBody(inflated, 0, inflated.byteLength));
        } catch {
          // A compressed change that does not parse is refused when it is decoded.
        }
      }
    }
    add(most);
  }
  return rows;
}

const MAGIC = [0x85, 0x6f, 0x4a, 0x83] as const;
/** Bit 3 of a column specification: the column's data is deflated. */
const DEFLATE_BIT = 0x08;
const HASH_BYTES = 32;

/** Reads Automerge's LEB128 encoding strictly: every read is bounds-checked. */
class Reader {
  pos: number;
  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.pos = start;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  byte(): number {
    if (this.pos >= this.end) throw malformed('unexpected end of chunk');
    return this.bytes[this.pos++]!;
  }

  /** An unsigned LEB128 of at most 53 bits (Automerge allows 64; none of ours needs more). */
  uleb(): number {
    let num = 0;
    let mult = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte();
      num += (b & 0x7f) * mult;
      if (b < 0x80) {
        if (num > Number.MAX_SAFE_INTEGER) throw malformed('integer out of range');
        return num;
      }
      mult *= 128;
    }
    throw malformed('integer out of range');
  }

  /** A signed LEB128 (a timestamp): its value is not needed, only its bytes. */
  sleb(): void {
    for (let i = 0; i < 10; i++) if (this.byte() < 0x80) return;
    throw malformed('integer out of range');
  }

  /** A length of bytes that must follow. */
  length(what: string): number {
    const n = this.uleb();
    if (n > this.remaining) throw malformed(`${what} of ${n} bytes, but only ${this.remaining} follow`);
    return n;
  }

  /** A count of things that each take at least `minBytes`: more than fit is a lie. */
  count(what: string, minBytes: number): number {
    const n = this.uleb();
    if (n * minBytes > this.remaining)
      throw malformed(`declares ${n} ${what} but only ${this.remaining} bytes follow`);
    return n;
  }

  skip(n: number): void {
    if (n > this.remaining) throw malformed('unexpected end of chunk');
    this.pos += n;
  }

  /** Length-prefixed byte strings (actor ids): `count` of them. */
  skipPrefixed(what: string): void {
    const n = this.count(what, 1);
    for (let i = 0; i < n; i++) this.skip(this.length(what));
  }
}

/** A column's specification and data length, as the column metadata lists them. */
interface RawColumn {
  readonly spec: number;
  readonly length: number;
}

/** What the op columns of a chunk declare: rows counted now, and the deflated ones to count later. */
interface OpRows {
  rows: number;
  readonly later: DeferredRows[];
}

function readColumns(r: Reader, what: string): RawColumn[] {
  const n = r.count(`${what} columns`, 2);
  const columns: RawColumn[] = [];
  for (let i = 0; i < n; i++) {
    const spec = r.uleb();
    if (spec > 0xffff_ffff) throw malformed(`${what} column specification ${spec} is not 32 bits`);
    columns.push({ spec, length: r.uleb() });
  }
  return columns;
}

/**
 * Skips the data of `columns`, which starts at `r.pos`; adds the deflated ones to `deflated`, and
 * when `ops` is given (op columns), counts the rows they declare into it.
 */
function skipColumns(
  r: Reader,
  bytes: Uint8Array,
  columns: readonly RawColumn[],
  deflated: Uint8Array[],
  ops?: OpRows,
): void {
  for (const column of columns) {
    const start = r.pos;
    r.skip(column.length);
    const data = bytes.subarray(start, r.pos);
    if (column.spec & DEFLATE_BIT) deflated.push(data);
    if (!ops || !isCountable(column.spec)) continue;
    if (column.spec & DEFLATE_BIT) ops.later.push({ spec: column.spec, deflated: data });
    else ops.rows = Math.max(ops.rows, columnRows(column.spec, data));
  }
}

/** A document chunk's body: actors, heads, change and op column metadata, their data, head indices. */
function readDocumentBody(
  bytes: Uint8Array,
  start: number,
  end: number,
): { deflated: Uint8Array[]; ops: OpRows } {
  const r = new Reader(bytes, start, end);
  r.skipPrefixed('actors');
  const heads = r.count('heads', HASH_BYTES);
  r.skip(heads * HASH_BYTES);
  const changeColumns = readColumns(r, 'change');
  const opColumns = readColumns(r, 'op');
  const deflated: Uint8Array[] = [];
  const ops: OpRows = { rows: 0, later: [] };
  skipColumns(r, bytes, changeColumns, deflated);
  skipColumns(r, bytes, opColumns, deflated, ops);
  // Head indices, one per head; absent in documents from older JS implementations.
  if (r.remaining > 0) for (let i = 0; i < heads; i++) r.uleb();
  if (r.remaining > 0) throw malformed(`${r.remaining} bytes after the document`);
  return { deflated, ops };
}

/**
 * A change chunk's body: dependencies, actor, seq, start op, time, message, other actors, op
 * column metadata, op data, extra bytes. Automerge refuses deflated columns in a change.
 */
function readChangeBody(bytes: Uint8Array, start: number, end: number): number {
  const r = new Reader(bytes, start, end);
  const deps = r.count('dependencies', HASH_BYTES);
  r.skip(deps * HASH_BYTES);
  r.skip(r.length('actor id'));
  r.uleb(); // seq
  if (r.uleb() === 0) throw malformed('a change starts at op 0'); // start op
  r.sleb(); // time
  r.skip(r.length('message'));
  r.skipPrefixed('other actors');
  const columns = readColumns(r, 'op');
  let rows = 0;
  for (const column of columns) {
    if (column.spec & DEFLATE_BIT) throw malformed('a change chunk holds a deflated column');
    const data = bytes.subarray(r.pos, r.pos + column.length);
    r.skip(column.length);
    if (isCountable(column.spec)) rows = Math.max(rows, columnRows(column.spec, data));
  }
  // What follows is extra bytes Automerge keeps as they are.
  return rows;
}

function checksumOf(type: number, body: Uint8Array): Buffer {
  return createHash('sha256').update(Uint8Array.of(type)).update(uleb(body.byteLength)).update(body).digest();
}

/** `n` as an unsigned LEB128. */
export function uleb(n: number): Uint8Array {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Uint8Array.from(out);
}

/**
 * A chunk whose header says `type` and whose body is `body`, with its checksum: what Automerge
 * writes. For tests.
 */
export function encodeChunk(type: number, body: Uint8Array): Uint8Array {
  const length = uleb(body.byteLength);
  const out = new Uint8Array(9 + length.byteLength + body.byteLength);
  out.set(MAGIC, 0);
  out.set(checksumOf(type, body).subarray(0, 4), 4);
  out[8] = type;
  out.set(length, 9);
  out.set(body, 9 + length.byteLength);
  return out;
}

function malformed(reason: string): ChunkRejectedError {
  return new ChunkRejectedError('malformed', reason);
}
function overBudget(reason: string): ChunkRejectedError {
  return new ChunkRejectedError('over-budget', reason);
}
