// Calls to OFB's functions for tests, over any transport: `call` (never throws), `ok` (answer
// checked against OfbResponses), sign-up and a workspace with members. `ofbAt(url)` reaches any OFB.
import { type OfbFunctionName, type OfbResponse, OfbResponses, type Role } from '@symphony/schemas';

/** The password {@link OfbCaller.signUp} gives every user (OFB wants at least 8 characters). */
export const TEST_OFB_PASSWORD = 'password123';

/** OFB's answer to a call: status, headers and JSON body (an `ErrorBody` when refused). */
export interface OfbReply {
  readonly status: number;
  readonly headers: Headers;
  // Tests read the fields they expect and check the shape where it matters.
  // biome-ignore lint/suspicious/noExplicitAny: the JSON body of any function, or of a refusal
  readonly body: any;
}

/** How a {@link OfbCaller.call} is sent beyond its body and token. */
export interface CallOptions {
  /** An `idempotency-key` header. */
  readonly key?: string;
  /** The peer address OFB sees (sign-in limits); only an in-process test OFB can pretend one. */
  readonly address?: string;
}

/** A user {@link OfbCaller.signUp} made: their id, sign-in name and access token. */
export interface TestUser {
  readonly id: string;
  readonly name: string;
  readonly token: string;
}

/** Test calls to one OFB. */
export interface OfbCaller {
  /**
   * Calls function `name` (any name: unknown ones are answered 404) as `token`'s user (no token, or
   * an empty one, sends no `Authorization` header). An object body is sent as JSON, a string as is
   * (malformed bodies). Never throws on a refusal: look at `status`.
   */
  call(name: string, body: unknown, token?: string, options?: CallOptions): Promise<OfbReply>;
  /**
   * Calls `name` and returns its answer, which must fit `OfbResponses[name]` (the body is returned
   * as OFB sent it); throws naming the function, status and body on a refusal or a misfit.
   */
  ok<N extends OfbFunctionName>(
    name: N,
    body: unknown,
    token?: string,
    options?: CallOptions,
  ): Promise<OfbResponse<N>>;
  /** Signs up a user named `name` (default a fresh `user-<random>`) with {@link TEST_OFB_PASSWORD}. */
  signUp(name?: string): Promise<TestUser>;
  /** Creates a workspace owned by `owner` with `members` invited at their roles and accepted; returns its id. */
  createWorkspace(
    owner: TestUser,
    members?: readonly { readonly user: TestUser; readonly role: Role }[],
    name?: string,
  ): Promise<string>;
}

/** Sends one request to `/functions/v1/<name>`: a `fetch`, or an in-process `app.request`. */
export type OfbSend = (path: string, init: RequestInit, options: CallOptions) => Promise<Response>;

/** A fresh name with `prefix`, unique enough for one test run. */
export const freshName = (prefix = 'user'): string => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;

/** Test calls to the OFB at `url` (a test OFB, a `symphony-ofb`, or a bin's embedded OFB), over HTTP. */
export function ofbAt(url: string): OfbCaller {
  return ofbCaller((path, init) => fetch(`${url}${path}`, init));
}

/** Test calls through `send`. */
export function ofbCaller(send: OfbSend): OfbCaller {
  const call: OfbCaller['call'] = async (name, body, token, options = {}) => {
    const res = await send(
      `/functions/v1/${name}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(options.key === undefined ? {} : { 'idempotency-key': options.key }),
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      },
      options,
    );
    return { status: res.status, headers: res.headers, body: await res.json() };
  };
  const ok: OfbCaller['ok'] = async (name, body, token, options) => {
    const reply = await call(name, body, token, options);
    if (reply.status !== 200) throw new Error(`${name}: ${reply.status} ${JSON.stringify(reply.body)}`);
    const fits = OfbResponses[name].safeParse(reply.body);
    if (!fits.success)
      throw new Error(`${name} answered outside OfbResponses["${name}"]: ${fits.error.message}`);
    return reply.body;
  };
  return {
    call,
    ok,
    async signUp(name = freshName()) {
      const session = await ok('sign-up', { name, password: TEST_OFB_PASSWORD });
      return { id: session.user.id, name: session.user.name, token: session.access_token };
    },
    async createWorkspace(owner, members = [], name = 'Team') {
      const { workspace } = await ok('create-workspace', { name }, owner.token);
      for (const { user, role } of members) {
        const { invitation } = await ok(
          'invite-member',
          { workspaceId: workspace.id, userId: user.id, role },
          owner.token,
        );
        await ok('accept-invitation', { invitationId: invitation.id }, user.token);
      }
      return workspace.id;
    },
  };
}
