// A team server for the orchestrator's tests: a real sync-server on a loopback port, in memory, whose
// access is a table the test fills (as OFB would answer), and storage whose writes can be held back.
import type { DocumentId, Role } from '@symphony/schemas';
import {
  type Access,
  type AccessCheck,
  type AccessControl,
  type Denial,
  DenialReason,
  type DocumentPersistence,
  MemoryAutomergeStorage,
  MemoryDocumentPersistence,
  ResourceKind,
  type SyncServer,
} from '@symphony/sync-server';
import { startTestServer } from '@symphony/sync-server/testing';

/** Tokens the table knows; any other is not a token of this project (4401). */
export const Tokens = { editor: 'editor-token', viewer: 'viewer-token', stranger: 'stranger-token' } as const;

/**
 * Who may open what: resource (document or workflow id) → token → role. A known token without a
 * role on a resource is a stranger to it (4403); an unknown resource is unknown (4410).
 */
export class TableAccess implements AccessControl {
  readonly #roles = new Map<string, { kind: ResourceKind; roles: Record<string, Role> }>();

  /** Lets the editor token edit and the viewer token view `resourceId`. */
  share(resourceId: string, kind: ResourceKind = ResourceKind.document): void {
    this.#roles.set(resourceId, { kind, roles: { [Tokens.editor]: 'editor', [Tokens.viewer]: 'viewer' } });
  }

  async authorize(token: string, resourceId: string): Promise<Access | Denial> {
    if (!(Object.values(Tokens) as string[]).includes(token)) {
      return { ok: false, reason: DenialReason.unauthenticated, message: 'not a token of this project' };
    }
    const entry = this.#roles.get(resourceId);
    if (!entry) return { ok: false, reason: DenialReason.unknown, message: 'no such resource' };
    const role = entry.roles[token];
    if (!role) return { ok: false, reason: DenialReason.forbidden, message: 'not a member' };
    return {
      ok: true,
      role,
      workspaceId: 'team',
      kind: entry.kind,
      userId: token,
      userName: token,
      exp: Number.POSITIVE_INFINITY,
    };
  }

  authorizeMany(checks: readonly AccessCheck[]): Promise<(Access | Denial)[]> {
    return Promise.all(checks.map((check) => this.authorize(check.token, check.resourceId)));
  }
}

/** Document storage whose appends can be held back (the server has an edit, not yet stored). */
export class GatedPersistence implements DocumentPersistence {
  readonly #inner = new MemoryDocumentPersistence();
  #gate: Promise<void> | undefined;
  #open: () => void = () => {};
  /** Appends waiting for {@link release}. */
  waiting = 0;

  hold(): void {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  release(): void {
    this.#gate = undefined;
    this.#open();
  }

  load(documentId: DocumentId): Promise<Uint8Array[]> {
    return this.#inner.load(documentId);
  }

  async append(documentId: DocumentId, updates: readonly Uint8Array[]): Promise<void> {
    const gate = this.#gate;
    if (gate) {
      this.waiting++;
      await gate;
      this.waiting--;
    }
    return this.#inner.append(documentId, updates);
  }

  compact(documentId: DocumentId, state: Uint8Array): Promise<void> {
    return this.#inner.compact(documentId, state);
  }

  list(): Promise<DocumentId[]> {
    return this.#inner.list();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** A team server in memory with table access; `close()` it after the test. */
export async function startTeamServer(): Promise<{
  server: SyncServer;
  access: TableAccess;
  persistence: GatedPersistence;
}> {
  const access = new TableAccess();
  const persistence = new GatedPersistence();
  const server = await startTestServer(
    {},
    { persistence, automergeStorage: new MemoryAutomergeStorage(), access },
  );
  return { server, access, persistence };
}

/** Polls `check` until it returns true, or fails naming `what` after `ms`. */
export async function until(check: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
