// Tests of Revalidator: one authorizeMany per round for identical questions, connections kept through a
// short outage, and told unavailable once their access has gone unconfirmed for maxStaleMs.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logger.js';
import type { Access, AccessCheck, AccessControl, Denial } from './AccessControl.js';
import { Revalidator } from './Revalidator.js';

class ScriptedAccess implements AccessControl {
  readonly rounds: AccessCheck[][] = [];
  answer: (check: AccessCheck) => Access | Denial = () => ({
    ok: false,
    reason: 'unavailable',
    message: 'down',
  });
  async authorize(token: string, resourceId: string) {
    return this.answer({ token, resourceId });
  }
  async authorizeMany(checks: readonly AccessCheck[]) {
    this.rounds.push([...checks]);
    return checks.map((c) => this.answer(c));
  }
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits (up to 5 s: timers run late on a loaded machine) until `condition` holds. */
async function until(condition: () => boolean): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > 5000) throw new Error('condition not met within 5 s');
    await tick(5);
  }
}

describe('Revalidator', () => {
  it('asks once per round for identical questions, tells every watcher, and stops when nothing is watched', async () => {
    const access = new ScriptedAccess();
    const revalidator = new Revalidator(access, 20, silentLogger);
    const seen: string[] = [];
    access.answer = (c) => ({ ok: false, reason: 'forbidden', message: c.resourceId });
    const stopA = revalidator.watch({ token: 't', resourceId: 'd', onAnswer: () => seen.push('a') });
    const stopB = revalidator.watch({ token: 't', resourceId: 'd', onAnswer: () => seen.push('b') });
    await until(() => seen.length >= 2);
    expect(access.rounds[0]).toEqual([{ token: 't', resourceId: 'd' }]);
    expect(seen.slice(0, 2).sort()).toEqual(['a', 'b']);
    stopA();
    stopB();
    const rounds = access.rounds.length;
    await tick(60);
    expect(access.rounds.length).toBe(rounds);
    revalidator.close();
  });

  it('keeps connections through an outage (no answer is passed on)', async () => {
    const access = new ScriptedAccess();
    const revalidator = new Revalidator(access, 10, silentLogger);
    let answers = 0;
    revalidator.watch({ token: 't', resourceId: 'd', onAnswer: () => answers++ });
    await until(() => access.rounds.length > 2);
    expect(answers).toBe(0);
    revalidator.close();
  });

  it('tells a watcher its access is unavailable once no answer has confirmed it for maxStaleMs', async () => {
    const access = new ScriptedAccess();
    const revalidator = new Revalidator(access, 10, silentLogger, 60);
    const answers: (Access | Denial)[] = [];
    revalidator.watch({ token: 't', resourceId: 'd', onAnswer: (a) => answers.push(a) });
    await tick(30);
    expect(answers).toEqual([]); // a short outage keeps the connection
    await tick(100);
    expect(answers[0]).toMatchObject({ ok: false, reason: 'unavailable' });
    revalidator.close();
  });
});
