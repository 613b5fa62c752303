// The monitor's artifact and instrument routes: search, named versions, an artifact's detail, its
// bytes and its lineage, and the instruments' performance — each over the runs the caller may read.
import {
  ArtifactHash,
  ArtifactName,
  ArtifactSearchQuery,
  InstrumentStatsQuery,
  type InstrumentStatsResponse,
  MONITOR_API_PREFIX,
  MonitorErrorCode,
  type RunEvent,
  type RunId,
  type RunSummary,
  type WorkflowId,
} from '@symphony/schemas';
import type { Context, Hono } from 'hono';
import { artifactDetail, artifactLineage, artifactSearch, artifactVersions } from './artifact-views.js';
import type { Caller } from './Gatekeeper.js';
import { bearer, paramOf, queryOf } from './http-app.js';
import {
  checkInstrumentQuery,
  DEFAULT_WINDOW_MS,
  instrumentPerformance,
  routingView,
} from './instrument-performance.js';
import { MonitorError } from './monitor-error.js';
import { type MonitorServices, shownRun } from './services.js';

const v1 = MONITOR_API_PREFIX;
/** Outputs made from an artifact that are looked at to find the runs that used it. */
const MAX_USES_CHECKED = 50;

/**
 * Media types raw bytes are sent as: plain data a browser shows inertly. Anything else (HTML, SVG,
 * JavaScript, XML, PDF, …) is sent as `application/octet-stream`, so that no stored artifact is
 * ever a page of this origin.
 */
const RAW_MEDIA_TYPES: ReadonlySet<string> = new Set([
  'text/plain',
  'text/markdown',
  'text/csv',
  'application/json',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
]);

/** Mounts the artifact and instrument routes on `app` (the fixed paths before `:hash`). */
export function mountArtifactRoutes(app: Hono, services: MonitorServices): void {
  const store = services.engine.store;

  app.get(`${v1}/artifacts/search`, async (c) => {
    const caller = await services.gate.identify(bearer(c));
    const query = queryOf(c, ArtifactSearchQuery);
    const access = new ArtifactAccess(services, caller);
    return c.json(await artifactSearch(store, query.q, (hash) => access.readable(hash, query.workflowId)));
  });

  app.get(`${v1}/artifacts/names/:name`, async (c) => {
    const caller = await services.gate.identify(bearer(c));
    const name = paramOf(c, 'name', ArtifactName);
    const access = new ArtifactAccess(services, caller);
    const { versions } = await artifactVersions(store, name);
    const shown = [];
    for (const version of versions) if (await access.readable(version.hash)) shown.push(version);
    if (shown.length === 0) throw notFound(`no artifact named ${name} that you may read`);
    return c.json({ versions: shown });
  });

  app.get(`${v1}/artifacts/:hash`, async (c) => {
    const { hash, access } = await readableArtifact(c, services);
    const detail = await artifactDetail(store, hash, {
      producer: async (runId, nodeId) => {
        if ((await access.run(runId)) === undefined) return undefined;
        const started = (await services.engine.tracker.history(runId))[0];
        const node = started?.type === 'run.started' ? started.workflow.nodes[nodeId] : undefined;
        return node === undefined ? undefined : { type: node.type, params: node.params };
      },
    });
    if (detail === undefined) throw notFound(`no artifact ${hash}`);
    // The same bytes made by runs the caller may not read: those runs (and their inputs) are not
    // shown, nor tags, which say nothing of whose they are.
    const shown = await Promise.all(detail.info.producedBy.map((made) => access.run(made.runId)));
    const producedBy = detail.info.producedBy.filter((_, i) => shown[i] !== undefined);
    return c.json({ ...detail, info: { ...detail.info, producedBy, tags: [] } });
  });

  app.get(`${v1}/artifacts/:hash/raw`, async (c) => {
    const { hash } = await readableArtifact(c, services);
    const info = await store.info(hash);
    if (info === undefined) throw notFound(`no artifact ${hash}`);
    const name = (await store.versionsOf(hash))[0]?.name.replace(/[^A-Za-z0-9._-]/g, '_') ?? hash;
    const type = info.mediaType.split(';', 1)[0]!.trim().toLowerCase();
    return c.body(streamOf(store.stream(hash)), 200, {
      'Content-Type': RAW_MEDIA_TYPES.has(type) ? type : 'application/octet-stream',
      'Content-Length': String(info.size),
      'Content-Disposition': `attachment; filename="${name}"`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      'Cross-Origin-Resource-Policy': 'same-origin',
    });
  });

  app.get(`${v1}/artifacts/:hash/lineage`, async (c) => {
    const { hash, access } = await readableArtifact(c, services);
    const lineage = await artifactLineage(store, hash, async (runId) => {
      const run = await access.run(runId);
      return run === undefined ? undefined : { workflow: run.workflow, startedAt: run.startedAt };
    });
    if (lineage === undefined) throw notFound(`no artifact ${hash}`);
    return c.json(lineage);
  });

  app.get(`${v1}/instruments/stats`, async (c) => {
    const caller = await services.gate.identify(bearer(c));
    const query = queryOf(c, InstrumentStatsQuery);
    const now = services.now();
    // A window cut into too many buckets is refused before any journal is read.
    checkInstrumentQuery(query, now);
    const since = now - (query.sinceMs ?? DEFAULT_WINDOW_MS);
    const access = new ArtifactAccess(services, caller);
    const histories: RunEvent[][] = [];
    /** The node types of the runs shown: the router's tasks the caller may see. */
    const tasks = new Set<string>();
    for (const summary of services.index.ofServer(services.server)) {
      if ((summary.finishedAt ?? now) < since) continue;
      if ((await access.run(summary.runId)) === undefined) continue;
      const history = await services.engine.tracker.history(summary.runId);
      histories.push(history);
      const started = history[0];
      if (started?.type === 'run.started')
        for (const node of Object.values(started.workflow.nodes)) tasks.add(node.type);
    }
    const answer: InstrumentStatsResponse = {
      instruments: instrumentPerformance(histories, query, now),
      routing: await routingView(services.paths, services.warn, tasks),
    };
    return c.json(answer);
  });
}

