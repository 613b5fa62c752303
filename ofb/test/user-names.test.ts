// User names are unique by userNameKey (case and NFKC look-alikes): sign-up refuses a taken key,
// sign-in and invitations find the user whatever the case, and the migration keeps old collisions.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { OfbErrorCode } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationsDir } from '../src/adapters/migrations.js';
import { freshName, startTestOfb, TEST_OFB_PASSWORD, type TestOfb } from '../src/testing.js';

let ofb: TestOfb;
beforeAll(async () => {
  ofb = await startTestOfb({ authRateLimit: false });
}, 30_000);
afterAll(() => ofb?.close());

describe('user names', () => {
  it('refuses a sign-up whose name differs from a taken one only by case (409 name_taken)', async () => {
    const name = freshName('alice_t1');
    await ofb.signUp(name);
    const again = await ofb.call('sign-up', { name: name.toUpperCase(), password: TEST_OFB_PASSWORD });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe(OfbErrorCode.nameTaken);
    expect(again.body.error.message).toMatch(new RegExp(`"${name.toUpperCase()}" is taken`));
  });

  it('signs in with any case of the name, as the user signed up', async () => {
    const alice = await ofb.signUp(freshName('Alice'));
    const session = await ofb.ok('sign-in', { name: alice.name.toUpperCase(), password: TEST_OFB_PASSWORD });
    expect(session.user).toEqual({ id: alice.id, name: alice.name });
    const wrong = await ofb.call('sign-in', { name: alice.name.toLowerCase(), password: 'wrong-password' });
    expect(wrong.body.error.code).toBe(OfbErrorCode.invalidCredentials);
  });

  it('invites by name whatever its case', async () => {
    const owner = await ofb.signUp();
    const bob = await ofb.signUp(freshName('bob'));
    const workspaceId = await ofb.createWorkspace(owner);
    const { invitation } = await ofb.ok(
      'invite-member',
      { workspaceId, userName: bob.name.toUpperCase(), role: 'viewer' },
      owner.token,
    );
    expect(invitation.inviteeId).toBe(bob.id);
  });
});

describe('the name-key migration', () => {
  it('signs in a user whose name collided before keys were unique by its exact name', async () => {
    const name = freshName('dora');
    const first = await ofb.signUp(name);
    // As the migration leaves a later colliding account: its key is `<key>#<id>`.
    const hash = (
      await ofb.store.pglite.query<{ h: string }>('select password_hash as h from users where id = $1', [
        first.id,
      ])
    ).rows[0]!.h;
    await ofb.store.pglite.query(
      'insert into users (id, name, name_key, password_hash) values ($1, $2, $3, $4)',
      ['u-late', name.toUpperCase(), `${name}#u-late`, hash],
    );
    const late = await ofb.ok('sign-in', { name: name.toUpperCase(), password: TEST_OFB_PASSWORD });
    expect(late.user.id).toBe('u-late');
    const early = await ofb.ok('sign-in', { name, password: TEST_OFB_PASSWORD });
    expect(early.user.id).toBe(first.id);
  });

  it('backfills keys, giving names that already collide distinct keys, and refuses new look-alikes', async () => {
    const db = new PGlite();
    const files = readdirSync(migrationsDir)
      .filter((f) => f.endsWith('.sql'))
      .sort();
    const last = files.findIndex((f) => f.includes('name_keys_and_trash'));
    expect(last).toBeGreaterThan(0);
    for (const f of files.slice(0, last)) await db.exec(readFileSync(join(migrationsDir, f), 'utf8'));
    await db.exec(`insert into users (id, name, password_hash, created_at) values
      ('u1', 'alice', 'h', '2025-01-01'), ('u2', 'ALICE', 'h', '2025-01-02'),
      ('u3', 'Alice', 'h', '2025-01-03'), ('u4', 'bob', 'h', '2025-01-01')`);
    for (const f of files.slice(last)) await db.exec(readFileSync(join(migrationsDir, f), 'utf8'));
    const rows = await db.query<{ id: string; name_key: string }>(
      'select id, name_key from users order by id',
    );
    expect(rows.rows).toEqual([
      { id: 'u1', name_key: 'alice' },
      { id: 'u2', name_key: 'alice#u2' },
      { id: 'u3', name_key: 'alice#u3' },
      { id: 'u4', name_key: 'bob' },
    ]);
    await expect(
      db.exec("insert into users (id, name, name_key, password_hash) values ('u5', 'aLiCe', 'alice', 'h')"),
    ).rejects.toThrow(/users_name_key_unique/);
    // Rows written past OFB get their key from the database, and a rename cannot dodge it.
    await expect(
      db.exec("insert into users (id, name, password_hash) values ('u6', 'BOB', 'h')"),
    ).rejects.toThrow(/users_name_key_unique/);
    await expect(db.exec("update users set name = 'Bob' where id = 'u1'")).rejects.toThrow(
      /users_name_key_unique/,
    );
    await db.close();
  });
});
