// Whether the board's Run button shows, and why it is disabled when it is: one pure decision the
// toolbar, its tooltip, the shortcut and the tests share. And the shortcut itself.
import type { Role } from '@symphony/schemas';
import type { KeyChord } from '../core/board-shortcuts.js';
import { MonitorState, type MonitorStatus } from './monitor-connection.js';

/** Ctrl+Enter (⌘+Enter on a Mac): runs the workflow. Free on the board and in the app's keys. */
export const RUN_SHORTCUT: KeyChord = { key: 'Enter', mod: true, shift: false, alt: false };

/** Whether a key press is {@link RUN_SHORTCUT}. */
export function isRunShortcut(press: {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}): boolean {
  return press.key === 'Enter' && (press.ctrlKey || press.metaKey) && !press.shiftKey && !press.altKey;
}

/** What decides the Run button. */
export interface RunButtonContext {
  /** The person may not edit this workflow (a viewer, or the server locked the board). */
  readonly locked: boolean;
  /** The caller's role on the workflow as the orchestrator said it (null: it has not answered yet). */
  readonly role: Role | null;
  /** Why the orchestrator refused to show this workflow's runs, when it did. */
  readonly refusal?: { readonly message: string } | null;
  readonly status: MonitorStatus;
  /** The orchestrator's base URL, for the reason. */
  readonly orchestratorUrl: string;
  /** The workflow's error findings, first first. */
  readonly errors: readonly { readonly message: string }[];
  /** A start, rerun or resume is on its way. */
  readonly starting: boolean;
  /** Whether the workflow has any node that runs. */
  readonly hasWork: boolean;
  /** The workflow's registration with the team server is still queued: it cannot be run from there yet. */
  readonly registering?: boolean;
}

/** The Run button: absent (a viewer), or present and enabled, or present and disabled with the reason. */
export type RunButtonState =
  | { readonly shown: false }
  | { readonly shown: true; readonly disabledReason: string | null };

/**
 * The Run button for `context`. A viewer (by the workspace, or by the orchestrator's answer) gets
 * none: watching is all they may do. Otherwise it is disabled, with the reason, while the workflow
 * has errors, while the orchestrator is not connected, refused the sign-in or the workflow's runs,
 * or has not said the caller's role yet, while a start is on its way, and for a workflow with
 * nothing to run.
 */
export function runButtonState(context: RunButtonContext): RunButtonState {
  if (context.locked || context.role === 'viewer') return { shown: false };
  return { shown: true, disabledReason: disabledReason(context) };
}

function disabledReason(context: RunButtonContext): string | null {
  const { status } = context;
  if (status.state === MonitorState.unreachable)
    return `The orchestrator is not running at ${context.orchestratorUrl}. Start it with npm start (or npx symphony serve).`;
  if (status.state === MonitorState.refused) return status.reason;
  if (status.state === MonitorState.connecting) return 'Connecting to the orchestrator…';
  if (context.refusal != null) return context.refusal.message;
  if (context.role === null) return 'Waiting for the orchestrator…';
  const [first] = context.errors;
  if (first !== undefined) {
    const count = context.errors.length;
    return `Fix ${count === 1 ? 'the problem' : `the ${count} problems`} first: ${first.message}`;
  }
  if (context.registering === true)
    return 'Waiting for the team server to register this workflow; it can run once it has.';
  if (!context.hasWork) return 'Add a node that does something first: this workflow has nothing to run.';
  if (context.starting) return 'Starting the run…';
  return null;
}
