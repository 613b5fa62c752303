// A Lit controller binding an element to a Workspace's Document and Workflow lists (its index document),
// re-rendering on every change and reporting this replica's own creates, renames and deletes for OFB.
import { type WorkspaceId, workspaceIndexDocumentId } from '@symphony/schemas';
import type { ReactiveControllerHost } from 'lit';
import { DocumentIndex, type DocumentSummary } from '../core/document-index.js';
import { type IndexMutation, watchIndexMutations } from '../core/index-mutations.js';
import { WorkflowIndex, type WorkflowSummary } from '../core/workflow-index.js';
import type { SessionRegistry } from '../sync/session-registry.js';
import { DocumentSessionController } from './document-session-controller.js';

/**
 * Binds a host to a workspace's document and workflow lists: opens its index document
 * (`workspace-<id>`), exposes it as a {@link DocumentIndex} and a {@link WorkflowIndex}, re-renders
 * the host whenever either list changes, locally or remotely, and reports this replica's own
 * creates, renames and deletes (to register them with OFB).
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

  /** The workspace whose index is open, or `null`. */
  workspaceId: WorkspaceId | null = null;

  private stopObserving: (() => void) | null = null;
  private boundDoc: object | null = null;

  constructor(
    host: ReactiveControllerHost,
    private readonly clock: { now: () => Date; newId: () => string },
    /** Called for each document or workflow this replica creates, renames or deletes. */
    private readonly onMutation: (workspaceId: WorkspaceId, mutation: IndexMutation) => void = () => {},
  ) {
    super(host, { presence: false });
  }

  /** Opens the index of `workspaceId` from `registry` (none when either is missing). */
  attach(registry: SessionRegistry | undefined, workspaceId: WorkspaceId | null): void {
    if (workspaceId !== this.workspaceId) this.boundDoc = null;
    this.workspaceId = workspaceId;
    this.open(registry, workspaceId === null ? null : workspaceIndexDocumentId(workspaceId));
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
    const workspaceId = this.workspaceId;
    const stopMutations =
      workspaceId === null ? () => {} : watchIndexMutations(doc, (m) => this.onMutation(workspaceId, m));
    const stopDocuments = index.observe(() => {
      this.documents = index.list();
      this.host.requestUpdate();
    });
    const stopWorkflows = workflows.observe(() => {
      this.workflows = workflows.list();
      this.host.requestUpdate();
    });
    this.stopObserving = () => {
      stopMutations();
      stopDocuments();
      stopWorkflows();
    };
  }
}
