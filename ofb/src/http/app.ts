import { randomUUID } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import {
  base64ToBytes,
  bytesToBase64,
  ErrorCategory,
  errorBody,
  IDEMPOTENCY_HEADER,
  IdempotencyKey,
  OfbErrorCode,
  type OfbFunctionName,
  OfbRequests,
  type Role,
  WorkspaceId,
  workspaceIndexDocumentId,
} from '@symphony/schemas';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import * as Y from 'yjs';
import type { z } from 'zod';
import { AuthError, type Claims, hashPassword, type TokenService, verifyPassword } from '../auth.js';
import { requestHash } from '../domain/idempotency.js';
import { type Action, DecisionReason, decide, type ResourceKind } from '../domain/rbac.js';
import {
  checkDocumentSize,
  checkKeepsOwner,
  checkQuota,
  type RulesConfig,
  type RuleViolation,
} from '../domain/rules.js';
import {
  type AuditEntry,
  ConflictError,
  type DocumentRecord,
  type IdempotencyRecord,
  InvalidTextError,
  type OfbStore,
} from '../OfbStore.js';
import { automergeFunctions } from './automerge-functions.js';
import type { RateLimitConfig } from './rate-limit.js';
import { Sessions } from './sessions.js';
import { SignInLimiter, signInLimits } from './sign-in-limit.js';
import { writerAudits } from './writers.js';
import { YjsCompactor } from './yjs-compaction.js';

/** An error that becomes an HTTP error response with the shared body shape. */
export class OfbError extends Error {
  override name = 'OfbError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly category: ErrorCategory,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** A denial to record after the caller's transaction has rolled back. */
    readonly audit?: AuditEntry,
  ) {
    super(message);
  }
}

const ruleError = (v: RuleViolation) =>
  new OfbError(
    v.code === 'document_too_large' ? 422 : 409,
    v.code === 'document_too_large' ? 'validation' : 'conflict',
    v.code,
    v.message,
    v.details,
  );

async function documentOrThrow(tx: OfbStore, documentId: string) {
  const doc = await tx.getDocument(documentId);
  if (!doc) throw new OfbError(404, 'not_found', 'document_not_found', `no document ${documentId}`);
  return doc;
}

/**
 * The resource kind RBAC decides on for a document's content. A workspace's index document holds
 * the workspace's list of documents, which editors change whenever they add one: its content is
 * decided like a document's.
 */
const contentKind = (doc: DocumentRecord): ResourceKind => (doc.kind === 'workspace' ? 'document' : doc.kind);

/** A document a person may rename or delete: a workspace's index document goes with its workspace. */
async function userDocumentOrThrow(tx: OfbStore, documentId: string) {
  const doc = await documentOrThrow(tx, documentId);
  if (doc.kind === 'workspace')
    throw new OfbError(
      422,
      'validation',
      'reserved_id',
      `${documentId} is the index of workspace ${doc.workspaceId}; it is renamed and deleted with the workspace`,
    );
  return doc as DocumentRecord & { kind: 'document' | 'workflow' };
}

async function workspaceOrThrow(tx: OfbStore, workspaceId: string) {
  const workspace = await tx.getWorkspace(workspaceId);
  if (!workspace) throw new OfbError(404, 'not_found', 'workspace_not_found', `no workspace ${workspaceId}`);
  return workspace;
}

/**
 * Checks that `userId` is a member of the workspace and that giving them `role` (null: removing
 * them) leaves the workspace an owner.
 */
async function checkMemberChange(tx: OfbStore, workspaceId: string, userId: string, role: Role | null) {
  const target = await tx.getMember(workspaceId, userId);
  if (!target)
    throw new OfbError(404, 'not_found', 'member_not_found', `${userId} is not a member of ${workspaceId}`);
  const owners = (await tx.listMembers(workspaceId)).filter((m) => m.role === 'owner').length;
  const violation = checkKeepsOwner(target.role, role, owners);
  if (violation) throw ruleError(violation);
}

/** Functions whose bodies carry document bytes: limited to the rules' document size, in base64. */
const byteFunctions = ['persist-updates', 'compact-document', 'automerge-save'] as const;

/**
 * The functions that honour an {@link IDEMPOTENCY_HEADER}: the mutations a client's outbox
 * replays. Any other function refuses the header rather than silently ignoring it.
 */
export const idempotentFunctions: ReadonlySet<OfbFunctionName> = new Set<OfbFunctionName>([
  'create-workspace',
  'invite-member',
  'accept-invitation',
  'change-role',
  'remove-member',
  'create-document',
  'rename-document',
  'delete-document',
]);

/**
 * The answer to text the database cannot store that no schema refused (schemas refuse control
 * characters in the fields they name; this is the net under every other string).
 */
const unstorableText = () =>
  new OfbError(
    422,
    'validation',
    OfbErrorCode.invalidText,
    'the request holds text the database cannot store (a NUL character, say); remove the control characters',
  );

/** Ids `create-document` refuses: `workspace-<id>` names a workspace's index document. */
const reservedIdPrefix = 'workspace-';

