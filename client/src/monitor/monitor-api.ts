// The orchestrator's HTTP API as the client calls it: where it is, and one method per route, each
// answer parsed with the monitor's schemas. The live stream is MonitorConnection's.
import {
  ArtifactDetailResponse,
  ArtifactLineageResponse,
  ArtifactSearchResponse,
  ArtifactVersionsResponse,
  CancelRunResponse,
  ErrorBody,
  InstrumentStatsResponse,
  MONITOR_API_PREFIX,
  MONITOR_DEFAULT_PORT,
  MONITOR_LIVE_PATH,
  MONITOR_URL_STORAGE_KEY,
  MonitorErrorCode,
  MonitorHealth,
  type NodeId,
  type RerunRequest,
  RunDetailResponse,
  RunListResponse,
  RunStartedResponse,
  type StartRunRequest,
} from '@symphony/schemas';
import type { z } from 'zod';
import type { StringStore } from '../core/StringStore.js';

/** The orchestrator's base URL when nothing else is configured: `symphony serve`'s default. */
export const DEFAULT_ORCHESTRATOR_URL = `http://127.0.0.1:${MONITOR_DEFAULT_PORT}`;

/**
 * Where this browser reaches its orchestrator: the URL kept in localStorage
 * ({@link MONITOR_URL_STORAGE_KEY}), else `VITE_ORCHESTRATOR_URL` at build time, else
 * {@link DEFAULT_ORCHESTRATOR_URL}. Always an `http(s)` origin without a trailing slash.
 */
export function orchestratorUrl(store: Pick<StringStore, 'getItem'>): string {
  const configured: unknown = import.meta.env?.VITE_ORCHESTRATOR_URL;
  for (const candidate of [store.getItem(MONITOR_URL_STORAGE_KEY), configured]) {
    if (typeof candidate !== 'string' || candidate === '') continue;
    try {
      const url = new URL(candidate);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
    } catch {
      // not a URL: the next candidate
    }
  }
  return DEFAULT_ORCHESTRATOR_URL;
}

/** The live stream's WebSocket URL for an orchestrator at `baseUrl`. */
export function liveUrl(baseUrl: string): string {
  return `${baseUrl.replace(/^http/, 'ws')}${MONITOR_LIVE_PATH}`;
}

