// PostgreSQL's refusals as the store's named errors: a taken key is a ConflictError, a missing
// referenced row a MissingReferenceError, unstorable text an InvalidTextError. Handlers never see a code.
import { ConflictError, InvalidTextError, MissingReferenceError } from '../../OfbStore.js';
import type { SqlDriver } from '../SqlDriver.js';

/** Postgres's unique_violation. */
const UNIQUE_VIOLATION = '23505';

/** Postgres's foreign_key_violation. */
const FOREIGN_KEY_VIOLATION = '23503';

/** Runs `run`, throwing a foreign-key violation as {@link MissingReferenceError} naming `what`. */
export async function referenced<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if ((error as { code?: string }).code === FOREIGN_KEY_VIOLATION)
      throw new MissingReferenceError(`${what} does not exist`);
    throw error;
  }
}

/** Runs `run`, throwing a unique violation as {@link ConflictError} naming `what`. */
export async function unique<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION)
      throw new ConflictError(`${what} already exists`);
    throw error;
  }
}

/**
 * PostgreSQL's codes for text it cannot store: character_not_in_repertoire (a NUL in a `text`
 * parameter) and untranslatable_character (`\u0000` in `jsonb`).
 */
const UNSTORABLE_TEXT = new Set(['22021', '22P05']);

/** `db`, with every refusal of unstorable text thrown as {@link InvalidTextError}. */
export function textChecked(db: SqlDriver): SqlDriver {
  const check = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (UNSTORABLE_TEXT.has((error as { code?: string }).code ?? ''))
        throw new InvalidTextError(`text the database cannot store: ${(error as Error).message}`);
      throw error;
    }
  };
  return {
    query: (text, params) => check(() => db.query(text, params)),
    exec: (text) => check(() => db.exec(text)),
    transaction: (fn) => check(() => db.transaction(fn)),
    close: () => db.close(),
  };
}
