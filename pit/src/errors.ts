// The Pit's named errors: misuse of a port (bad arguments) and what a read can find wrong.
import type { ArtifactHash } from '@symphony/schemas';
import type { z } from 'zod';

/** A Pit function was called with arguments that fail its schema; `issues` lists each problem. */
export class PitInputError extends Error {
  override name = 'PitInputError';
  constructor(
    readonly api: string,
    readonly issues: readonly z.core.$ZodIssue[],
  ) {
    super(
      `${api}: invalid arguments: ${issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
        .join('; ')}`,
    );
  }
}

/** Parses `value` with `schema` for `api`, throwing {@link PitInputError} on failure. */
export function parseInput<S extends z.ZodType>(api: string, schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new PitInputError(api, parsed.error.issues);
  return parsed.data;
}

/** No artifact is stored under this hash. */
export class ArtifactNotFoundError extends Error {
  override name = 'ArtifactNotFoundError';
  constructor(readonly hash: ArtifactHash) {
    super(`no artifact ${hash} in the store`);
  }
}

/** The stored bytes no longer hash to their address: the blob is corrupt and was not returned. */
export class ArtifactCorruptError extends Error {
  override name = 'ArtifactCorruptError';
  constructor(
    readonly hash: ArtifactHash,
    readonly actual: string,
  ) {
    super(
      `artifact ${hash} is corrupt: its stored bytes hash to ${actual}; run "symphony artifacts verify", then re-run the node that made it`,
    );
  }
}

/** The journal's storage holds something that is not a journal (not a torn tail: a damaged middle). */
export class JournalCorruptError extends Error {
  override name = 'JournalCorruptError';
}
