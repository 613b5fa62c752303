// The documents of runs `symphony serve` executes for several users: each call reaches the team
// server with the current token of the run's user (a refreshed token reopens the document), a run
// of nobody signed in fails with what to do. A real sync-server and real editor engines.
import { type DocumentId, RunErrorCode, type RunId } from '@symphony/schemas';
import type { SyncServer } from '@symphony/sync-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineDocuments } from '../src/documents/EngineDocuments.js';
import { UserDocuments } from '../src/serve/UserDocuments.js';
import { UserTokens } from '../src/serve/UserTokens.js';
import type { StepError } from '../src/steps/Step.js';
import { startTeamServer, type TableAccess, Tokens } from './team-server.js';

let server: SyncServer;
let access: TableAccess;
beforeEach(async () => {
  ({ server, access } = await startTeamServer());
});
afterEach(async () => {
  await server.close();
});

const live = () => new AbortController().signal;
const hour = () => Date.now() / 1000 + 3600;

async function rejection(promise: Promise<unknown>): Promise<StepError> {
  try {
    await promise;
  } catch (error) {
    return error as StepError;
  }
  throw new Error('expected a rejection');
}

describe('EngineDocuments with a token provider', () => {
  it('opens the document again with the token the provider answers now', async () => {
    const id = 'doc-refresh' as DocumentId;
    access.share(id);
    let token: string = Tokens.viewer;
    const docs = EngineDocuments.forServer({ server: server.url, token: () => token });
    try {
      const readOnly = await rejection(
        docs.write(id, { text: 'one', mode: 'append', marker: 'r/1' }, live()),
      );
      expect(readOnly.message).toContain('read-only');
      token = Tokens.editor;
      expect(await docs.write(id, { text: 'one', mode: 'append', marker: 'r/1' }, live())).toEqual({
        applied: true,
      });
      expect(await docs.read(id, live())).toBe('one');
    } finally {
      await docs.close();
    }
  });
});

describe('UserDocuments', () => {
  it('reaches each run’s document with its user’s latest token', async () => {
    const id = 'doc-users' as DocumentId;
    access.share(id);
    const tokens = new UserTokens(Date.now);
    const users: Record<string, { userId: string; userName: string }> = {
      run_editor0001: { userId: 'ed', userName: 'ed' },
      run_viewer0001: { userId: 'vi', userName: 'vi' },
    };
    const docs = new UserDocuments(server.url, tokens, (runId) => users[runId]);
    try {
      tokens.present({ userId: 'ed', userName: 'ed', exp: hour() }, Tokens.editor);
      tokens.present({ userId: 'vi', userName: 'vi', exp: hour() }, Tokens.viewer);
      const edit = { text: 'by the editor', mode: 'append' as const, marker: 'run_editor0001/w' };
      expect(await docs.write(id, edit, live(), { runId: 'run_editor0001' as RunId })).toEqual({
        applied: true,
      });
      const refused = await rejection(
        docs.write(id, { ...edit, marker: 'run_viewer0001/w' }, live(), { runId: 'run_viewer0001' as RunId }),
      );
      expect(refused.message).toContain('read-only');
      expect(await docs.read(id, live(), { runId: 'run_viewer0001' as RunId })).toBe('by the editor');

      const nobody = await rejection(docs.read(id, live(), { runId: 'run_nobody0001' as RunId }));
      expect(nobody).toMatchObject({ code: RunErrorCode.documentFailed, retryable: false });
      expect(nobody.message).toContain('not executed for any signed-in user');
      tokens.revoke(Tokens.viewer);
      const signedOut = await rejection(docs.read(id, live(), { runId: 'run_viewer0001' as RunId }));
      expect(signedOut).toMatchObject({ code: RunErrorCode.documentFailed, retryable: true });
      expect(signedOut.message).toContain('open the workflow on the board');
    } finally {
      await docs.close();
    }
  });
});
