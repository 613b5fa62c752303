// The append log on real files: framing round trip, a torn tail at every byte of the last record,
// corrupt checksums, group commit counted in fsyncs, order, and recovery from a failed write.
import type { FileHandle } from 'node:fs/promises';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as prng from 'lib0/prng';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AppendLog,
  type AppendLogCut,
  decodeRecords,
  encodeRecords,
  isTornTail,
  RECORD_HEADER_BYTES,
  readAppendLog,
  recordChecksum,
} from './append-log.js';
import { JournalCorruptError } from './errors.js';

/** Records of assorted sizes (0 to 300 bytes), from a seeded generator. */
function records(count: number, seed = 7): Uint8Array[] {
  const gen = prng.create(seed);
  return Array.from({ length: count }, () => prng.uint8Array(gen, prng.int32(gen, 0, 300)));
}

const bytesOf = (rs: readonly Uint8Array[]) => rs.map((r) => [...r]);

/** An AppendLog that counts its fsyncs and can be told to fail a write. */
class InstrumentedLog extends AppendLog {
  syncs = 0;
  writes = 0;
  failWrite: ((handle: FileHandle, bytes: Buffer) => Promise<void>) | undefined;

  protected override async write(handle: FileHandle, bytes: Buffer): Promise<void> {
    this.writes++;
    const fail = this.failWrite;
    this.failWrite = undefined;
    if (fail) return fail(handle, bytes);
    return super.write(handle, bytes);
  }

  protected override async sync(handle: FileHandle): Promise<void> {
    this.syncs++;
    return super.sync(handle);
  }
}

describe('append log framing', () => {
  it('decodes what it encodes, empty records included', () => {
    const rs = [new Uint8Array(), ...records(40)];
    const encoded = encodeRecords(rs);
    expect(encoded.length).toBe(rs.reduce((n, r) => n + RECORD_HEADER_BYTES + r.length, 0));
    const { records: decoded, validBytes } = decodeRecords(encoded);
    expect(bytesOf(decoded)).toEqual(bytesOf(rs));
    expect(validBytes).toBe(encoded.length);
    // Copies, independent of the buffer they were read from.
    encoded.fill(0);
    expect(bytesOf(decoded)).toEqual(bytesOf(rs));
  });

  it('keeps the on-disk format the sync-server has always written: length, SHA-256 prefix, bytes', () => {
    // sha256("abc") = ba7816bf…: the checksum is its first 4 bytes, read little-endian.
    expect(encodeRecords([Buffer.from('abc')]).toString('hex')).toBe('03000000ba7816bf616263');
    expect(bytesOf(decodeRecords(Buffer.from('03000000ba7816bf616263', 'hex')).records)).toEqual([
      [97, 98, 99],
    ]);
  });

  it('stops before a last record torn at every byte offset', () => {
    const rs = records(6);
    const whole = encodeRecords(rs);
    const lastStart = whole.length - RECORD_HEADER_BYTES - rs[5]!.length;
    for (let cut = lastStart; cut < whole.length; cut++) {
      const { records: decoded, validBytes } = decodeRecords(whole.subarray(0, cut));
      expect(bytesOf(decoded), `cut at ${cut}`).toEqual(bytesOf(rs.slice(0, 5)));
      expect(validBytes, `cut at ${cut}`).toBe(lastStart);
      expect(isTornTail(whole.subarray(0, cut), validBytes), `cut at ${cut}`).toBe(true);
    }
  });

  it('stops at a record whose checksum or bytes are corrupt, and tells damage from a torn tail', () => {
    const rs = records(5).map((r) => (r.length > 0 ? r : new Uint8Array([1])));
    const whole = encodeRecords(rs);
    const third = RECORD_HEADER_BYTES * 2 + rs[0]!.length + rs[1]!.length;
    for (const at of [third + 4, third + 7, third + RECORD_HEADER_BYTES]) {
      const damaged = Buffer.from(whole);
      damaged[at]! ^= 0x01;
      const { records: decoded, validBytes } = decodeRecords(damaged);
      expect(bytesOf(decoded), `byte ${at} flipped`).toEqual(bytesOf(rs.slice(0, 2)));
      expect(validBytes).toBe(third);
      expect(isTornTail(damaged, validBytes)).toBe(false);
    }
    const lying = Buffer.from(whole);
    lying.writeUInt32LE(0xffff_ff00, third);
    expect(decodeRecords(lying).validBytes).toBe(third);
    expect(recordChecksum(rs[0]!)).toBe(whole.readUInt32LE(4));
  });
});

