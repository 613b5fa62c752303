// The app shell's workflow commands (create blank or from a template, import a file, rename,
// forget) and the lazily loaded workflow repo they run on, as a controller of <symphony-app>.
import { instantiateTemplate, type Workflow, WorkflowTemplates } from '@symphony/schemas';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { MAX_WORKFLOW_FILE_BYTES, parseWorkflowFile } from '../core/workflow-file.js';
import type { WorkflowIndex } from '../core/workflow-index.js';
import type { WorkflowSync } from '../sync/workflow-sync.js';

/** Loads (once) the page's workflow repo; workflows and their WASM load only when first needed. */
export type WorkflowSyncLoader = () => Promise<WorkflowSync>;

/** What the commands need of the host app. */
export interface WorkflowCommandsHost {
  /** The loader the entry point set, if any yet. */
  readonly loader: () => WorkflowSyncLoader | undefined;
  /** The current workspace's workflow list, or null while it is not open. */
  readonly index: () => WorkflowIndex | null;
  /** Opens the workflow at `url` (navigates to its board). */
  readonly open: (url: string) => void;
  /** Shows a passing notice. */
  readonly notify: (notice: { text: string; kind: 'info' | 'error' }) => void;
}

/**
 * Runs the workflow commands of the home page and the dev hook: loads the workflow repo on first
 * use (and re-renders the host on every change of it), creates workflows blank, from a template or
 * from an exported file, renames and forgets them. A file that cannot be imported leaves its
 * reasons in {@link WorkflowCommandsController.importErrors} for the list to show.
 */
export class WorkflowCommandsController implements ReactiveController {
  /** The workflow repo, once loaded. */
  sync: WorkflowSync | undefined;
  /** Why the last imported file was refused, in words for the person; empty when it was not. */
  importErrors: readonly string[] = [];

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly app: WorkflowCommandsHost,
  ) {
    host.addController(this);
  }

  /** Nothing to start: the repo loads on the first command or the first workflow page. */
  hostConnected(): void {}

  /** The workflow repo, loading it the first time. */
  async ensureLoaded(): Promise<WorkflowSync | undefined> {
    if (this.sync !== undefined) return this.sync;
    const sync = await this.app.loader()?.();
    if (sync !== undefined && this.sync === undefined) {
      this.sync = sync;
      this.host.requestUpdate();
      sync.subscribe(() => this.host.requestUpdate());
    }
    return this.sync;
  }

  /**
   * Creates a workflow document holding `workflow`, lists it in the workspace and opens it.
   * Returns its automerge URL.
   */
  async create(workflow: Workflow): Promise<string | undefined> {
    const sync = await this.ensureLoaded();
    const index = this.app.index();
    if (sync === undefined || index === null) return undefined;
    const handle = sync.create(workflow);
    index.add(handle.url, workflow.name);
    this.app.open(handle.url);
    return handle.url;
  }

  /**
   * Creates a workflow from template `templateId` with the `documents` the person chose for its
   * questions (slot → document id; unanswered ones stay empty for the board to ask), or a blank
   * workflow for null or an unknown id.
   */
  async createFromTemplate(
    templateId: string | null,
    documents: Readonly<Record<string, string>> = {},
  ): Promise<void> {
    const template = WorkflowTemplates.find((t) => t.id === templateId);
    await this.create(
      template === undefined
        ? { name: 'Untitled workflow', nodes: {}, edges: {} }
        : instantiateTemplate(template, template.name, documents),
    );
  }

  /** Forgets the workflow at `url` on this device (the list already dropped it). */
  async forget(url: string): Promise<void> {
    (await this.ensureLoaded())?.forget(url);
  }

  /** Renames the workflow document at `url` to `name` (the list already has the new name). */
  async rename(url: string, name: string): Promise<void> {
    const sync = await this.ensureLoaded();
    try {
      const handle = await sync?.find(url);
      handle?.change((doc) => {
        doc.name = name;
      });
    } catch {
      // Not on this device and not reachable: the list has the new name; the document follows
      // when someone who has it opens it (the board keeps the list and the document in step).
    }
  }

  /** Creates a workflow from an exported file, or says in {@link importErrors} why not. */
  async importFile(file: File): Promise<void> {
    this.setImportErrors([]);
    if (file.size > MAX_WORKFLOW_FILE_BYTES) {
      this.setImportErrors([`“${file.name}” is larger than 10 MB; a workflow export is much smaller.`]);
      return;
    }
    let text: string;
    try {
      text = await file.text();
    } catch {
      this.setImportErrors([`Could not read “${file.name}”.`]);
      return;
    }
    const result = parseWorkflowFile(text);
    if (!result.ok) {
      this.setImportErrors(result.errors);
      return;
    }
    await this.create(result.workflow);
    this.app.notify({ kind: 'info', text: `Imported “${file.name}”.` });
  }

  private setImportErrors(errors: readonly string[]): void {
    this.importErrors = errors;
    this.host.requestUpdate();
  }
}
