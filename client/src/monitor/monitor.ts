// The page's way to its orchestrator: the HTTP API and the live stream, made once with the signed-in
// user's token and handed down to every board.
import type { StringStore } from '../core/StringStore.js';
import { liveUrl, MonitorApi, orchestratorUrl } from './monitor-api.js';
import { MonitorConnection, type TokenRefreshOutcome } from './monitor-connection.js';

/** The orchestrator as the page reaches it: its HTTP routes and its live stream. */
export interface Monitor {
  readonly api: MonitorApi;
  readonly connection: MonitorConnection;
}

/** The signed-in session a monitor takes its token from (AuthSession). */
export interface MonitorAuth {
  readonly token: string | null;
  refresh(): Promise<TokenRefreshOutcome>;
}

/**
 * The page's {@link Monitor} for the orchestrator `orchestratorUrl(store)` names, with `auth`'s
 * token (renewed through `auth.refresh` when the orchestrator refuses it). Nothing connects until a
 * board watches a workflow.
 */
export function createMonitor(store: Pick<StringStore, 'getItem'>, auth: MonitorAuth): Monitor {
  const baseUrl = orchestratorUrl(store);
  return {
    api: new MonitorApi(
      baseUrl,
      () => auth.token,
      undefined,
      async () => (await auth.refresh()) === 'refreshed',
    ),
    connection: new MonitorConnection({
      url: liveUrl(baseUrl),
      token: () => auth.token,
      refreshToken: () => auth.refresh(),
    }),
  };
}
