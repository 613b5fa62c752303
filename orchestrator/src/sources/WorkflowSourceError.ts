// Why a workflow could not be loaded to run: a file that is not a workflow export, a team server that
// refused or does not have it. Nothing was started when one of these is thrown.

/** Why a workflow could not be loaded; each is one cause a person can act on. */
export const WorkflowSourceErrorCode = {
  /** The file could not be read (missing, a folder, no permission). */
  unreadable: 'unreadable',
  /** The file is larger than {@link MAX_WORKFLOW_FILE_BYTES}. */
  tooLarge: 'too_large',
  /** The file is not UTF-8 JSON; the problem names the line and column. */
  notJson: 'not_json',
  /** JSON, but not a workflow export, or a workflow the server's gate would refuse (`problems`). */
  notAWorkflow: 'not_a_workflow',
  /** The team server refused the token (missing, not one, or expired). */
  unauthorized: 'unauthorized',
  /** The user is not a member of the workflow's workspace. */
  forbidden: 'forbidden',
  /** The team server knows no workflow by this id. */
  notFound: 'not_found',
  /** The team server could not be reached or did not answer in time. */
  unreachable: 'unreachable',
} as const;
export type WorkflowSourceErrorCode = (typeof WorkflowSourceErrorCode)[keyof typeof WorkflowSourceErrorCode];

/** 10 MiB: a 10,000-node workflow is about 3 MiB of JSON; anything larger is not a workflow file. */
export const MAX_WORKFLOW_FILE_BYTES = 10 * 1024 * 1024;

/** One problem with a workflow source: where (a dotted path, or `line 3, column 5`) and what. */
export interface WorkflowProblem {
  readonly path: string;
  readonly message: string;
}

/**
 * A workflow could not be loaded to run; nothing was started. `code` says why, `problems` lists
 * what is wrong where (for a file: its JSON position or the path of each bad field).
 */
export class WorkflowSourceError extends Error {
  override name = 'WorkflowSourceError';
  constructor(
    readonly code: WorkflowSourceErrorCode,
    message: string,
    readonly problems: readonly WorkflowProblem[] = [],
  ) {
    super(
      problems.length === 0
        ? message
        : `${message}\n${problems
            .slice(0, 10)
            .map((p) => `  ${p.path || '(file)'}: ${p.message}`)
            .join('\n')}${problems.length > 10 ? `\n  …and ${problems.length - 10} more` : ''}`,
    );
  }
}
