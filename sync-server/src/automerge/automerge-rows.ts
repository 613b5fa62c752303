/**
 * How many rows (operations) a column of Automerge's storage format holds, read from its
 * run-length encoding without decoding a value. Decoding a chunk costs about 2–10 µs per
 * operation, and a run-length-encoded column states any number of rows in a few bytes (300,000
 * list inserts fit in a 123-byte change), so the sync-server counts rows before Automerge sees a
 * chunk and refuses a frame past its row budget.
 *
 * Column specifications (after `rust/automerge/src/storage/columns/column_specification.rs`): bits
 * 0–2 the type, bit 3 deflate, bits 4– the column id. Counted here: the run-length-encoded types —
 * group cardinality (0), actor (1), integer (2), delta integer (3) — and booleans (4). Pure.
 */

/** Column types whose rows this module can count. */
const COUNTABLE = new Set([0, 1, 2, 3, 4]);

/** Whether {@link columnRows} can count the rows of a column with specification `spec`. */
export function isCountable(spec: number): boolean {
  return COUNTABLE.has(spec & 0x07);
}

/**
 * The rows of a column with specification `spec` whose (inflated) data is `data`. Lenient: an
 * encoding it cannot follow stops the count where it is (Automerge itself judges the chunk), so it
 * never refuses what Automerge would take; it only ever counts rows that are really declared.
 */
export function columnRows(spec: number, data: Uint8Array): number {
  const r = new LebReader(data);
  let rows = 0;
  try {
    if ((spec & 0x07) === 4) {
      // Booleans: run lengths, alternately false and true.
      while (r.more()) rows += r.uleb();
      return rows;
    }
    const signed = (spec & 0x07) === 3;
    while (r.more()) {
      const run = r.sleb();
      if (run > 0) {
        rows += run;
        signed ? r.sleb() : r.uleb();
      } else if (run < 0) {
        for (let i = 0; i < -run; i++) signed ? r.sleb() : r.uleb();
        rows += -run;
      } else rows += r.uleb(); // a run of nulls
    }
  } catch {
    // Past the end of the data: what was read is what the column declares.
  }
  return rows;
}

/** LEB128 reads that stop at the end of the data (by throwing) and saturate instead of overflowing. */
class LebReader {
  private pos = 0;
  constructor(private readonly bytes: Uint8Array) {}

  more(): boolean {
    return this.pos < this.bytes.length;
  }

  private byte(): number {
    if (this.pos >= this.bytes.length) throw new RangeError('end of column');
    return this.bytes[this.pos++]!;
  }

  uleb(): number {
    let n = 0;
    let mult = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 0x7f) * mult;
      if (b < 0x80) return Math.min(n, Number.MAX_SAFE_INTEGER);
      mult *= 128;
    }
  }

  sleb(): number {
    let n = 0;
    let mult = 1;
    for (;;) {
      const b = this.byte();
      n += (b & 0x7f) * mult;
      mult *= 128;
      if (b < 0x80) {
        const value = b & 0x40 ? n - mult : n;
        return Math.max(Math.min(value, Number.MAX_SAFE_INTEGER), -Number.MAX_SAFE_INTEGER);
      }
    }
  }
}