/** The peer's address (no proxy header is trusted); `unknown` when the server cannot tell. */
function clientIp(c: Parameters<typeof getConnInfo>[0]): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** What the app needs from the outside world. */
export interface OfbAppOptions {
  readonly store: OfbStore;
  readonly tokens: TokenService;
  readonly rules: RulesConfig;
  /** Lifetime of tokens minted by sign-in; 1 hour like Supabase. */
  readonly sessionSeconds?: number;
  /**
   * After a successful `persist-updates`, a document with more stored update rows than this is
   * compacted in the background (see yjs-compaction.ts); default 200.
   */
  readonly compactAfterRows?: number;
  /**
   * `sign-up`, `sign-in` and `change-password` attempts per client address; failed attempts per
   * (address, name) at half that, and per name at that (see {@link SignInLimiter}: past it only
   * addresses that failed for the name wait). Token buckets in memory, per process; over a limit,
   * 429 `rate_limited` with `retryAfterSeconds` and a `Retry-After` header. Default 10 per minute,
   * or `OFB_AUTH_RATE_LIMIT_PER_MINUTE` when set; `false` turns it off (tests that sign many up).
   */
  readonly authRateLimit?: RateLimitConfig | false;
  /** The clock of rate limits and sessions (ms since the epoch); `Date.now` unless a test drives it. */
  readonly now?: () => number;
}

/** Bodies of every function but the byte functions (which are held to the document size). */
const MAX_JSON_BODY_BYTES = 64 * 1024;

type Requests = typeof OfbRequests;
type Name = OfbFunctionName;
/**
 * One function. `store` is what it must read and write through: the root store, or, for a call
 * made with an idempotency key, the transaction that also stores the answer (a handler's own
 * `store.transaction(…)` then joins it).
 */
type Handler<N extends Name> = (
  input: z.output<Requests[N]>,
  ctx: { claims: Claims | null; store: OfbStore; address: string },
) => Promise<unknown>;

/** Functions that answer without a bearer token. */
const publicFunctions = new Set<Name>(['sign-up', 'sign-in', 'authorize']);

/** Thrown inside an idempotent call's transaction when its key is already stored: roll back, replay. */
class KeyTaken extends Error {
  override name = 'KeyTaken';
}

/** An answer: status and JSON body. */
interface Answer {
  readonly status: ContentfulStatusCode;
  readonly body: unknown;
}

/**
 * The OFB Hono app: `POST /functions/v1/<name>` with a JSON body, as Supabase serves Edge Functions,
 * so `supabase.functions.invoke(name, { body })` reaches it unchanged.
 */