/** How a monitor call failed. */
export class MonitorApiError extends Error {
  override name = 'MonitorApiError';
  constructor(
    /** `refused`: the orchestrator answered with an error; `unreachable`: no orchestrator answered. */
    readonly kind: 'refused' | 'unreachable',
    message: string,
    readonly status?: number,
    /** A {@link MonitorErrorCode} of a refusal. */
    readonly code?: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/** The orchestrator's HTTP routes, called with the signed-in user's token. */
export class MonitorApi {
  constructor(
    readonly baseUrl: string,
    /** The current access token, or `null` when signed out. */
    private readonly token: () => string | null,
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
    /**
     * Renews the token (AuthSession.refresh) when the orchestrator refuses it; resolves whether a
     * new one came. A refused call is sent once more with it.
     */
    private readonly refreshToken?: () => Promise<boolean>,
  ) {}

  /**
   * Whether an orchestrator answers here. Sent without the token: whatever listens on the port
   * (another program, while the orchestrator restarts) is told nothing it could sign in with.
   */
  health(): Promise<MonitorHealth> {
    return this.call('GET', '/health', MonitorHealth, undefined, { anonymous: true });
  }

  listRuns(workflowId: string, limit?: number): Promise<RunListResponse> {
    const query = new URLSearchParams({
      workflowId,
      ...(limit === undefined ? {} : { limit: String(limit) }),
    });
    return this.call('GET', `/runs?${query}`, RunListResponse);
  }

  run(runId: string): Promise<RunDetailResponse> {
    return this.call('GET', `/runs/${encodeURIComponent(runId)}`, RunDetailResponse);
  }

  start(request: StartRunRequest): Promise<RunStartedResponse> {
    return this.call('POST', '/runs', RunStartedResponse, request);
  }

  rerun(runId: string, request: RerunRequest = {}): Promise<RunStartedResponse> {
    return this.call('POST', `/runs/${encodeURIComponent(runId)}/rerun`, RunStartedResponse, request);
  }

  resume(runId: string): Promise<RunStartedResponse> {
    return this.call('POST', `/runs/${encodeURIComponent(runId)}/resume`, RunStartedResponse, {});
  }

  cancel(runId: string, nodeId?: NodeId): Promise<CancelRunResponse> {
    return this.call(
      'POST',
      `/runs/${encodeURIComponent(runId)}/cancel`,
      CancelRunResponse,
      nodeId === undefined ? {} : { nodeId },
    );
  }

  artifact(hash: string): Promise<ArtifactDetailResponse> {
    return this.call('GET', `/artifacts/${encodeURIComponent(hash)}`, ArtifactDetailResponse);
  }

  /** The whole bytes of an artifact (for a download or a diff past the preview). */
  async artifactBytes(hash: string): Promise<Uint8Array> {
    const response = await this.send('GET', `/artifacts/${encodeURIComponent(hash)}/raw`);
    return new Uint8Array(await response.arrayBuffer());
  }

  versions(name: string): Promise<ArtifactVersionsResponse> {
    return this.call('GET', `/artifacts/names/${encodeURIComponent(name)}`, ArtifactVersionsResponse);
  }

  lineage(hash: string): Promise<ArtifactLineageResponse> {
    return this.call('GET', `/artifacts/${encodeURIComponent(hash)}/lineage`, ArtifactLineageResponse);
  }

  search(q: string, workflowId?: string): Promise<ArtifactSearchResponse> {
    const query = new URLSearchParams({ q, ...(workflowId === undefined ? {} : { workflowId }) });
    return this.call('GET', `/artifacts/search?${query}`, ArtifactSearchResponse);
  }

  instrumentStats(options: { sinceMs?: number; bucketMs?: number } = {}): Promise<InstrumentStatsResponse> {
    const query = new URLSearchParams(
      Object.entries(options).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])),
    );
    return this.call('GET', `/instruments/stats?${query}`, InstrumentStatsResponse);
  }

  private async call<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: S,
    body?: unknown,
    options: { anonymous?: boolean } = {},
  ): Promise<z.output<S>> {
    const response = options.anonymous
      ? await this.sendOnce(method, path, body, null)
      : await this.send(method, path, body);
    const parsed = schema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success)
      throw new MonitorApiError(
        'refused',
        `the orchestrator's answer to ${method} ${path} is not what this page expects`,
      );
    return parsed.data;
  }

  private async send(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    try {
      return await this.sendOnce(method, path, body);
    } catch (error) {
      if (!isTokenRefusal(error) || this.refreshToken === undefined) throw error;
      const renewed = await this.refreshToken().catch(() => false);
      if (!renewed) throw error;
      return this.sendOnce(method, path, body);
    }
  }

  private async sendOnce(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    token: string | null = this.token(),
  ): Promise<Response> {
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${MONITOR_API_PREFIX}${path}`, {
        method,
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch {
      throw new MonitorApiError(
        'unreachable',
        `no orchestrator answers at ${this.baseUrl}: start it with "npm start" (or "npx symphony serve")`,
      );
    }
    if (response.ok) return response;
    const error = ErrorBody.safeParse(await response.json().catch(() => undefined));
    if (!error.success)
      throw new MonitorApiError(
        'refused',
        `the orchestrator refused ${method} ${path} (${response.status})`,
        response.status,
      );
    const { code, message, details } = error.data.error;
    throw new MonitorApiError('refused', message, response.status, code, details);
  }
}

/** Whether `error` says the orchestrator refused the token (sign in again, or refresh it). */
export function isTokenRefusal(error: unknown): boolean {
  return (
    error instanceof MonitorApiError &&
    (error.code === MonitorErrorCode.invalidToken || error.code === MonitorErrorCode.missingToken)
  );
}
