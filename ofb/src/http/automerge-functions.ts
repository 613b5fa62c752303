import * as Automerge from '@automerge/automerge';
import {
  base64ToBytes,
  bytesToBase64,
  checkWorkflowDocument,
  type EdgeId,
  type OfbRequests,
  type RejectReason,
  type Role,
  validateWorkflow,
  Workflow,
} from '@symphony/schemas';
import type { z } from 'zod';
import type { Claims } from '../auth.js';
import type { Action, ResourceKind } from '../domain/rbac.js';
import { checkDocumentSize, type RulesConfig } from '../domain/rules.js';
import type { AutomergeChunkRecord, OfbStore } from '../OfbStore.js';
import { OfbError } from './app.js';
import { KeyedQueue } from './keyed-queue.js';
import { writerAudits } from './writers.js';

/** The functions this module answers. */
export type AutomergeFunctionName =
  | 'automerge-save'
  | 'automerge-load'
  | 'automerge-load-range'
  | 'automerge-remove'
  | 'automerge-remove-range'
  | 'validate-workflow';

type Requests = typeof OfbRequests;
/** The handlers, shaped as `createOfbApp`'s table wants them. */
export type AutomergeHandlers = {
  [N in AutomergeFunctionName]: (
    input: z.output<Requests[N]>,
    ctx: { claims: Claims | null },
  ) => Promise<unknown>;
};

/** What the handlers need from the app: its store and rules, and its two caller checks. */
export interface AutomergeFunctionsDeps {
  readonly store: OfbStore;
  readonly rules: RulesConfig;
  readonly requireUser: (claims: Claims | null) => Claims;
  /** The app's decide-and-audit step; throws a 403 `OfbError` (with its audit entry) when denied. */
  readonly authorize: (
    tx: OfbStore,
    caller: Claims,
    workspaceId: string,
    action: Action,
    kind: ResourceKind,
    resourceId: string,
  ) => Promise<Role | null>;
  /** Loaded workflows kept in memory so a save applies only its new chunks; default 64. */
  readonly cachedWorkflows?: number;
}

/**
 * First key parts that are the sync-server's own storage, not a document: automerge-repo's
 * `StorageSubsystem` keeps its adapter id under `['storage-adapter-id']`. Such rows have no document.
 */
export const SERVER_KEYS: ReadonlySet<string> = new Set(['storage-adapter-id']);

/** Second key parts whose chunks make up the document (`sync-state` chunks are peers' sync states). */
const DOCUMENT_CHUNK_TYPES: ReadonlySet<string> = new Set(['snapshot', 'incremental']);

type Doc = Automerge.Doc<unknown>;

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Every Automerge chunk starts with these bytes, then a 4-byte checksum, a type byte and a length. */
const CHUNK_MAGIC = [0x85, 0x6f, 0x4a, 0x83] as const;
const CHUNK_TYPE_OFFSET = 8;

/**
 * Checks that a stored chunk (a snapshot or `saveSince` output: Automerge chunks back to back)
 * decodes, chunk by chunk: `loadIncremental` silently skips bytes it cannot parse, so without this a
 * corrupt chunk would be stored and fail every later load. Throws naming the problem.
 */
function checkChunkBytes(bytes: Uint8Array): void {
  let at = 0;
  if (bytes.byteLength === 0) throw new Error('empty chunk');
  while (at < bytes.byteLength) {
    if (!CHUNK_MAGIC.every((b, i) => bytes[at + i] === b)) throw new Error(`no chunk magic bytes at ${at}`);
    let p = at + CHUNK_TYPE_OFFSET + 1;
    let length = 0;
    for (let shift = 0; ; shift += 7) {
      if (p >= bytes.byteLength || shift > 28) throw new Error(`a chunk header at ${at} is cut off`);
      const byte = bytes[p++]!;
      length += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) break;
    }
    const end = p + length;
    if (end > bytes.byteLength) throw new Error(`a chunk at ${at} declares ${length} bytes; fewer follow`);
    const chunk = bytes.subarray(at, end);
    if (chunk[CHUNK_TYPE_OFFSET] === 0) Automerge.load(chunk);
    else Automerge.decodeChange(chunk);
    at = end;
  }
}

const isServerKey = (key: readonly string[]): boolean => key.length === 1 && SERVER_KEYS.has(key[0]!);
const isDocumentChunk = (key: readonly string[]): boolean =>
  key.length >= 2 && DOCUMENT_CHUNK_TYPES.has(key[1]!);

/**
 * A tiny LRU of loaded workflows (a `Map` iterates in insertion order, so the first key is the
 * oldest). Each entry carries the document row's creation time: a workflow deleted and created
 * again under the same id never meets the old copy.
 */
class DocCache {
  private readonly docs = new Map<string, { readonly createdAt: string; readonly doc: Doc }>();
  constructor(private readonly capacity: number) {}

  /** Removes and returns the document: an Automerge doc may not be used again once changed. */
  take(id: string, createdAt: string): Doc | undefined {
    const entry = this.docs.get(id);
    this.docs.delete(id);
    return entry?.createdAt === createdAt ? entry.doc : undefined;
  }

