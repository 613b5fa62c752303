// The acceptance suite every RouterStore adapter must pass: what is appended comes back, in order,
// after a reopen (a restart), and an engine replaying it reaches the same numbers.
import type { CallOutcome, CallRating } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { ArbitrationEngine, type RouterStore } from '../arbitration/ArbitrationEngine.js';

/** A store under test and how to reopen it as a restarted process would. */
export interface RouterStoreFixture {
  readonly store: RouterStore;
  reopen(): Promise<RouterStore>;
  close?(): Promise<void>;
}

const outcome = (arm: string, success: boolean, at: number): CallOutcome => ({
  arm,
  task: 'summarize',
  success,
  latencyMs: 100 + at,
  costUsd: 0.001 * at,
  at,
});

/** Runs the RouterStore acceptance suite on stores `make` gives. */
export function runRouterStoreTests(name: string, make: () => Promise<RouterStoreFixture>): void {
  describe(`RouterStore: ${name}`, () => {
    it('is empty when nothing was appended', async () => {
      const fixture = await make();
      expect(await fixture.store.load()).toEqual([]);
      await fixture.close?.();
    });

    it('gives back outcomes and ratings in order after a reopen', async () => {
      const fixture = await make();
      const rating: CallRating = { arm: 'openai/gpt-4o', task: 'summarize', good: false, at: 3 };
      const entries = [outcome('openai/gpt-4o', true, 1), outcome('local/llama', false, 2), rating];
      for (const entry of entries) await fixture.store.append(entry);
      const reopened = await fixture.reopen();
      expect(await reopened.load()).toEqual(entries);
      await fixture.close?.();
    });

    it('lets an engine replay to the same stats', async () => {
      const fixture = await make();
      const engine = await ArbitrationEngine.open({ store: fixture.store });
      for (let i = 0; i < 20; i++)
        engine.record(outcome(i % 3 ? 'openai/gpt-4o' : 'local/llama', i % 4 !== 0, i));
      engine.rate({ arm: 'local/llama', task: 'summarize', good: true, at: 21 });
      await engine.flush();
      const replayed = await ArbitrationEngine.open({ store: await fixture.reopen() });
      expect(replayed.stats()).toEqual(engine.stats());
      await fixture.close?.();
    });
  });
}