export function createOfbApp(options: OfbAppOptions): Hono {
  const { store, tokens, rules } = options;
  const compactor = new YjsCompactor(store, options.compactAfterRows ?? 200);
  const sessionSeconds = options.sessionSeconds ?? 3600;
  const envLimit = Number(process.env.OFB_AUTH_RATE_LIMIT_PER_MINUTE);
  const authRateLimit =
    options.authRateLimit ??
    (Number.isFinite(envLimit) && envLimit > 0 ? { perMinute: envLimit } : { perMinute: 10 });
  const now = options.now ?? Date.now;
  const signInLimiter =
    authRateLimit === false ? null : new SignInLimiter(signInLimits(authRateLimit.perMinute), now);
  const sessions = new Sessions(store, tokens, sessionSeconds, now);
  /** Throws 429 when `wait` (seconds, from {@link SignInLimiter}) is not 0. */
  const refuseOverLimit = (wait: number) => {
    if (wait > 0 && signInLimiter)
      throw new OfbError(
        429,
        'validation',
        OfbErrorCode.rateLimited,
        `too many sign-up or sign-in attempts; retry in ${wait} s`,
        { retryAfterSeconds: wait, perMinute: signInLimiter.config.perAddress },
      );
  };
  /**
   * Checks `password` against `user` as sign-in does, under the sign-in limits for (`address`,
   * `name`): 429 before any check when over them, 401 `invalid_credentials` (counted) when wrong.
   */
  const checkPassword = async (
    address: string,
    name: string,
    user: { passwordHash: string } | null,
    password: string,
  ) => {
    refuseOverLimit(signInLimiter?.attempt(address, name) ?? 0);
    const ok = user
      ? await verifyPassword(password, user.passwordHash)
      : await hashPassword(password).then(() => false);
    if (!ok) {
      signInLimiter?.failed(address, name);
      throw new OfbError(401, 'auth', OfbErrorCode.invalidCredentials, 'name or password is wrong');
    }
    signInLimiter?.succeeded(address, name);
  };

  const requireUser = (claims: Claims | null): Claims => {
    if (!claims)
      throw new OfbError(
        401,
        'auth',
        'missing_token',
        'this function needs a signed-in user: send Authorization: Bearer <access token>',
      );
    return claims;
  };

  /**
   * The sync-server's functions. A refusal is audited (after the call's transaction, like every
   * denial) with the function as action and the resource it named.
   */
  const requireServiceRole = (
    claims: Claims | null,
    fn: Name,
    resourceId: string = fn,
    resourceKind = 'document-storage',
  ): Claims => {
    const caller = requireUser(claims);
    if (caller.role !== 'service_role')
      throw new OfbError(
        403,
        'forbidden',
        'service_role_only',
        `only a service_role token (the sync-server's) may call ${fn}`,
        undefined,
        {
          actor: caller.sub,
          action: fn,
          resourceKind,
          resourceId,
          workspaceId: null,
          allowed: false,
          reason: 'service_role_only',
        },
      );
    return caller;
  };

  /**
   * Refuses bytes that are not a Yjs update (v1): stored, they would make `Y.applyUpdate` throw in
   * every later load of the document. `what` names the field (`updates`, `state`) for the 422.
   */
  const checkYjsUpdates = (what: string, updates: readonly Uint8Array[]) => {
    updates.forEach((update, index) => {
      try {
        Y.decodeUpdate(update);
      } catch (error) {
        throw new OfbError(
          422,
          'validation',
          'invalid_update',
          `${what}[${index}] is not a Yjs update: ${String(error)}`,
          { field: what, index },
        );
      }
    });
  };

  /**
   * Decides `caller`'s `action` on a resource, its role in the workspace given (`role`; ignored for
   * a `service_role` token, the sync-server's, which may act in any workspace, as it bypasses RLS in
   * Supabase). Returns the audit row of an allowed decision; throws 403 when denied, carrying the
   * denial's audit row for the route to record after the transaction rolls back (PGlite has one
   * connection: writing outside `tx` here would wait for `tx` forever), so the rollback cannot erase it.
   */
  const decideAudited = (
    caller: Claims,
    role: Role | null,
    workspaceId: string,
    action: Action,
    kind: ResourceKind,
    resourceId: string,
  ): AuditEntry => {
    const actor = caller.sub;
    const entry = { actor, action, resourceKind: kind, resourceId, workspaceId };
    if (caller.role === 'service_role') return { ...entry, allowed: true, reason: 'service_role' };
    const decision = decide(role, action, kind);
    if (!decision.allowed)
      throw new OfbError(
        403,
        'forbidden',
        decision.reason,
        `${action} on ${kind} ${resourceId} is not allowed: ${decision.reason}`,
        { role },
        { ...entry, allowed: false, reason: decision.reason },
      );
    return { ...entry, allowed: true, reason: decision.reason };
  };

  /**
   * Decides, audits the decision (in `tx`), and throws 403 when denied (see {@link decideAudited}).
   * A `service_role` caller is still audited.
   * Listings pass `auditAllowed: false`: reading metadata writes no audit row (denials still do).
   */
  const authorize = async (
    tx: OfbStore,
    caller: Claims,
    workspaceId: string,
    action: Action,
    kind: ResourceKind,
    resourceId: string,
    { auditAllowed = true }: { auditAllowed?: boolean } = {},
  ): Promise<Role | null> => {
    const role =
      caller.role === 'service_role' ? null : ((await tx.getMember(workspaceId, caller.sub))?.role ?? null);
    const allowed = decideAudited(caller, role, workspaceId, action, kind, resourceId);
    if (auditAllowed) await tx.appendAudit(allowed);
    return role;
  };

  /** Runs `run`, answering an {@link AuthError} as 401 with its code. */
  const authErrors = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof AuthError) throw new OfbError(401, 'auth', error.code, error.message);
      throw error;
    }
  };

  /** Verifies the token's signature and expiry and that its session (if it names one) is live. */
  const verify = (token: string): Promise<Claims> =>
    authErrors(async () => {
      const claims = await tokens.verify(token);
      await sessions.check(claims);
      return claims;
    });

  /**
   * One access check (`authorize`, each of `authorize-many`): a token check and one read, no audit
   * row (the sync-server re-checks every open connection every few seconds).
   */
  const checkAccess = async (claims: Claims, resourceId: string) => {
    const access = await store.findAccess(claims.sub, resourceId);
    if (!access)
      throw new OfbError(
        404,
        'not_found',
        'document_not_found',
        `no document, workflow or workspace index ${resourceId}`,
      );
    const decision = decide(access.role, 'read', access.kind);
    if (!decision.allowed || access.role === null)
      throw new OfbError(403, 'forbidden', decision.reason, `${claims.sub} may not open ${resourceId}`);
    return {
      role: access.role,
      workspaceId: access.workspaceId,
      kind: access.kind,
      userId: claims.sub,
      // A token minted for an id with no user row (`symphony token`) shows as its id.
      userName: access.userName ?? claims.sub,
      exp: claims.exp,
    };
  };

  /**
   * The refusal of a client-chosen id that an existing resource holds. Ids share one namespace
   * across workspaces, so the id cannot be granted; but a caller who may not read the holder must
   * not learn that it exists, nor its kind or workspace: they get the refusal a non-member of a
   * workspace gets for the id (`write on <kind> <id> is not allowed: not_a_member`, what `authorize`
   * tells them about the id too). A caller who may read it hears that it exists (`conflict`).
   */
  const takenIdRefusal = async (
    tx: OfbStore,
    caller: Claims,
    holder: { workspaceId: string; kind: ResourceKind },
    asked: { kind: ResourceKind; id: string },
    exists: () => OfbError,
  ): Promise<OfbError> => {
    const role = (await tx.getMember(holder.workspaceId, caller.sub))?.role ?? null;
    if (caller.role === 'service_role' || decide(role, 'read', holder.kind).allowed) return exists();
    const reason = DecisionReason.notAMember;
    return new OfbError(
      403,
      'forbidden',
      reason,
      `write on ${asked.kind} ${asked.id} is not allowed: ${reason}`,
      { role: null },
      {
        actor: caller.sub,
        action: 'write',
        resourceKind: asked.kind,
        resourceId: asked.id,
        workspaceId: holder.workspaceId,
        allowed: false,
        reason: 'id_held_elsewhere',
      },
    );
  };

  /** The caller's user row; 401 `unknown_user` when the token names a user that is gone. */
  const existingUser = async (db: OfbStore, caller: Claims) => {
    const user = await db.getUser(caller.sub);
    if (!user)
      throw new OfbError(
        401,
        'auth',
        'unknown_user',
        `the token's user ${caller.sub} does not exist; sign in again`,
      );
    return user;
  };

  const handlers: { [N in Name]: Handler<N> } = {
    'sign-up': async ({ name, password }, { store, address }) => {
      refuseOverLimit(signInLimiter?.signUp(address) ?? 0);
      const id = randomUUID();
      const passwordHash = await hashPassword(password);
      return store.transaction(async (tx) => {
        try {
          await tx.createUser({ id, name, passwordHash });
        } catch (error) {
          if (error instanceof ConflictError)
            throw new OfbError(409, 'conflict', 'name_taken', `the name "${name}" is taken`);
          throw error;
        }
        return sessions.start(tx, { id, name });
      });
    },
    'sign-in': async ({ name, password }, { store, address }) => {
      const user = await store.findUserByName(name);
      await checkPassword(address, name, user, password);
      return sessions.start(store, { id: user!.id, name: user!.name });
    },
    'refresh-session': async (_input, { claims, store }) => {
      const caller = requireUser(claims);
      const user = await existingUser(store, caller);
      return authErrors(() => sessions.refresh(caller, { id: user.id, name: user.name }));
    },
    'sign-out': async ({ everywhere = false }, { claims, store }) => {
      const caller = requireUser(claims);
      return store.transaction(async (tx) => {
        const revoked = everywhere
          ? await sessions.revokeAll(tx, caller.sub, 'sign_out_everywhere')
          : caller.sid === undefined
            ? 0
            : await sessions.revoke(tx, caller.sid, 'sign_out');
        await tx.appendAudit({
          actor: caller.sub,
          action: 'sign-out',
          resourceKind: 'session',
          resourceId: everywhere ? '*' : (caller.sid ?? '-'),
          workspaceId: null,
          allowed: true,
          reason: everywhere ? 'everywhere' : 'this_session',
        });
        return { revoked };
      });
    },
    'change-password': async ({ currentPassword, newPassword }, { claims, store, address }) => {
      const caller = requireUser(claims);
      const user = await existingUser(store, caller);
      await checkPassword(address, user.name, user, currentPassword);
      const passwordHash = await hashPassword(newPassword);
      return store.transaction(async (tx) => {
        await tx.setPasswordHash(user.id, passwordHash);
        await sessions.revokeAll(tx, user.id, 'password_changed');
        await tx.appendAudit({
          actor: user.id,
          action: 'change-password',
          resourceKind: 'user',
          resourceId: user.id,
          workspaceId: null,
          allowed: true,
          reason: 'allowed',
        });
        return sessions.start(tx, { id: user.id, name: user.name });
      });
    },
    'create-workspace': async ({ name, id: requestedId }, { claims, store }) => {
      const caller = requireUser(claims);
      const { sub } = caller;
      return store.transaction(async (tx) => {
        await tx.lockQuota(`workspaces:${sub}`);
        const over = checkQuota('maxWorkspacesPerUser', rules, await tx.countWorkspacesOwnedBy(sub));
        if (over) throw ruleError(over);
        const id = requestedId ?? randomUUID();
        const taken = (what: string) => () =>
          new OfbError(409, 'conflict', 'workspace_exists', `${what}, so the workspace id ${id} is taken`);
        const held = await tx.getWorkspace(id);
        if (held) {
          throw await takenIdRefusal(
            tx,
            caller,
            { workspaceId: held.id, kind: 'workspace' },
            { kind: 'workspace', id },
            taken(`a workspace ${id} already exists`),
          );
        }
        const indexId = workspaceIndexDocumentId(WorkspaceId.parse(id));
        const heldIndex = await tx.getDocument(indexId);
        if (heldIndex) {
          throw await takenIdRefusal(
            tx,
            caller,
            { workspaceId: heldIndex.workspaceId, kind: contentKind(heldIndex) },
            { kind: 'workspace', id },
            taken(`a document ${indexId} already exists`),
          );
        }
        let workspace: Awaited<ReturnType<OfbStore['createWorkspace']>>;
        try {
          workspace = await tx.createWorkspace({ id, name, createdBy: sub });
        } catch (error) {
          if (error instanceof ConflictError)
            throw new OfbError(409, 'conflict', 'workspace_exists', `a workspace ${id} already exists`);
          throw error;
        }
        await tx.putMember({ workspaceId: id, userId: sub, role: 'owner' });
        // The workspace's index document, stored like any document (kind `workspace`). Its id can be
        // taken by a row made before ids were reserved (or outside OFB): checked above, and here for
        // one created since.
        try {
          await tx.createDocument({
            id: indexId,
            workspaceId: id,
            kind: 'workspace',
            title: name,
            sizeBytes: 0,
          });
        } catch (error) {
          if (error instanceof ConflictError)
            throw new OfbError(
              409,
              'conflict',
              'workspace_exists',
              `a document ${indexId} already exists, so the workspace id ${id} is taken; choose another id`,
            );
          throw error;
        }
        await tx.appendAudit({
          actor: sub,
          action: 'create-workspace',
          resourceKind: 'workspace',
          resourceId: id,
          workspaceId: id,
          allowed: true,
          reason: 'allowed',
        });
        return { workspace, role: 'owner' };
      });
    },
    'list-workspaces': async (_input, { claims, store }) => {
      const { sub } = requireUser(claims);
      const list = await store.listWorkspacesFor(sub);
      return { workspaces: list.map(({ workspace, role }) => ({ ...workspace, role })) };
    },
    'invite-member': async ({ workspaceId, userId: givenId, userName, role }, { claims, store }) => {
      const caller = requireUser(claims);
      return store.transaction(async (tx) => {
        await workspaceOrThrow(tx, workspaceId);
        let userId = givenId;
        if (userId === undefined) {
          const invitee = userName === undefined ? null : await tx.findUserByName(userName);
          if (!invitee) throw new OfbError(404, 'not_found', 'user_not_found', `no user named "${userName}"`);
          userId = invitee.id;
        }
        const who = userName ?? userId;
        await authorize(tx, caller, workspaceId, 'invite', 'member', userId);
        if (await tx.getMember(workspaceId, userId))
          throw new OfbError(409, 'conflict', 'already_member', `${who} is already a member`);
        await tx.lockQuota(`members:${workspaceId}`);
        const over = checkQuota(
          'maxMembersPerWorkspace',
          rules,
          (await tx.listMembers(workspaceId)).length + (await tx.countInvitations(workspaceId)),
        );
        if (over) throw ruleError(over);
        try {
          return {
            invitation: await tx.createInvitation({
              id: randomUUID(),
              workspaceId,
              inviteeId: userId,
              role,
              invitedBy: caller.sub,
            }),
          };
        } catch (error) {
          if (error instanceof ConflictError)
            throw new OfbError(409, 'conflict', 'already_invited', `${who} is already invited`);
          throw error;
        }
      });
    },
    'accept-invitation': async ({ invitationId }, { claims, store }) => {
      const { sub } = requireUser(claims);
      return store.transaction(async (tx) => {
        const invitation = await tx.getInvitation(invitationId);
        if (!invitation || invitation.inviteeId !== sub)
          throw new OfbError(
            404,
            'not_found',
            'invitation_not_found',
            `no invitation ${invitationId} for you`,
          );
        await tx.deleteInvitation(invitationId);
        const member = { workspaceId: invitation.workspaceId, userId: sub, role: invitation.role };
        await tx.putMember(member);
        await tx.appendAudit({
          actor: sub,
          action: 'accept-invitation',
          resourceKind: 'member',
          resourceId: sub,
          workspaceId: invitation.workspaceId,
          allowed: true,
          reason: 'invited',
        });
        return { member };
      });
    },
    'change-role': async ({ workspaceId, userId, role }, { claims, store }) => {
      const caller = requireUser(claims);
      return store.transaction(async (tx) => {
        await authorize(tx, caller, workspaceId, 'change-role', 'member', userId);
        await checkMemberChange(tx, workspaceId, userId, role);
        const member = { workspaceId, userId, role };
        await tx.putMember(member);
        return { member };
      });
    },
    'remove-member': async ({ workspaceId, userId }, { claims, store }) => {
      const caller = requireUser(claims);
      return store.transaction(async (tx) => {
        await authorize(tx, caller, workspaceId, 'remove-member', 'member', userId);
        await checkMemberChange(tx, workspaceId, userId, null);
        await tx.removeMember(workspaceId, userId);
        return { removed: { workspaceId, userId } };
      });
    },
    'list-members': async ({ workspaceId }, { claims, store }) => {
      const caller = requireUser(claims);
      await workspaceOrThrow(store, workspaceId);
      await authorize(store, caller, workspaceId, 'read', 'member', workspaceId, { auditAllowed: false });
      const members = await store.listNamedMembers(workspaceId);
      const invitations = await store.listSentInvitations(workspaceId);
      return {
        members: members.map(({ userId, name, role }) => ({ userId, name, role })),
        invitations: invitations.map(({ id, inviteeId, inviteeName, role }) => ({
          id,
          inviteeId,
          inviteeName,
          role,
        })),
      };
    },
    'list-invitations': async (_input, { claims, store }) => {
      const { sub } = requireUser(claims);
      const invitations = await store.listReceivedInvitations(sub);
      return {
        invitations: invitations.map(({ id, workspaceId, workspaceName, role, invitedBy }) => ({
          id,
          workspaceId,
          workspaceName,
          role,
          invitedBy,
        })),
      };
    },
    'list-documents': async ({ workspaceId }, { claims, store }) => {
      const caller = requireUser(claims);
      await workspaceOrThrow(store, workspaceId);
      await authorize(store, caller, workspaceId, 'read', 'workspace', workspaceId, { auditAllowed: false });
      return { documents: await store.listDocuments(workspaceId) };
    },
    'create-document': async (
      { workspaceId, id: requestedId, kind, title, sizeBytes },
      { claims, store },
    ) => {
      const caller = requireUser(claims);
      const tooLarge = checkDocumentSize(rules, sizeBytes);
      if (tooLarge) throw ruleError(tooLarge);
      if (requestedId?.startsWith(reservedIdPrefix))
        throw new OfbError(
          422,
          'validation',
          'reserved_id',
          `document ids starting with "${reservedIdPrefix}" name workspace index documents; choose another id`,
        );
      return store.transaction(async (tx) => {
        await workspaceOrThrow(tx, workspaceId);
        const id = requestedId ?? randomUUID();
        await authorize(tx, caller, workspaceId, 'write', kind, id);
        await tx.lockQuota(`documents:${workspaceId}`);
        const over = checkQuota('maxDocumentsPerWorkspace', rules, await tx.countDocuments(workspaceId));
        if (over) throw ruleError(over);
        const held = requestedId === undefined ? null : await tx.getDocument(id);
        if (held)
          throw await takenIdRefusal(
            tx,
            caller,
            { workspaceId: held.workspaceId, kind: contentKind(held) },
            { kind, id },
            () => new OfbError(409, 'conflict', 'document_exists', `a document ${id} already exists`),
          );
        try {
          return { document: await tx.createDocument({ id, workspaceId, kind, title, sizeBytes }) };
        } catch (error) {
          if (error instanceof ConflictError)
            throw new OfbError(409, 'conflict', 'document_exists', `a document ${id} already exists`);
          throw error;
        }
      });
    },
    'rename-document': async ({ documentId, title }, { claims, store }) => {
      const caller = requireUser(claims);
      return store.transaction(async (tx) => {
        const doc = await userDocumentOrThrow(tx, documentId);
        await authorize(tx, caller, doc.workspaceId, 'rename', doc.kind, documentId);
        return { document: await tx.renameDocument(documentId, title) };
      });
    },
    'delete-document': async ({ documentId }, { claims, store }) => {
      const caller = requireUser(claims);
      return store.transaction(async (tx) => {
        const doc = await userDocumentOrThrow(tx, documentId);
        await authorize(tx, caller, doc.workspaceId, 'delete', doc.kind, documentId);
        await tx.deleteDocument(documentId);
        return { deleted: documentId };
      });
    },
    'persist-updates': async ({ documentId, updates, writers }, { claims, store }) => {
      const caller = requireServiceRole(claims, 'persist-updates', documentId);
      const decoded = updates.map(base64ToBytes);
      checkYjsUpdates('updates', decoded);
      const batchBytes = decoded.reduce((n, u) => n + u.byteLength, 0);
      // Two statements, no explicit transaction (each round trip counts on the hot path). One read:
      // the document, the caller's role in its workspace, the document's stored bytes and rows. One
      // write: the updates and the `write` decision's audit row, in one statement, so they commit
      // together or not at all; the audit trigger's chain lock is held for that statement only.
      // Between the two, as within a READ COMMITTED transaction, a concurrent change is not seen.
      const target = await store.getWriteTarget(documentId, caller.sub);
      if (!target) throw new OfbError(404, 'not_found', 'document_not_found', `no document ${documentId}`);
      const doc = target.document;
      const allowed = decideAudited(
        caller,
        target.role,
        doc.workspaceId,
        'write',
        contentKind(doc),
        documentId,
      );
      const tooLarge = checkDocumentSize(rules, target.storedBytes + batchBytes);
      if (tooLarge) throw ruleError(tooLarge);
      // The users whose changes the batch carries, each decided on their own role and audited by name.
      const [first = allowed, ...more] =
        (await writerAudits(store, caller, writers, {
          workspaceId: doc.workspaceId,
          kind: contentKind(doc),
          resourceId: documentId,
        })) ?? [];
      let seqs: number[];
      try {
        seqs =
          more.length === 0
            ? await store.appendDocumentUpdatesAudited(documentId, decoded, first)
            : await store.transaction(async (tx) => {
                const stored = await tx.appendDocumentUpdatesAudited(documentId, decoded, first);
                for (const entry of more) await tx.appendAudit(entry);
                return stored;
              });
      } catch (error) {
        // The document went away between the read and the write (its rows' foreign key).
        if ((error as { code?: string }).code === '23503')
          throw new OfbError(404, 'not_found', 'document_not_found', `no document ${documentId}`);
        throw error;
      }
      compactor.persisted(documentId, target.storedRows + seqs.length);
      return { stored: seqs.length, lastSeq: seqs[seqs.length - 1] ?? null };
    },
    'load-document': async ({ documentId }, { claims, store }) => {
      const caller = requireServiceRole(claims, 'load-document', documentId);
      return store.transaction(async (tx) => {
        const doc = await documentOrThrow(tx, documentId);
        await authorize(tx, caller, doc.workspaceId, 'read', contentKind(doc), documentId);
        const rows = await tx.loadDocumentUpdates(documentId);
        return {
          updates: rows.map((r) => bytesToBase64(r.bytes)),
          lastSeq: rows[rows.length - 1]?.seq ?? null,
        };
      });
    },
    'compact-document': async ({ documentId, state, upToSeq }, { claims, store }) => {
      const caller = requireServiceRole(claims, 'compact-document', documentId);
      const bytes = base64ToBytes(state);
      checkYjsUpdates('state', [bytes]);
      const tooLarge = checkDocumentSize(rules, bytes.byteLength);
      if (tooLarge) throw ruleError(tooLarge);
      return store.transaction(async (tx) => {
        // The document's lock first (before the audit row takes the chain's): no append is half done.
        await tx.lockDocumentUpdates(documentId);
        const doc = await documentOrThrow(tx, documentId);
        await authorize(tx, caller, doc.workspaceId, 'write', contentKind(doc), documentId);
        // The rows it replaces are read here and merged into the caller's state, so a row the caller
        // never loaded (an append that committed after its load) is kept, not deleted unmerged.
        const seq = await tx.compactDocumentUpdatesWith(documentId, (rows) => {
          const replaced = rows.filter((r) => upToSeq === undefined || r.seq <= upToSeq);
          return {
            state: replaced.length === 0 ? bytes : Y.mergeUpdates([bytes, ...replaced.map((r) => r.bytes)]),
            seqs: replaced.map((r) => r.seq),
          };
        });
        return { seq: seq! };
      });
    },
    'list-stored-documents': async ({ workspaceId }, { claims, store }) => {
      const caller = requireServiceRole(claims, 'list-stored-documents', workspaceId ?? '*', 'workspace');
      if (workspaceId === undefined) return { documentIds: await store.listStoredDocuments(null) };
      return store.transaction(async (tx) => {
        await workspaceOrThrow(tx, workspaceId);
        await authorize(tx, caller, workspaceId, 'read', 'workspace', workspaceId);
        return { documentIds: await tx.listStoredDocuments(workspaceId) };
      });
    },
    // automerge functions: see automerge-functions.ts
    ...automergeFunctions({ store, rules, requireUser, authorize }),
    // end of automerge functions
    authorize: async ({ token, resourceId }) => checkAccess(await verify(token), resourceId),
    'authorize-many': async ({ checks }, { claims }) => {
      requireServiceRole(claims, 'authorize-many', 'authorize-many', 'access');
      // The sync-server sends one check per open connection: many share a token, verify each
      // once, and read the sessions of all of them in one query.
      const decoded = new Map<string, Promise<Claims>>();
      for (const { token } of checks)
        if (!decoded.has(token))
          decoded.set(
            token,
            authErrors(() => tokens.verify(token)),
          );
      const settled = await Promise.allSettled(decoded.values());
      await sessions.prefetch(
        settled.flatMap((r) => (r.status === 'fulfilled' && r.value.sid ? [r.value.sid] : [])),
      );
      const verified = new Map<string, Promise<Claims>>();
      const results = await Promise.all(
        checks.map(async ({ token, resourceId }) => {
          try {
            let claims = verified.get(token);
            if (!claims) {
              claims = decoded.get(token)!.then((c) => authErrors(() => sessions.check(c)).then(() => c));
              verified.set(token, claims);
            }
            return { ok: true as const, ...(await checkAccess(await claims, resourceId)) };
          } catch (error) {
            if (!(error instanceof OfbError)) throw error;
            return { ok: false as const, status: error.status, code: error.code, message: error.message };
          }
        }),
      );
      return { results };
    },
  };

  /**
   * Runs a mutation under an idempotency key. In one transaction: answer the stored answer if the
   * key has one; otherwise run the handler and store its answer with the write. A 4xx refusal rolls
   * the write back and is stored on its own, so a replay is refused the same way and never applied.
   * A concurrent duplicate's insert of the key waits for the first to commit and then fails: its
   * transaction (and its writes) roll back and it answers what the first stored.
   */
  const idempotent = async (
    fn: Name,
    key: string,
    userId: string,
    input: unknown,
    run: (db: OfbStore) => Promise<unknown>,
  ): Promise<Answer> => {
    const hash = requestHash(fn, input);
    const replay = (stored: IdempotencyRecord): Answer => {
      if (stored.function !== fn || stored.requestHash !== hash)
        throw new OfbError(
          422,
          'validation',
          'idempotency_key_reused',
          `the idempotency key ${key} was already used for another ${stored.function === fn ? 'request body' : `function (${stored.function})`}; send a fresh key with each distinct call`,
          { function: stored.function },
        );
      return { status: stored.status as ContentfulStatusCode, body: stored.response };
    };
    const replayAfterRace = async (): Promise<Answer> => {
      const stored = await store.getIdempotencyRecord(userId, key);
      if (!stored)
        throw new OfbError(
          409,
          'conflict',
          'request_in_progress',
          `a call with the idempotency key ${key} is still running; retry it shortly`,
        );
      return replay(stored);
    };
    const save = (db: OfbStore, status: number, response: unknown) =>
      db.putIdempotencyRecord({ userId, key, function: fn, requestHash: hash, status, response });

    let outcome: { stored: IdempotencyRecord } | { result: unknown };
    try {
      outcome = await store.transaction(async (tx) => {
        const stored = await tx.getIdempotencyRecord(userId, key);
        if (stored) return { stored };
        const result = await run(tx);
        try {
          await save(tx, 200, result);
        } catch (error) {
          if (error instanceof ConflictError) throw new KeyTaken();
          throw error;
        }
        return { result };
      });
    } catch (error) {
      if (error instanceof KeyTaken) return replayAfterRace();
      if (!(error instanceof OfbError) || error.status >= 500) throw error;
      if (error.audit) await store.appendAudit(error.audit);
      const body = errorBody(error.category, error.code, error.message, error.details);
      try {
        await save(store, error.status, body);
      } catch (saveError) {
        if (saveError instanceof ConflictError) return replayAfterRace();
        throw saveError;
      }
      return { status: error.status, body };
    }
    return 'stored' in outcome ? replay(outcome.stored) : { status: 200, body: outcome.result };
  };

  const app = new Hono();
  app.use(
    '/functions/v1/*',
    cors({
      origin: '*',
      allowHeaders: ['authorization', 'x-client-info', 'apikey', 'content-type', IDEMPOTENCY_HEADER],
    }),
  );

  // Every other function's body is small: read at most 64 KiB of it (sign-up, sign-in and authorize
  // need no token, so anyone can send one).
  const limitBody = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) =>
        c.json(
          errorBody(
            'validation',
            'body_too_large',
            `this function accepts at most ${maxSize} bytes of JSON`,
            {
              maxBodyBytes: maxSize,
            },
          ),
          413,
        ),
    });
  const smallBodies = limitBody(MAX_JSON_BODY_BYTES);
  // `authorize-many` carries up to 1,000 tokens (service role only, checked before the body is read).
  const checkBodies = limitBody(4 * 1024 * 1024);
  app.use('/functions/v1/*', async (c, next) => {
    const name = c.req.path.slice(c.req.path.lastIndexOf('/') + 1);
    if ((byteFunctions as readonly string[]).includes(name)) return next();
    return (name === 'authorize-many' ? checkBodies : smallBodies)(c, next);
  });

  // Base64 is 4/3 the size of the bytes; 64 KiB more leaves room for the JSON around them.
  const maxBodyBytes = Math.ceil((rules.maxDocumentBytes * 4) / 3) + 64 * 1024;
  for (const fn of byteFunctions) {
    app.post(
      `/functions/v1/${fn}`,
      bodyLimit({
        maxSize: maxBodyBytes,
        onError: (c) =>
          c.json(
            errorBody(
              'validation',
              'body_too_large',
              `${fn} accepts at most ${maxBodyBytes} bytes of JSON (the document limit is ${rules.maxDocumentBytes} bytes); send smaller batches`,
              { maxBodyBytes },
            ),
            413,
          ),
      }),
    );
  }

  app.onError((error, c) => {
    if (error instanceof InvalidTextError) error = unstorableText();
    if (error instanceof OfbError) {
      const wait = (error.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
      if (error.status === 429 && typeof wait === 'number') c.header('Retry-After', String(wait));
      return c.json(errorBody(error.category, error.code, error.message, error.details), error.status);
    }
    console.error(JSON.stringify({ level: 'error', msg: 'ofb function failed', error: String(error) }));
    return c.json(
      errorBody(ErrorCategory.internal, 'internal', 'the server failed; it has been logged'),
      500,
    );
  });
  app.notFound((c) =>
    c.json(
      errorBody(
        'not_found',
        'no_such_route',
        `no route ${c.req.method} ${c.req.path}; functions are POST /functions/v1/<name>`,
      ),
      404,
    ),
  );

  app.all('/functions/v1/:name', async (c) => {
    const name = c.req.param('name');
    if (!Object.hasOwn(OfbRequests, name)) {
      throw new OfbError(404, 'not_found', 'no_such_function', `no function "${name}"`, {
        functions: Object.keys(OfbRequests),
      });
    }
    if (c.req.method !== 'POST')
      throw new OfbError(405, 'validation', 'method_not_allowed', `call ${name} with POST and a JSON body`);
    const fn = name as Name;
    let claims: Claims | null = null;
    const header = c.req.header('authorization');
    if (!publicFunctions.has(fn)) {
      const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
      if (!match)
        throw new OfbError(401, 'auth', 'missing_token', 'send Authorization: Bearer <access token>');
      claims = await verify(match[1]!);
    }
    const key = c.req.header(IDEMPOTENCY_HEADER);
    if (key !== undefined) {
      if (!idempotentFunctions.has(fn))
        throw new OfbError(
          422,
          'validation',
          'idempotency_not_supported',
          `${fn} does not take an ${IDEMPOTENCY_HEADER} header; only these functions do: ${[...idempotentFunctions].join(', ')}`,
          { functions: [...idempotentFunctions] },
        );
      const valid = IdempotencyKey.safeParse(key);
      if (!valid.success)
        throw new OfbError(
          422,
          'validation',
          'invalid_idempotency_key',
          valid.error.issues[0]?.message ?? 'the idempotency key is malformed',
        );
    }
    const text = await c.req.text();
    let body: unknown;
    try {
      body = text.trim() === '' ? {} : JSON.parse(text);
    } catch {
      throw new OfbError(400, 'validation', 'invalid_json', 'the request body is not valid JSON');
    }
    const parsed = OfbRequests[fn].safeParse(body);
    if (!parsed.success) {
      throw new OfbError(
        422,
        'validation',
        OfbErrorCode.invalidRequest,
        `the body does not fit ${fn}'s schema`,
        {
          issues: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
        },
      );
    }
    const address = clientIp(c);
    // The handler table is keyed by name, so `parsed.data` always fits `handlers[fn]`.
    const run = async (db: OfbStore) => {
      try {
        return await (handlers[fn] as Handler<Name>)(parsed.data as never, { claims, store: db, address });
      } catch (error) {
        if (error instanceof InvalidTextError) throw unstorableText();
        throw error;
      }
    };
    if (key !== undefined) {
      const answer = await idempotent(fn, key, requireUser(claims).sub, parsed.data, run);
      return c.json(answer.body as object, answer.status);
    }
    let result: unknown;
    try {
      result = await run(store);
    } catch (error) {
      if (error instanceof OfbError && error.audit) await store.appendAudit(error.audit);
      throw error;
    }
    return c.json(result as object, 200);
  });
  return app;
}