/** The `:hash` of the path when the caller may read it; 404 otherwise (whether or not it is stored). */
async function readableArtifact(
  c: Context,
  services: MonitorServices,
): Promise<{ hash: ArtifactHash; access: ArtifactAccess }> {
  const caller = await services.gate.identify(bearer(c));
  const hash = paramOf(c, 'hash', ArtifactHash);
  const access = new ArtifactAccess(services, caller);
  if (!(await access.readable(hash))) throw notFound(`no artifact ${hash} that you may read`);
  return { hash, access };
}

/** `chunks` as a web stream, pulled as the client reads (the store verifies the bytes as they pass). */
function streamOf(chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}

function notFound(message: string): MonitorError {
  return new MonitorError(MonitorErrorCode.notFound, message);
}

/**
 * What one caller may read, asked once per workflow within a request: a run is readable when the
 * monitor shows it and the caller may read its workflow; an artifact when a readable run produced
 * it, or used it (a node of a readable run made something from it). Identical bytes are stored
 * once, so an output's other producers say nothing about its inputs: only a producer that took the
 * artifact as an input counts as using it.
 */
class ArtifactAccess {
  readonly #workflows = new Map<WorkflowId, Promise<boolean>>();

  constructor(
    private readonly services: MonitorServices,
    private readonly caller: Caller,
  ) {}

  /** The run's summary when the caller may read it. */
  async run(runId: RunId): Promise<RunSummary | undefined> {
    const shown = shownRun(this.services, runId);
    if (shown === undefined) return undefined;
    const workflowId = shown.source.workflowId;
    let readable = this.#workflows.get(workflowId);
    if (readable === undefined) {
      readable = this.services.gate.roleOn(this.caller, workflowId).then((role) => role !== undefined);
      this.#workflows.set(workflowId, readable);
    }
    return (await readable) ? shown.summary : undefined;
  }

  /** Whether the caller may read `hash` (through a run of `workflowId`, when given). */
  async readable(hash: ArtifactHash, workflowId?: WorkflowId): Promise<boolean> {
    const store = this.services.engine.store;
    const info = await store.info(hash);
    if (info === undefined) return false;
    if (
      await this.#anyReadable(
        info.producedBy.map((p) => p.runId),
        workflowId,
      )
    )
      return true;
    const { outputs } = await store.lineage(hash);
    for (const output of outputs.slice(0, MAX_USES_CHECKED)) {
      const made = await store.info(output);
      if (made === undefined) continue;
      const users = made.producedBy.filter((p) => p.inputs.includes(hash)).map((p) => p.runId);
      if (await this.#anyReadable(users, workflowId)) return true;
    }
    return false;
  }

  async #anyReadable(runIds: readonly RunId[], workflowId: WorkflowId | undefined): Promise<boolean> {
    for (const runId of new Set(runIds)) {
      const run = await this.run(runId);
      if (run === undefined) continue;
      if (
        workflowId === undefined ||
        (run.source.kind === 'automerge' && run.source.workflowId === workflowId)
      )
        return true;
    }
    return false;
  }
}
