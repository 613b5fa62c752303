import type { ReactiveControllerHost } from 'lit';
import { WORKSPACE_INDEX_ID } from '../config.js';
import { DocumentIndex, type DocumentSummary } from '../core/document-index.js';
import { WorkflowIndex, type WorkflowSummary } from '../core/workflow-index.js';
import type { SessionRegistry } from '../sync/session-registry.js';
import { DocumentSessionController } from './document-session-controller.js';

/**
 * Binds a host to the workspace's document and workflow lists: opens the index document, exposes
 * it as a {@link DocumentIndex} and a {@link WorkflowIndex} and re-renders the host whenever either
 * list changes, locally or remotely.
 */
export class DocumentIndexController extends DocumentSessionController {
  /** The list, or `null` until a registry is attached. */
  index: DocumentIndex | null = null;
  /** The current rows, most recently updated first. */
  documents: DocumentSummary[] = [];
  /** The workflow list (same Y.Doc), or `null` until a registry is attached. */
  workflowIndex: WorkflowIndex | null = null;
  /** The current workflow rows, most recently updated first. */
  workflows: WorkflowSummary[] = [];

  private stopObserving: (() => void) | null = null;
  private boundDoc: object | null = null;

  constructor(
    host: ReactiveControllerHost,
    private readonly clock: { now: () => Date; newId: () => string },
  ) {
    super(host, { presence: false });
  }

  /** Opens the index from `registry`. */
  attach(registry: SessionRegistry | undefined): void {
    this.open(registry, WORKSPACE_INDEX_ID);
    this.bindIndex();
  }

  override hostConnected(): void {
    super.hostConnected();
    this.bindIndex();
  }

  override hostDisconnected(): void {
    super.hostDisconnected();
    this.bindIndex();
  }

  private bindIndex(): void {
    const doc = this.session?.doc ?? null;
    if (this.index !== null && doc !== null && this.boundDoc === doc) return;
    this.stopObserving?.();
    this.stopObserving = null;
    this.boundDoc = doc;
    if (doc === null) {
      this.index = null;
      this.documents = [];
      this.workflowIndex = null;
      this.workflows = [];
      return;
    }
    const index = new DocumentIndex(doc, this.clock.now, this.clock.newId);
    const workflows = new WorkflowIndex(doc, this.clock.now);
    this.index = index;
    this.workflowIndex = workflows;
    this.documents = index.list();
    this.workflows = workflows.list();
    const stopDocuments = index.observe(() => {
      this.documents = index.list();
      this.host.requestUpdate();
    });
    const stopWorkflows = workflows.observe(() => {
      this.workflows = workflows.list();
      this.host.requestUpdate();
    });
    this.stopObserving = () => {
      stopDocuments();
      stopWorkflows();
    };
  }
}
