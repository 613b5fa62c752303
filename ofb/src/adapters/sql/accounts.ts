// Users and sessions in SQL: the AccountStore role of SqlOfbStore.
import { userNameKey } from '@symphony/schemas';
import type { AccountStore, SessionRecord, SessionRevocation, UserRecord } from '../../OfbStore.js';
import type { SqlDriver } from '../SqlDriver.js';
import { unique } from './errors.js';
import { session, user } from './rows.js';

/** {@link AccountStore} over a {@link SqlDriver}. */
export class SqlAccountStore implements AccountStore {
  constructor(private readonly db: SqlDriver) {}

  async createUser(u: Omit<UserRecord, 'createdAt'>): Promise<UserRecord> {
    const rows = await unique(`user "${u.name}"`, () =>
      this.db.query(
        'insert into users (id, name, name_key, password_hash) values ($1, $2, $3, $4) returning *',
        [u.id, u.name, userNameKey(u.name), u.passwordHash],
      ),
    );
    return user(rows[0]!);
  }

  async findUserByName(name: string): Promise<UserRecord | null> {
    // The exact name first: accounts whose names collided before keys were unique keep theirs.
    const rows = await this.db.query(
      'select * from users where name = $1 or name_key = $2 order by (name = $1) desc limit 1',
      [name, userNameKey(name)],
    );
    return rows[0] ? user(rows[0]) : null;
  }

  async getUser(id: string): Promise<UserRecord | null> {
    const rows = await this.db.query('select * from users where id = $1', [id]);
    return rows[0] ? user(rows[0]) : null;
  }

  async setPasswordHash(userId: string, passwordHash: string): Promise<boolean> {
    const rows = await this.db.query('update users set password_hash = $2 where id = $1 returning id', [
      userId,
      passwordHash,
    ]);
    return rows.length > 0;
  }

  async createSession(
    s: Pick<SessionRecord, 'id' | 'userId' | 'createdAt' | 'expiresAt'>,
  ): Promise<SessionRecord> {
    const rows = await unique(`session ${s.id}`, () =>
      this.db.query(
        'insert into sessions (id, user_id, created_at, expires_at) values ($1, $2, $3, $4) returning *',
        [s.id, s.userId, s.createdAt, s.expiresAt],
      ),
    );
    return session(rows[0]!);
  }

  async getSession(id: string): Promise<SessionRecord | null> {
    const rows = await this.db.query('select * from sessions where id = $1', [id]);
    return rows[0] ? session(rows[0]) : null;
  }

  async getSessions(ids: readonly string[]): Promise<SessionRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.query('select * from sessions where id = any($1::text[])', [[...ids]]);
    return rows.map(session);
  }

  async revokeSession(id: string, reason: SessionRevocation, at: string): Promise<boolean> {
    const rows = await this.db.query(
      `update sessions set revoked_at = $3, revoked_reason = $2
       where id = $1 and revoked_at is null returning id`,
      [id, reason, at],
    );
    return rows.length > 0;
  }

  async revokeUserSessions(userId: string, reason: SessionRevocation, at: string): Promise<number> {
    const rows = await this.db.query(
      `update sessions set revoked_at = $3, revoked_reason = $2
       where user_id = $1 and revoked_at is null returning id`,
      [userId, reason, at],
    );
    return rows.length;
  }
}
