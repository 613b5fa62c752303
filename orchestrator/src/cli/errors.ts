// How a `symphony` command ends: its exit codes, and the errors that choose one. Errors of the
// libraries underneath are classified by name, so this file imports none of them.

/** The exit codes of every command. */
export const ExitCode = {
  /** It did what was asked: the run succeeded, the check passed. */
  ok: 0,
  /** It ran and failed: a run failed or was cancelled, a check failed, a server refused or was unreachable. */
  failed: 1,
  /** It was asked wrongly: bad usage, or input it cannot take (a malformed or refused workflow, an unknown id). */
  badInput: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Misuse of the command line: reported with the command's usage text and exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  constructor(
    message: string,
    /** The usage text of the command that was misused; the overview when absent. */
    readonly usage?: string,
  ) {
    super(message);
  }
}

/** Input the command cannot take (a file that is not a workflow, an id that names nothing): exit 2. */
export class BadInputError extends Error {
  override name = 'BadInputError';
}

/** The command ran and failed (a server refused, a check failed): exit 1 with this message. */
export class CommandFailedError extends Error {
  override name = 'CommandFailedError';
}

/** Errors of the orchestrator and the Pit that mean the input was wrong, by their `name`. */
const BAD_INPUT_NAMES: ReadonlySet<string> = new Set([
  'BadInputError',
  'WorkflowSourceError',
  'WorkflowRefusedError',
  'OrchestratorInputError',
  'RunNotFoundError',
  'PitInputError',
  'ArtifactNotFoundError',
]);

/**
 * The exit code for an error that ended a command: 2 for misuse and bad input (see
 * {@link BAD_INPUT_NAMES}; a team server that cannot be reached is not bad input), 1 for
 * everything else.
 */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof UsageError) return ExitCode.badInput;
  if (!(error instanceof Error)) return ExitCode.failed;
  // A team server that does not answer is a failure to retry, not a wrong workflow.
  if (error.name === 'WorkflowSourceError' && (error as { code?: unknown }).code === 'unreachable')
    return ExitCode.failed;
  if (BAD_INPUT_NAMES.has(error.name)) return ExitCode.badInput;
  return ExitCode.failed;
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
