// Calls made with an idempotency key: the answer is stored with the write, in its transaction, and
// a repeat (or a concurrent duplicate) gets the stored answer instead of applying again.
import { errorBody, OfbErrorCode, type OfbFunctionName } from '@symphony/schemas';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { requestHash } from '../domain/idempotency.js';
import { ConflictError, type IdempotencyRecord, type OfbStore } from '../OfbStore.js';
import { OfbError } from './errors.js';

/** An answer: status and JSON body. */
export interface Answer {
  readonly status: ContentfulStatusCode;
  readonly body: unknown;
}

/** One call under a key: who makes it, the function, the key and the parsed request. */
export interface IdempotentCall {
  readonly fn: OfbFunctionName;
  readonly key: string;
  readonly userId: string;
  readonly input: unknown;
}

/** Thrown inside an idempotent call's transaction when its key is already stored: roll back, replay. */
class KeyTaken extends Error {
  override name = 'KeyTaken';
}

/**
 * Runs a mutation under an idempotency key. In one transaction: answer the stored answer if the
 * key has one; otherwise run the handler and store its answer with the write. A 4xx refusal rolls
 * the write back and is stored on its own, so a replay is refused the same way and never applied.
 * A concurrent duplicate's insert of the key waits for the first to commit and then fails: its
 * transaction (and its writes) roll back and it answers what the first stored.
 */
export async function runIdempotent(
  store: OfbStore,
  call: IdempotentCall,
  run: (db: OfbStore) => Promise<unknown>,
): Promise<Answer> {
  const { fn, key, userId } = call;
  const hash = requestHash(fn, call.input);
  const replay = (stored: IdempotencyRecord): Answer => {
    if (stored.function !== fn || stored.requestHash !== hash)
      throw new OfbError(
        422,
        'validation',
        OfbErrorCode.idempotencyKeyReused,
        `the idempotency key ${key} was already used for another ${stored.function === fn ? 'request body' : `function (${stored.function})`}; send a fresh key with each distinct call`,
        { function: stored.function },
      );
    return { status: stored.status as ContentfulStatusCode, body: stored.response };
  };
  const replayAfterRace = async (): Promise<Answer> => {
    const stored = await store.getIdempotencyRecord(userId, key);
    if (!stored)
      throw new OfbError(
        409,
        'conflict',
        OfbErrorCode.requestInProgress,
        `a call with the idempotency key ${key} is still running; retry it shortly`,
      );
    return replay(stored);
  };
  const save = (db: OfbStore, status: number, response: unknown) =>
    db.putIdempotencyRecord({ userId, key, function: fn, requestHash: hash, status, response });

  let outcome: { stored: IdempotencyRecord } | { result: unknown };
  try {
    outcome = await store.transaction(async (tx) => {
      const stored = await tx.getIdempotencyRecord(userId, key);
      if (stored) return { stored };
      const result = await run(tx);
      try {
        await save(tx, 200, result);
      } catch (error) {
        if (error instanceof ConflictError) throw new KeyTaken();
        throw error;
      }
      return { result };
    });
  } catch (error) {
    if (error instanceof KeyTaken) return replayAfterRace();
    if (!(error instanceof OfbError) || error.status >= 500) throw error;
    if (error.audit) await store.appendAudit(error.audit);
    const body = errorBody(error.category, error.code, error.message, error.details);
    try {
      await save(store, error.status, body);
    } catch (saveError) {
      if (saveError instanceof ConflictError) return replayAfterRace();
      throw saveError;
    }
    return { status: error.status, body };
  }
  return 'stored' in outcome ? replay(outcome.stored) : { status: 200, body: outcome.result };
}
