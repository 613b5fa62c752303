// automerge-repo's storage for the sync-server (service_role only): automerge-save, -load,
// -load-range, -remove and -remove-range. OFB is authoritative for workflows: a save that would
// leave one outside the Workflow schema or over the size rule is refused.
import * as Automerge from '@automerge/automerge';
import { base64ToBytes, bytesToBase64, checkWorkflowDocument, OfbErrorCode } from '@symphony/schemas';
import type { Claims } from '../../auth.js';
import { checkDocumentSize } from '../../domain/rules.js';
import type { AutomergeChunkRecord, OfbStore } from '../../OfbStore.js';
import {
  checkChunkBytes,
  concat,
  type Doc,
  DocCache,
  isDocumentChunk,
  isServerKey,
} from '../automerge-chunks.js';
import type { Handlers, OfbContext } from '../context.js';
import { documentNotFound, OfbError } from '../errors.js';
import { authorize, requireServiceRole } from '../guards.js';
import { KeyedQueue } from '../keyed-queue.js';
import { workflowOrThrow } from '../lookups.js';
import { writerAudits } from '../writers.js';

/** The functions this group answers. */
export type AutomergeFunctionName =
  | 'automerge-save'
  | 'automerge-load'
  | 'automerge-load-range'
  | 'automerge-remove'
  | 'automerge-remove-range';

/** Loaded workflows kept in memory so a save applies only its new chunks. */
const CACHED_WORKFLOWS = 64;

/**
 * OFB's automerge-repo storage functions. A save is refused unless the workflow, loaded with the
 * new chunks, still passes {@link checkWorkflowDocument} and stays under the rules' document size.
 * Saves and removals of one document run one at a time in this process, so the in-memory copy a
 * save checks against is always the stored one.
 */
export function automergeFunctions(ctx: OfbContext): Handlers<AutomergeFunctionName> {
  const { store, rules } = ctx;
  const cache = new DocCache(CACHED_WORKFLOWS);
  const queue = new KeyedQueue();

  const requireService = (claims: Claims | null, fn: AutomergeFunctionName): Claims =>
    requireServiceRole(claims, fn, {
      resourceKind: 'automerge-storage',
      resourceId: fn,
      message: `${fn} is the sync-server's storage: call it with a service_role token`,
    });

  /** The stored workflow (from the cache, taken out of it, or loaded from its chunks). */
  const loadStored = async (tx: OfbStore, documentId: string, createdAt: string): Promise<Doc> => {
    const cached = cache.take(documentId, createdAt);
    if (cached) return cached;
    const chunks = (await tx.loadAutomergeRange([documentId])).filter((c) => isDocumentChunk(c.key));
    return chunks.length === 0 ? Automerge.init() : Automerge.load(concat(chunks.map((c) => c.bytes)));
  };

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
          // A workflow in the trash keeps its chunks until it is restored or purged.
          else if (await tx.getTrashedDocument(id)) throw documentNotFound(id);
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
      return { chunks: chunks.map((c) => ({ key: [...c.key], bytes: bytesToBase64(c.bytes) })) };
    },

    'automerge-remove': async ({ keys }, { claims }) => {
      const caller = requireService(claims, 'automerge-remove');
      return remove(caller, 'automerge-remove', keys, (tx) => tx.removeAutomergeChunks(keys));
    },

    'automerge-remove-range': async ({ prefix }, { claims }) => {
      const caller = requireService(claims, 'automerge-remove-range');
      return remove(caller, 'automerge-remove-range', [prefix], (tx) => tx.removeAutomergeRange(prefix));
    },
  };
}

/** 422 `invalid_workflow`: the chunks would leave the workflow outside the Workflow schema. */
const invalidWorkflow = (documentId: string, issues: { path: string; message: string }[]) =>
  new OfbError(
    422,
    'validation',
    OfbErrorCode.invalidWorkflow,
    `the chunks would leave workflow ${documentId} outside the Workflow schema: ${issues
      .slice(0, 3)
      .map((i) => `${i.path || '(document)'}: ${i.message}`)
      .join('; ')}`,
    { documentId, issues },
  );

/** Groups chunk keys by document; keys of the server's own go under `null`. */
function byDocument<T>(items: readonly T[], keyOf: (item: T) => readonly string[]) {
  const groups = new Map<string | null, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const id = isServerKey(key) ? null : key[0]!;
    const group = groups.get(id);
    if (group) group.push(item);
    else groups.set(id, [item]);
  }
  return groups;
}

/** Audits a service_role write to the server's own keys (no workspace). */
function auditServerKeys(tx: OfbStore, caller: Claims, action: string, keys: readonly (readonly string[])[]) {
  return tx.appendAudit({
    actor: caller.sub,
    action,
    resourceKind: 'automerge-storage',
    resourceId: keys.map((k) => k.join('/')).join(' '),
    workspaceId: null,
    allowed: true,
    reason: 'service_role',
  });
}
