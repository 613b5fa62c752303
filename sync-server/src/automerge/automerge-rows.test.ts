// Tests of counting the rows (operations) an Automerge column declares: boolean, run-length and delta
// columns, huge runs from a few bytes, truncated data, and which column types are countable.
import { describe, expect, it } from 'vitest';
import { columnRows, isCountable } from './automerge-rows.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s, 'hex'));

describe('columnRows', () => {
  // Columns of a real change of 9 operations (5 list inserts, 3 map puts and a delete).
  it('counts a boolean column (run lengths, alternately false and true)', () => {
    expect(columnRows(52, hex('0005010102'))).toBe(9);
  });

  it('counts a run-length-encoded integer column: runs, literals and nulls', () => {
    expect(columnRows(66, hex('05017f0402017f03'))).toBe(9);
    // 3 nulls (run 0, count 3), then a run of 4.
    expect(columnRows(2, hex('00030401'))).toBe(7);
  });

  it('counts a delta column, whose values are signed', () => {
    expect(columnRows(19, hex('7e0003030100017f7a0002'))).toBeGreaterThan(0);
  });

  it('reads a run of millions from a few bytes, and stops quietly at truncated data', () => {
    // A run of 2^40 rows of one value: 7 bytes; a run whose value is cut off still counts.
    expect(columnRows(66, Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x01))).toBe(2 ** 40);
    expect(columnRows(66, Uint8Array.of(0x80, 0x80, 0x80, 0x80, 0x80, 0x20))).toBe(2 ** 40);
    expect(columnRows(52, Uint8Array.of(0x05, 0x80))).toBe(5);
  });

  it('counts only the types it can read', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((type) => isCountable((4 << 4) | type))).toEqual([
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
