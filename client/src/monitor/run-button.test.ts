// Tests of the Run button's decision (absent for a viewer, disabled with the reason) and its shortcut.
import type { MonitorHealth } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { chordText, matchShortcut } from '../core/board-shortcuts.js';
import type { MonitorStatus } from './monitor-connection.js';
import { isRunShortcut, RUN_SHORTCUT, type RunButtonContext, runButtonState } from './run-button.js';

const connected: MonitorStatus = {
  state: 'connected',
  user: { id: 'u1', name: 'ada' },
  health: {} as MonitorHealth,
};
const base: RunButtonContext = {
  locked: false,
  role: 'editor',
  status: connected,
  orchestratorUrl: 'http://127.0.0.1:4322',
  errors: [],
  starting: false,
  hasWork: true,
};
const press = (
  over: Partial<{ key: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean; altKey: boolean }>,
) => ({
  key: 'Enter',
  ctrlKey: false,
  metaKey: false,
  shiftKey: false,
  altKey: false,
  ...over,
});

describe('runButtonState', () => {
  it('is enabled for an editor of a valid workflow with the orchestrator connected', () => {
    expect(runButtonState(base)).toEqual({ shown: true, disabledReason: null });
  });

  it('is absent for a viewer, by the workspace or by the orchestrator’s answer', () => {
    expect(runButtonState({ ...base, locked: true })).toEqual({ shown: false });
    expect(runButtonState({ ...base, role: 'viewer' })).toEqual({ shown: false });
  });

  it('is disabled until the orchestrator has said the caller’s role, and after it refused the workflow’s runs', () => {
    expect(runButtonState({ ...base, role: null })).toEqual({
      shown: true,
      disabledReason: 'Waiting for the orchestrator…',
    });
    const refusal = { message: 'You are not a member of this workflow’s workspace.' };
    expect(runButtonState({ ...base, refusal })).toEqual({ shown: true, disabledReason: refusal.message });
    expect(runButtonState({ ...base, role: null, refusal })).toEqual({
      shown: true,
      disabledReason: refusal.message,
    });
  });

  it('says how to start the orchestrator while it is unreachable', () => {
    const state = runButtonState({
      ...base,
      status: { state: 'unreachable', reason: 'no orchestrator answers', wasConnected: false },
    });
    expect(state).toEqual({
      shown: true,
      disabledReason:
        'The orchestrator is not running at http://127.0.0.1:4322. Start it with npm start (or npx symphony serve).',
    });
  });

  it('passes on a refused sign-in and says it is connecting while it is', () => {
    const refused = runButtonState({
      ...base,
      status: { state: 'refused', code: 'invalid_token', reason: 'Sign in again to run workflows.' },
    });
    expect(refused).toEqual({ shown: true, disabledReason: 'Sign in again to run workflows.' });
    expect(runButtonState({ ...base, status: { state: 'connecting' } })).toMatchObject({
      disabledReason: 'Connecting to the orchestrator…',
    });
  });

  it('names the first problem and how many there are while the workflow has errors', () => {
    expect(
      runButtonState({ ...base, errors: [{ message: 'summarize needs its text input' }] }),
    ).toMatchObject({
      disabledReason: 'Fix the problem first: summarize needs its text input',
    });
    expect(runButtonState({ ...base, errors: [{ message: 'first' }, { message: 'second' }] })).toMatchObject({
      disabledReason: 'Fix the 2 problems first: first',
    });
  });

  it('is disabled for a workflow with nothing to run and while a start is on its way', () => {
    expect(runButtonState({ ...base, hasWork: false })).toMatchObject({
      shown: true,
      disabledReason: expect.stringMatching(/nothing to run/),
    });
    expect(runButtonState({ ...base, starting: true })).toMatchObject({
      disabledReason: 'Starting the run…',
    });
    expect(runButtonState({ ...base, registering: true })).toMatchObject({
      disabledReason: expect.stringMatching(/register this workflow/),
    });
  });
});

describe('the Run shortcut', () => {
  it('is Ctrl+Enter or ⌘+Enter, nothing else', () => {
    expect(isRunShortcut(press({ ctrlKey: true }))).toBe(true);
    expect(isRunShortcut(press({ metaKey: true }))).toBe(true);
    expect(isRunShortcut(press({}))).toBe(false);
    expect(isRunShortcut(press({ ctrlKey: true, shiftKey: true }))).toBe(false);
    expect(isRunShortcut(press({ ctrlKey: true, altKey: true }))).toBe(false);
    expect(isRunShortcut(press({ key: 'a', ctrlKey: true }))).toBe(false);
    expect(chordText(RUN_SHORTCUT)).toBe('Ctrl+Enter');
    expect(chordText(RUN_SHORTCUT, true)).toBe('⌘+Enter');
  });

  it('clashes with no board shortcut, in either mode', () => {
    expect(matchShortcut({ key: 'Enter', mod: true, shift: false }, 'board')).toBeNull();
    expect(matchShortcut({ key: 'Enter', mod: true, shift: false }, 'connect')).toBeNull();
  });
});
