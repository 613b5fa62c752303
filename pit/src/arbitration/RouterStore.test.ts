// Both RouterStore adapters pass the acceptance suite; the file store survives a torn tail and
// skips records it cannot read.
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRecords } from '../append-log.js';
import { runRouterStoreTests } from '../testing/arbitration-acceptance.js';
import { FileRouterStore, ROUTER_LOG } from './FileRouterStore.js';
import { MemoryRouterStore } from './MemoryRouterStore.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'symphony-router-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

runRouterStoreTests('MemoryRouterStore', async () => {
  const store = new MemoryRouterStore();
  return { store, reopen: async () => store.reopen() };
});

runRouterStoreTests('FileRouterStore', async () => {
  const dir = join(tempDir(), 'router');
  const stores: FileRouterStore[] = [await FileRouterStore.open(dir)];
  return {
    store: stores[0]!,
    async reopen() {
      await stores.at(-1)!.close();
      stores.push(await FileRouterStore.open(dir));
      return stores.at(-1)!;
    },
    async close() {
      for (const store of stores) await store.close();
    },
  };
});

describe('FileRouterStore', () => {
  const rating = { arm: 'openai/gpt-4o', task: 'summarize', good: true, at: 1 };

  it('ignores a torn tail, then appends after the last whole record', async () => {
    const dir = tempDir();
    const store = await FileRouterStore.open(dir);
    await store.append(rating);
    await store.close();
    appendFileSync(join(dir, ROUTER_LOG), Buffer.from([200, 0, 0, 0, 1, 2]));
    const warnings: string[] = [];
    const reopened = await FileRouterStore.open(dir, { onWarning: (m) => warnings.push(m) });
    expect(await reopened.load()).toEqual([rating]);
    expect(warnings.join()).toMatch(/do not frame/);
    await reopened.append({ ...rating, at: 2 });
    await reopened.close();
    expect(await (await FileRouterStore.open(dir)).load()).toEqual([rating, { ...rating, at: 2 }]);
  });

  it('skips a record this version cannot read, with a warning', async () => {
    const dir = tempDir();
    appendFileSync(join(dir, ROUTER_LOG), encodeRecords([new TextEncoder().encode('{"kind":"future"}')]));
    const store = await FileRouterStore.open(dir);
    await store.append(rating);
    await store.close();
    const warnings: string[] = [];
    const loaded = await (await FileRouterStore.open(dir, { onWarning: (m) => warnings.push(m) })).load();
    expect(loaded).toEqual([rating]);
    expect(warnings).toEqual([expect.stringMatching(/record 1 is not an outcome or rating/)]);
  });

  it('read-only: creates nothing and refuses appends', async () => {
    const dir = join(tempDir(), 'absent');
    const store = await FileRouterStore.open(dir, { readOnly: true });
    expect(await store.load()).toEqual([]);
    await expect(store.append(rating)).rejects.toThrow(/read-only/);
  });
});