  put(id: string, createdAt: string, doc: Doc): void {
    this.docs.delete(id);
    this.docs.set(id, { createdAt, doc });
    while (this.docs.size > this.capacity) this.docs.delete(this.docs.keys().next().value!);
  }

  drop(id: string): void {
    this.docs.delete(id);
  }
}

const invalidWorkflow = (documentId: string, issues: { path: string; message: string }[]) =>
  new OfbError(
    422,
    'validation',
    'invalid_workflow',
    `the chunks would leave workflow ${documentId} outside the Workflow schema: ${issues
      .slice(0, 3)
      .map((i) => `${i.path || '(document)'}: ${i.message}`)
      .join('; ')}`,
    { documentId, issues },
  );

/**
 * OFB's automerge-repo storage functions for the sync-server (service_role only), and
 * `validate-workflow` for members. OFB is authoritative for workflows: a save is refused unless the
 * workflow, loaded with the new chunks, still passes {@link checkWorkflowDocument} and stays under the
 * rules' document size. Saves and removals of one document run one at a time in this process, so
 * the in-memory copy a save checks against is always the stored one.
 */
export function automergeFunctions(deps: AutomergeFunctionsDeps): AutomergeHandlers {
  const { store, rules, requireUser, authorize } = deps;
  const cache = new DocCache(deps.cachedWorkflows ?? 64);
  const queue = new KeyedQueue();

  const requireService = (claims: Claims | null, fn: AutomergeFunctionName): Claims => {
    const caller = requireUser(claims);
    if (caller.role !== 'service_role')
      throw new OfbError(
        403,
        'forbidden',
        'service_role_only',
        `${fn} is the sync-server's storage: call it with a service_role token`,
        undefined,
        {
          actor: caller.sub,
          action: fn,
          resourceKind: 'automerge-storage',
          resourceId: fn,
          workspaceId: null,
          allowed: false,
          reason: 'service_role_only',
        },
      );
    return caller;
  };

  /** The workflow a key belongs to, or a 404 naming it. */
  const workflowOrThrow = async (tx: OfbStore, documentId: string) => {
    const doc = await tx.getDocument(documentId);
    if (doc?.kind !== 'workflow')
      throw new OfbError(
        404,
        'not_found',
        'document_not_found',
        `no workflow ${documentId}: create it in OFB (create-document, kind "workflow") before storing its chunks`,
      );
    return doc;
  };

  /** The stored workflow (from the cache, taken out of it, or loaded from its chunks). */
  const loadStored = async (tx: OfbStore, documentId: string, createdAt: string): Promise<Doc> => {
    const cached = cache.take(documentId, createdAt);
    if (cached) return cached;
    const chunks = (await tx.loadAutomergeRange([documentId])).filter((c) => isDocumentChunk(c.key));
    return chunks.length === 0 ? Automerge.init() : Automerge.load(concat(chunks.map((c) => c.bytes)));
  };

  /** Groups chunk keys by document; keys of the server's own go under `null`. */
  const byDocument = <T>(items: readonly T[], keyOf: (item: T) => readonly string[]) => {
    const groups = new Map<string | null, T[]>();
    for (const item of items) {
      const key = keyOf(item);
      const id = isServerKey(key) ? null : key[0]!;
      const group = groups.get(id);
      if (group) group.push(item);
      else groups.set(id, [item]);
    }
    return groups;
  };

  /** Audits a service_role write to the server's own keys (no workspace). */
  const auditServerKeys = (
    tx: OfbStore,
    caller: Claims,
    action: string,
    keys: readonly (readonly string[])[],
  ) =>
    tx.appendAudit({
      actor: caller.sub,
      action,
      resourceKind: 'automerge-storage',
      resourceId: keys.map((k) => k.join('/')).join(' '),
      workspaceId: null,
      allowed: true,
      reason: 'service_role',
    });

  /** Removes keys or ranges, auditing one row per document, and forgets the documents' loaded copies. */
  const remove = (
    caller: Claims,
    fn: 'automerge-remove' | 'automerge-remove-range',
    keys: readonly (readonly string[])[],
    run: (tx: OfbStore) => Promise<number>,
  ) => {
    const groups = byDocument(keys, (k) => k);
    const ids = [...groups.keys()].filter((id) => id !== null).sort();
    return queue.run(ids, async () => {
      for (const id of ids) cache.drop(id);
      return store.transaction(async (tx) => {
        for (const id of ids) {
          const doc = await tx.getDocument(id);
          // Removing what is not there is fine (automerge-repo removes freely); a document gone from
          // OFB took its chunks with it.
          if (doc) await authorize(tx, caller, doc.workspaceId, 'write', 'workflow', id);
        }
        const own = groups.get(null);
        if (own) await auditServerKeys(tx, caller, fn, own);
        return { removed: await run(tx) };
      });
    });
  };

  return {
    'automerge-save': async ({ chunks, writers }, { claims }) => {
      const caller = requireService(claims, 'automerge-save');
      const decoded = chunks.map((c) => ({ key: c.key, bytes: base64ToBytes(c.bytes) }));
      const groups = byDocument(decoded, (c) => c.key);
      const ids = [...groups.keys()].filter((id) => id !== null).sort();
      const loaded = new Map<string, { createdAt: string; doc: Doc }>();
      const result = await queue.run(ids, () =>
        store.transaction(async (tx) => {
          const records: AutomergeChunkRecord[] = [];
          for (const id of ids) {
            const doc = await workflowOrThrow(tx, id);
            // The `write` decision is this document's audit row for the batch, committed with it:
            // under the names of the batch's writers, each decided on their own role, when it has any.
            const audits = await writerAudits(tx, caller, writers, {
              workspaceId: doc.workspaceId,
              kind: 'workflow',
              resourceId: id,
            });
            if (audits) for (const entry of audits) await tx.appendAudit(entry);
            else await authorize(tx, caller, doc.workspaceId, 'write', 'workflow', id);
            const group = groups.get(id)!;
            const parts = group.filter((c) => isDocumentChunk(c.key));
            for (const c of group) records.push({ key: c.key, documentId: id, bytes: c.bytes });
            if (parts.length === 0) continue;
            // A snapshot is the whole document: automerge-repo removes the chunks it replaces next.
            const newBytes = parts.reduce((n, c) => n + c.bytes.byteLength, 0);
            const size = parts.some((c) => c.key[1] === 'snapshot')
              ? newBytes
              : (await tx.storedAutomergeBytes(id)) + newBytes;
            const tooLarge = checkDocumentSize(rules, size);
            if (tooLarge)
              throw new OfbError(422, 'validation', tooLarge.code, tooLarge.message, {
                documentId: id,
                ...(tooLarge.details as object),
              });
            for (const c of parts) {
              try {
                checkChunkBytes(c.bytes);
              } catch (error) {
                throw invalidWorkflow(id, [
                  {
                    path: '',
                    message: `chunk ${c.key.join('/')} does not decode as Automerge: ${String(error)}`,
                  },
                ]);
              }
            }
            const next = Automerge.loadIncremental(
              await loadStored(tx, id, doc.createdAt),
              concat(parts.map((c) => c.bytes)),
            );
            // A document with no changes yet is nothing to check (automerge-repo may store one).
            if (Automerge.getHeads(next).length > 0) {
              const verdict = checkWorkflowDocument(Automerge.toJS(next));
              if (!verdict.ok) throw invalidWorkflow(id, verdict.issues);
            }
            loaded.set(id, { createdAt: doc.createdAt, doc: next });
          }
          const own = groups.get(null);
          if (own) {
            await auditServerKeys(
              tx,
              caller,
              'automerge-save',
              own.map((c) => c.key),
            );
            for (const c of own) records.push({ key: c.key, documentId: null, bytes: c.bytes });
          }
          await tx.saveAutomergeChunks(records);
          return { stored: records.length };
        }),
      );
      // Only a committed batch becomes the copy the next save checks against.
      for (const [id, { createdAt, doc }] of loaded) cache.put(id, createdAt, doc);
      return result;
    },

    'automerge-load': async ({ key }, { claims }) => {
      requireService(claims, 'automerge-load');
      const bytes = await store.loadAutomergeChunk(key);
      return { bytes: bytes ? bytesToBase64(bytes) : null };
    },

    'automerge-load-range': async ({ prefix }, { claims }) => {
      requireService(claims, 'automerge-load-range');
      const chunks = await store.loadAutomergeRange(prefix);
      return { chunks: chunks.map((c) => ({ key: c.key, bytes: bytesToBase64(c.bytes) })) };
    },

    'automerge-remove': async ({ keys }, { claims }) => {
      const caller = requireService(claims, 'automerge-remove');
      return remove(caller, 'automerge-remove', keys, (tx) => tx.removeAutomergeChunks(keys));
    },

    'automerge-remove-range': async ({ prefix }, { claims }) => {
      const caller = requireService(claims, 'automerge-remove-range');
      return remove(caller, 'automerge-remove-range', [prefix], (tx) => tx.removeAutomergeRange(prefix));
    },

    'validate-workflow': async ({ documentId }, { claims }) => {
      const caller = requireUser(claims);
      return store.transaction(async (tx) => {
        const doc = await workflowOrThrow(tx, documentId);
        await authorize(tx, caller, doc.workspaceId, 'read', 'workflow', documentId);
        const chunks = (await tx.loadAutomergeRange([documentId])).filter((c) => isDocumentChunk(c.key));
        const parsed =
          chunks.length === 0
            ? null
            : Workflow.safeParse(Automerge.toJS(Automerge.load(concat(chunks.map((c) => c.bytes)))));
        if (!parsed?.success)
          throw new OfbError(
            404,
            'not_found',
            'workflow_not_stored',
            `workflow ${documentId} has no stored content yet: the sync-server stores it once a client syncs it`,
          );
        const report = validateWorkflow(parsed.data);
        const edges: Record<string, 'accepted' | RejectReason> = {};
        for (const id of Object.keys(parsed.data.edges).sort())
          edges[id] = report.rejectedEdges.get(id as EdgeId) ?? 'accepted';
        return { findings: report.findings, edges };
      });
    },
  };
}
