// Tests that OfbPersistence and OfbAutomergeStorage time out against a hung OFB: calls fail as an outage
// instead of waiting forever, and later calls and close are not stuck behind them.
import type { DocumentId } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { OfbFunctionError } from '../src/ofb-functions.js';
import { OfbAutomergeStorage } from '../src/persistence/OfbAutomergeStorage.js';
import { OfbPersistence } from '../src/persistence/OfbPersistence.js';

/** An OFB that accepts every request and never answers (and ignores the abort signal). */
const hungFetch: typeof fetch = () => new Promise<Response>(() => {});
const hung = { url: 'http://ofb.invalid', anonKey: 'anon', serviceToken: 'service', fetch: hungFetch };

async function failsWithin<T>(promise: Promise<T>, ms: number): Promise<unknown> {
  const started = Date.now();
  const error = await promise.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );
  expect(Date.now() - started).toBeLessThan(ms);
  return error;
}

describe('OFB storage calls time out', () => {
  it('OfbPersistence: an append to a hung OFB fails as an outage instead of waiting forever', async () => {
    const persistence = new OfbPersistence({ ...hung, timeoutMs: 200 });
    const error = await failsWithin(persistence.append('doc' as DocumentId, [new Uint8Array([1])]), 2000);
    expect(error).toBeInstanceOf(OfbFunctionError);
    expect(error).toMatchObject({ status: 0, category: 'network', code: 'timeout' });
    // …and a later append (and close) are not stuck behind it.
    await failsWithin(persistence.append('doc' as DocumentId, [new Uint8Array([2])]), 2000);
    await persistence.close();
  });

  it('OfbAutomergeStorage: a save and a load against a hung OFB fail, and flush returns', async () => {
    const storage = new OfbAutomergeStorage({ ...hung, timeoutMs: 200 });
    const error = await failsWithin(storage.save(['doc', 'incremental', 'a'], new Uint8Array([1])), 2000);
    expect(error).toMatchObject({ status: 0, code: 'timeout' });
    await failsWithin(storage.load(['doc', 'snapshot', 'b']), 2000);
    await storage.close();
  });
});