describe('AppendLog on a real file', () => {
  let dir: string;
  let path: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pit-append-log-'));
    path = join(dir, 'log');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads no file as an empty log, and cuts a torn tail durably (or only reads, when asked)', async () => {
    expect(await readAppendLog(path)).toEqual({ records: [], droppedBytes: 0 });
    const rs = records(4);
    const whole = encodeRecords(rs);
    await writeFile(path, whole.subarray(0, whole.length - 2));
    const peek = await readAppendLog(path, { truncate: false });
    expect(peek.droppedBytes).toBe(RECORD_HEADER_BYTES + rs[3]!.length - 2);
    expect((await stat(path)).size).toBe(whole.length - 2);
    const read = await readAppendLog(path);
    expect(bytesOf(read.records)).toEqual(bytesOf(rs.slice(0, 3)));
    expect(read.droppedBytes).toBe(peek.droppedBytes);
    expect((await stat(path)).size).toBe(whole.length - RECORD_HEADER_BYTES - rs[3]!.length);
    const log = new AppendLog(path);
    await log.append([new Uint8Array([42])]);
    await log.close();
    expect(bytesOf((await readAppendLog(path)).records)).toEqual(
      bytesOf([...rs.slice(0, 3), new Uint8Array([42])]),
    );
  });

  it('commits concurrent appends in groups: 64 appenders, far fewer than 64 fsyncs, in call order', async () => {
    const log = new InstrumentedLog(path, { syncDir: true });
    const rs = records(64);
    await Promise.all(rs.map((r) => log.append([r])));
    expect(log.syncs).toBeLessThanOrEqual(2);
    expect(log.writes).toBe(log.syncs);
    // One at a time, each append is its own fsync.
    for (const r of records(3, 8)) await log.append([r]);
    expect(log.syncs).toBeLessThanOrEqual(5);
    await log.close();
    expect(bytesOf((await readAppendLog(path)).records)).toEqual(bytesOf([...rs, ...records(3, 8)]));
  });

  it('cuts a failed write off the file, so later records are not stranded behind it', async () => {
    const log = new InstrumentedLog(path);
    const before = records(3, 1);
    await log.append(before);
    log.failWrite = async (handle, bytes) => {
      await handle.write(bytes, 0, Math.ceil(bytes.length / 2));
      throw new Error('ENOSPC: simulated');
    };
    // Whichever batch the failure hits rejects as a whole; every append that resolved is on disk, in order.
    const concurrent = records(30, 2);
    const outcomes = await Promise.allSettled(concurrent.map((r) => log.append([r])));
    const failures = outcomes.filter((o) => o.status === 'rejected');
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) expect(String(failure.reason)).toMatch(/simulated/);
    const after = records(2, 3);
    await log.append(after);
    await log.close();
    const read = await readAppendLog(path);
    expect(read.droppedBytes).toBe(0);
    const resolved = concurrent.filter((_, i) => outcomes[i]!.status === 'fulfilled');
    expect(bytesOf(read.records)).toEqual(bytesOf([...before, ...resolved, ...after]));
  });

  it('refuses every later append when a failed write cannot be cut off', async () => {
    const log = new InstrumentedLog(path);
    await log.append([new Uint8Array([1])]);
    log.failWrite = async (handle) => {
      await handle.close();
      throw new Error('EIO: simulated');
    };
    await expect(log.append([new Uint8Array([2])])).rejects.toThrow(/simulated/);
    await expect(log.append([new Uint8Array([3])])).rejects.toThrow(/could not be repaired/);
    await log.close();
    expect(bytesOf((await readAppendLog(path)).records)).toEqual([[1]]);
  });

  it('repairs a torn tail before its first append when asked, and reports the cut', async () => {
    const rs = records(3);
    const whole = encodeRecords(rs);
    await writeFile(path, whole.subarray(0, whole.length - 1));
    const cuts: AppendLogCut[] = [];
    const log = new AppendLog(path, { repair: true, onRepair: (cut) => cuts.push(cut) });
    await log.append([new Uint8Array([7, 7])]);
    await log.close();
    const keptBytes = whole.length - RECORD_HEADER_BYTES - rs[2]!.length;
    expect(cuts).toEqual([{ keptBytes, droppedBytes: whole.length - 1 - keptBytes, tornTail: true }]);
    const read = await readAppendLog(path, { truncate: false });
    expect(read.droppedBytes).toBe(0);
    expect(bytesOf(read.records)).toEqual(bytesOf([...rs.slice(0, 2), new Uint8Array([7, 7])]));
  });

  it('never cuts a log damaged before its end: every append is refused and the file left as it is', async () => {
    const rs = records(4).map((r) => (r.length > 0 ? r : new Uint8Array([1])));
    const whole = encodeRecords(rs);
    const second = RECORD_HEADER_BYTES + rs[0]!.length;
    const damaged = Buffer.from(whole);
    damaged[second + RECORD_HEADER_BYTES]! ^= 0x01;
    await writeFile(path, damaged);
    const cuts: AppendLogCut[] = [];
    const log = new AppendLog(path, { repair: true, onRepair: (cut) => cuts.push(cut) });
    const refusal = /damaged at record 2 of 4 .*nothing was changed/;
    await expect(log.append([new Uint8Array([7])])).rejects.toThrow(JournalCorruptError);
    await expect(log.append([new Uint8Array([8])])).rejects.toThrow(refusal);
    await log.close();
    expect(cuts).toEqual([]);
    expect(await readFile(path)).toEqual(damaged);
    const custom = new AppendLog(path, {
      repair: true,
      damaged: (d) => new Error(`custom ${d.keptRecords}`),
    });
    await expect(custom.append([new Uint8Array([9])])).rejects.toThrow('custom 1');
    await custom.close();
    expect(await readFile(path)).toEqual(damaged);
  });

  it('rejects appends while the file cannot be opened, then works once it can', async () => {
    const nested = join(dir, 'later', 'log');
    const log = new AppendLog(nested, { syncDir: true });
    await expect(log.append([new Uint8Array([1])])).rejects.toThrow(/ENOENT/);
    await mkdir(join(dir, 'later'));
    await log.append([new Uint8Array([2])]);
    await log.close();
    expect(bytesOf((await readAppendLog(nested)).records)).toEqual([[2]]);
  });

  it('waits for appends in flight on close, then refuses new ones', async () => {
    const log = new AppendLog(path);
    const rs = records(20);
    const inFlight = rs.map((r) => log.append([r]));
    expect(log.idle).toBe(false);
    await log.close();
    expect(log.idle).toBe(true);
    await Promise.all(inFlight);
    await expect(log.append([new Uint8Array([1])])).rejects.toThrow(/closed/);
    await log.close();
    expect(bytesOf((await readAppendLog(path)).records)).toEqual(bytesOf(rs));
    expect((await readFile(path)).length).toBe(encodeRecords(rs).length);
  });
});
