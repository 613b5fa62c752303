// Tests of stampBoardRun, the pure check the /automerge endpoint puts every run broadcast through:
// stamped like board presence, relayed only when it is a whole valid BoardRun.
import { MAX_BOARD_RUN_NODES, presenceColorFor } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { stampBoardPresence, stampBoardRun } from '../src/presence.js';

const ada = { userId: 'u-ada', userName: 'Ada Lovelace' };

const valid = {
  type: 'board-run',
  user: { name: 'Ada', color: '#2e8b57' },
  runId: 'run_0123456789abcdefghij',
  status: 'running',
  fraction: 0.25,
  states: { n1: 'succeeded', n2: 'retrying', n3: 'cached' },
  at: 1_700_000_000_000,
};

describe('stampBoardRun', () => {
  it("stamps the token's id and name over whatever the client claimed, and keeps the rest", () => {
    expect(stampBoardRun({ ...valid, user: { id: 'u-root', name: 'root', color: '#2e8b57' } }, ada)).toEqual({
      ...valid,
      user: { id: 'u-ada', name: 'Ada Lovelace', color: '#2e8b57' },
    });
  });

  it('stamps a run exactly as board presence: a long name cut, a bad colour replaced, no user given', () => {
    const long = { userId: 'u', userName: 'n'.repeat(64) };
    expect(stampBoardRun(valid, long)?.user.name).toHaveLength(40);
    expect(stampBoardRun({ ...valid, user: { color: 'red;inset:0' } }, ada)?.user).toEqual({
      id: 'u-ada',
      name: 'Ada Lovelace',
      color: presenceColorFor('u-ada'),
    });
    const { user: _, ...anonymous } = valid;
    expect(stampBoardRun(anonymous, ada)?.user.name).toBe('Ada Lovelace');
    const control = stampBoardRun(valid, { userId: 'u', userName: '\u0007\u0000' });
    expect(control?.user.name).toBe('Anonymous');
  });

  it('drops fields BoardRun does not describe', () => {
    expect(stampBoardRun({ ...valid, html: '<img src=x onerror=alert(1)>' }, ada)).not.toHaveProperty('html');
  });

  it('refuses a run that is not a whole valid BoardRun', () => {
    const tooMany = Object.fromEntries(
      Array.from({ length: MAX_BOARD_RUN_NODES + 1 }, (_, i) => [`n${i}`, 'running']),
    );
    const atLimit = Object.fromEntries(
      Array.from({ length: MAX_BOARD_RUN_NODES }, (_, i) => [`n${i}`, 'running']),
    );
    expect(stampBoardRun({ ...valid, states: atLimit }, ada)).toBeDefined();
    for (const broken of [
      { states: tooMany },
      { states: { n1: 'exploded' } },
      { states: { 'n 1': 'running' } },
      { states: ['running'] },
      { states: null },
      { runId: 'run_ABC' },
      { runId: 42 },
      { status: 'queued' },
      { fraction: Number.NaN },
      { fraction: -0.1 },
      { fraction: Number.POSITIVE_INFINITY },
      { at: 1.5 },
      { at: '1' },
    ]) {
      expect(stampBoardRun({ ...valid, ...broken }, ada), JSON.stringify(broken)).toBeUndefined();
    }
  });

  it('is what stampBoardPresence does with a board-run, so the endpoint drops a broken one', () => {
    expect(stampBoardPresence(valid, ada)).toEqual(stampBoardRun(valid, ada));
    expect(stampBoardPresence({ ...valid, fraction: Number.NaN }, ada)).toBeUndefined();
    // Without a user a broken run is still refused, not passed through as "another app's message".
    const { user: _, ...anonymous } = valid;
    expect(stampBoardPresence({ ...anonymous, states: 'x' }, ada)).toBeUndefined();
  });
});
