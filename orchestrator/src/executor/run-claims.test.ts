// Cancellation requests between processes: taken requests stay on disk until acknowledged, and a
// batch left by a taker that crashed is delivered again.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NodeId, RunId } from '@symphony/schemas';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cancelPath,
  clearCancelRequests,
  requestCancel,
  takeCancelBatch,
  takeCancelRequests,
  takenCancelPath,
} from './run-claims.js';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'symphony-run-claims-'));
  dirs.push(dir);
  return dir;
}
const runId = 'run_0000000000000001' as RunId;

describe('cancellation requests', () => {
  it('keeps a taken batch on disk until it is acknowledged', async () => {
    const dir = tempDir();
    await requestCancel(dir, runId, 'n1' as NodeId);
    const batch = await takeCancelBatch(dir, runId);
    expect(batch.requests).toEqual(['n1']);
    expect(existsSync(cancelPath(dir, runId))).toBe(false);
    expect(readFileSync(takenCancelPath(dir, runId), 'utf8')).toBe('{"nodeId":"n1"}\n');
    await batch.acknowledge();
    expect(existsSync(takenCancelPath(dir, runId))).toBe(false);
    expect((await takeCancelBatch(dir, runId)).requests).toEqual([]);
  });

  it('delivers a batch left unacknowledged (a crash before recording it) on the next take', async () => {
    const dir = tempDir();
    await requestCancel(dir, runId);
    const lost = await takeCancelBatch(dir, runId);
    expect(lost.requests).toEqual([undefined]);
    // The taker dies here. Meanwhile another request arrives.
    await requestCancel(dir, runId, 'n2' as NodeId);
    const replayed = await takeCancelBatch(dir, runId);
    expect(replayed.requests).toEqual([undefined]);
    await replayed.acknowledge();
    const next = await takeCancelBatch(dir, runId);
    expect(next.requests).toEqual(['n2']);
    await next.acknowledge();
    expect(existsSync(cancelPath(dir, runId))).toBe(false);
    expect(existsSync(takenCancelPath(dir, runId))).toBe(false);
  });

  it('delivers a taken file left by an earlier process', async () => {
    const dir = tempDir();
    writeFileSync(takenCancelPath(dir, runId), '{"nodeId":"c"}\n{"nodeId":\n');
    expect(await takeCancelRequests(dir, runId)).toEqual(['c']);
    expect(existsSync(takenCancelPath(dir, runId))).toBe(false);
  });

  it('clears waiting and taken requests of a finished run', async () => {
    const dir = tempDir();
    await requestCancel(dir, runId);
    await takeCancelBatch(dir, runId);
    await requestCancel(dir, runId);
    await clearCancelRequests(dir, runId);
    expect(existsSync(cancelPath(dir, runId))).toBe(false);
    expect(existsSync(takenCancelPath(dir, runId))).toBe(false);
  });
});
