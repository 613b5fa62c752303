// Tests of the OFB session: kept in localStorage, refreshed before expiry, retried offline, a 401 asking
// for sign-in, one refresh shared by concurrent callers.
import { errorBody } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { MemoryStringStore } from '../core/StringStore.js';
import { AuthSession, AuthStatus, SESSION_KEY } from './auth-session.js';
import type { OfbSession } from './ofb-client.js';
import { OfbUnreachableError, ofbErrorFromBody } from './ofb-errors.js';

const session = (token: string): OfbSession => ({
  access_token: token,
  token_type: 'bearer',
  expires_in: 3600,
  user: { id: 'u1', name: 'alice' },
});

function setup(refresh: (token: string) => Promise<OfbSession>) {
  const store = new MemoryStringStore();
  let now = 1_000_000;
  const timers: { run: () => void; ms: number }[] = [];
  const make = () =>
    new AuthSession({
      store,
      refresh,
      now: () => now,
      setTimer: (run, ms) => {
        const t = { run, ms };
        timers.push(t);
        return t;
      },
      clearTimer: (t) => {
        const i = timers.indexOf(t as never);
        if (i >= 0) timers.splice(i, 1);
      },
    });
  return { store, timers, make, advance: (ms: number) => (now += ms) };
}

describe('AuthSession', () => {
  it('keeps the session in localStorage with an absolute expiry and reads it back', () => {
    const { store, make } = setup(async () => session('t2'));
    const auth = make();
    expect(auth.status).toBe(AuthStatus.signedOut);
    auth.accept(session('t1'));
    expect(JSON.parse(store.getItem(SESSION_KEY) ?? '')).toEqual({
      access_token: 't1',
      expires_at: 1_000_000 + 3_600_000,
      user: { id: 'u1', name: 'alice' },
    });
    const again = make();
    expect(again.status).toBe(AuthStatus.signedIn);
    expect(again.token).toBe('t1');
  });

  it('refreshes two minutes before expiry', async () => {
    const { timers, make } = setup(async () => session('t2'));
    const auth = make();
    auth.accept(session('t1'));
    expect(timers.at(-1)?.ms).toBe(3_600_000 - 120_000);
    expect(await auth.refresh()).toBe('refreshed');
    expect(auth.token).toBe('t2');
  });

  it('offline: keeps the session and tries again later', async () => {
    const { timers, make } = setup(async () => {
      throw new OfbUnreachableError('offline');
    });
    const auth = make();
    auth.accept(session('t1'));
    expect(await auth.refresh()).toBe('offline');
    expect(auth.status).toBe(AuthStatus.signedIn);
    expect(auth.token).toBe('t1');
    expect(timers.at(-1)?.ms).toBe(30_000);
  });

  it('refused (401): asks for sign-in but keeps who the user was', async () => {
    const { make } = setup(async () => {
      throw ofbErrorFromBody(401, errorBody('auth', 'token_expired', 'the token has expired'));
    });
    const auth = make();
    auth.accept(session('t1'));
    expect(await auth.refresh()).toBe('refused');
    expect(auth.status).toBe(AuthStatus.needsSignIn);
    expect(auth.session?.user.name).toBe('alice');
    auth.accept(session('t3'));
    expect(auth.status).toBe(AuthStatus.signedIn);
  });

  it('shares one request between concurrent refreshes (many sockets closing with 4419 at once)', async () => {
    let calls = 0;
    const { make } = setup(async () => {
      calls++;
      return session('t2');
    });
    const auth = make();
    auth.accept(session('t1'));
    await Promise.all([auth.refresh(), auth.refresh(), auth.refresh()]);
    expect(calls).toBe(1);
  });
});
