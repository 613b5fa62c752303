// Convergence of one Workflow through the real bin under SIGKILL: stock and WorkflowSync clients edit the
// board, go offline and come back; every replica and OFB's stored copy agree.
import 'fake-indexeddb/auto';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { next as A } from '@automerge/automerge';
import { type DocumentId, generateAutomergeUrl, parseAutomergeUrl, Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { loadJwtSecret, TokenService } from '@symphony/ofb';
import { freshName, ofbAt, type TestUser } from '@symphony/ofb/testing';
import { base64ToBytes, RejectReason, validateWorkflow, type Workflow } from '@symphony/schemas';
import { randomGesture, tempDir, waitFor } from '@symphony/sync-server/testing';
import * as prng from 'lib0/prng';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBin, stopped } from '../src/testing.js';
import { browserLikeSocketErrors, ClientPeer, StockPeer, type WorkflowPeer } from './workflow-peers.js';

/**
 * Convergence of one workflow through the real bin (embedded OFB, PGlite in a temp folder): stock
 * automerge-repo clients, each with its own storage, make random board gestures at full speed —
 * nodes added, deleted and moved, edges that may close cycles or feed an input twice, parameter
 * edits — go offline and come back with their own edits, while the bin is killed with SIGKILL and
 * restarted. At the end every client, a late client and the copy OFB stored hold the same workflow
 * with the same validation verdicts, and the server refused nothing.
 *
 * One bin serves the whole file (PGlite takes seconds to start); each seed edits a fresh workflow.
 * WORKFLOW_CONVERGENCE_SEEDS (default 100) sets how many seeds run, WORKFLOW_CONVERGENCE_SEED the
 * first, WORKFLOW_CONVERGENCE_STEPS (default 20) the schedule's length. Every
 * WORKFLOW_CONVERGENCE_KILL_EVERY-th seed (default 5: such a seed takes ~7 s) kills the bin with
 * SIGKILL in the middle of its schedule and starts it again at once, the schedule going on while
 * it starts. WORKFLOW_CONVERGENCE_CLIENT_SEEDS (default 6) more seeds mix two of the client's own
 * `WorkflowSync` peers (IndexedDB storage, offline by `setNetworkAvailable`) in with the stock
 * ones, every second one with a SIGKILL. A failure names its seed so it can be replayed.
 */
const SEEDS = Number(process.env.WORKFLOW_CONVERGENCE_SEEDS ?? 100);
const FIRST_SEED = Number(process.env.WORKFLOW_CONVERGENCE_SEED ?? 1);
const STEPS = Number(process.env.WORKFLOW_CONVERGENCE_STEPS ?? 20);
const KILL_EVERY = Number(process.env.WORKFLOW_CONVERGENCE_KILL_EVERY ?? 5);
const CLIENT_SEEDS = Number(process.env.WORKFLOW_CONVERGENCE_CLIENT_SEEDS ?? 6);
const STOCK_PEERS = 4;

/** What the seeds went through, so that the file can tell it tested what it says. */
const seen = { kills: 0, offline: 0, cycleVerdicts: 0, edges: 0 };

/** The real bin in a temp folder, on one port across restarts. */
class Bin {
  child!: ChildProcess;
  origin!: string;
  output: string[] = [];
  #port = 0;
  #serviceToken: Promise<string> | undefined;

  constructor(readonly cwd: string) {}

  get up(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    const bin = await startBin(this.cwd, this.#port === 0 ? [] : ['--port', String(this.#port)]);
    Object.assign(this, bin);
    this.#port = Number(new URL(bin.origin).port);
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.up) return;
    this.child.kill(signal);
    await stopped(this.child);
  }

  /** A service-role token signed with the bin's own secret, as the bin's adapters hold. */
  serviceToken(): Promise<string> {
    this.#serviceToken ??= new TokenService(loadJwtSecret(join(this.cwd, '.symphony'), {})).sign({
      sub: 'convergence-test',
      role: 'service_role',
    });
    return this.#serviceToken;
  }

  automergeUrl(user: TestUser): string {
    return `${this.origin.replace(/^http/, 'ws')}/automerge?token=${encodeURIComponent(user.token)}`;
  }
}

const sortedHeads = (doc: A.Doc<unknown>) => JSON.stringify([...A.getHeads(doc)].sort());

/** What every replica must agree on: the document, its heads, and validation's verdicts. */
function summary(doc: A.Doc<Workflow>): { heads: string; workflow: string; verdicts: string } {
  const workflow = A.toJS(doc) as Workflow;
  const report = validateWorkflow(workflow);
  return {
    heads: sortedHeads(doc),
    workflow: JSON.stringify(workflow),
    verdicts: JSON.stringify({
      findings: report.findings,
      rejectedEdges: [...report.rejectedEdges].sort(),
    }),
  };
}

describe.sequential('workflow convergence through the real bin, with SIGKILL', () => {
  let bin: Bin;
  let cleanup: () => Promise<void>;
  let owner: TestUser;
  let editor: TestUser;
  let workspaceId: string;
  let restoreSocketErrors: () => void;

  beforeAll(async () => {
    restoreSocketErrors = browserLikeSocketErrors();
    const dir = await tempDir('symphony-workflow-converge-');
    cleanup = dir.cleanup;
    bin = new Bin(dir.dir);
    await bin.start();
    const embedded = ofbAt(bin.origin);
    [owner, editor] = await Promise.all([
      embedded.signUp(freshName('owner')),
      embedded.signUp(freshName('editor')),
    ]);
    workspaceId = await embedded.createWorkspace(owner, [{ user: editor, role: 'editor' }]);
  }, 60_000);
  afterAll(async () => {
    await bin?.kill('SIGTERM');
    await cleanup?.();
    restoreSocketErrors?.();
  });

  /** The workflow as OFB stored it: every chunk the bin saved for it, loaded into one document. */
  async function storedCopy(documentId: DocumentId): Promise<A.Doc<Workflow>> {
    const { chunks } = await ofbAt(bin.origin).ok(
      'automerge-load-range',
      { prefix: [documentId] },
      await bin.serviceToken(),
    );
    let doc = A.init<Workflow>();
    for (const { key, bytes } of chunks)
      if (key[1] === 'snapshot' || key[1] === 'incremental')
        doc = A.loadIncremental(doc, base64ToBytes(bytes));
    return doc;
  }

  /** A client that joins only at the end, with no storage: all it holds comes from the server. */
  async function lateCopy(documentId: DocumentId, heads: string): Promise<A.Doc<Workflow>> {
    const repo = new Repo({ network: [new WebSocketClientAdapter(bin.automergeUrl(editor), 100)] });
    try {
      const handle = await repo.find<Workflow>(documentId);
      await waitFor(() => sortedHeads(handle.doc()) === heads, 'a late client to hold every change', 10_000);
      return A.clone(handle.doc());
    } finally {
      await repo.shutdown();
    }
  }

  async function runSeed(seed: number, clientPeers: number): Promise<void> {
    const gen = prng.create(seed);
    const pick = <T>(items: readonly T[]): T => prng.oneOf(gen, items as T[]);
    const { documentId } = parseAutomergeUrl(generateAutomergeUrl());
    const initial = A.save(A.from<Workflow>({ name: `Seed ${seed}`, nodes: {}, edges: {} }));
    await ofbAt(bin.origin).ok(
      'create-document',
      { workspaceId, id: documentId, kind: 'workflow', title: documentId },
      owner.token,
    );
    const peers: WorkflowPeer[] = [];
    const kills = seed % (clientPeers > 0 ? 2 : KILL_EVERY) === 0;
    const killAt = kills ? Math.floor(STEPS / 3 + (prng.real53(gen) * STEPS) / 3) : -1;
    let restarted = Promise.resolve();
    const log: string[] = [];
    try {
      for (let i = 0; i < STOCK_PEERS; i++)
        peers.push(
          StockPeer.start(`stock ${i}`, bin.automergeUrl(i % 2 ? editor : owner), documentId, initial),
        );
      for (let i = 0; i < clientPeers; i++) {
        const url = `${bin.origin.replace(/^http/, 'ws')}/automerge`;
        const database = `workflow-seed-${seed}-client-${i}`;
        peers.push(await ClientPeer.start(`client ${i}`, url, editor.token, database, documentId, initial));
      }
      for (let step = 0; step < STEPS; step++) {
        if (step === killAt) {
          // Killed, then started again at once: the schedule goes on while it starts (seconds).
          await bin.kill();
          restarted = bin.start();
          seen.kills++;
          log.push(`step ${step}: SIGKILL`);
        }
        const peer = pick(peers);
        const roll = prng.real53(gen);
        if (roll < 0.65) {
          const gestures = prng.uint32(gen, 1, 4);
          for (let i = 0; i < gestures; i++) peer.handle.change(randomGesture(peer.handle.doc(), gen));
        } else if (roll < 0.8) {
          await peer.setOnline(!peer.online);
          if (!peer.online) seen.offline++;
          log.push(`step ${step}: ${peer.label} ${peer.online ? 'online' : 'offline'}`);
        } else {
          await new Promise((r) => setTimeout(r, prng.uint32(gen, 0, 19)));
        }
      }
      await restarted;
      for (const peer of peers) await peer.setOnline(true);
      const agreed = () => {
        const refused = peers.flatMap((p) => p.refusals.map((r) => `${p.label}: ${r}`));
        if (refused.length > 0) throw new Error(`the server refused a client:\n  ${refused.join('\n  ')}`);
        return peers.every((p) => sortedHeads(p.handle.doc()) === sortedHeads(peers[0]!.handle.doc()));
      };
      await waitFor(agreed, 'every client to hold the same heads', 20_000);
      const expected = summary(peers[0]!.handle.doc());
      for (const peer of peers) expect(summary(peer.handle.doc()), peer.label).toEqual(expected);
      expect(summary(await lateCopy(documentId, expected.heads)), 'the late client').toEqual(expected);
      let stored = await storedCopy(documentId);
      const deadline = Date.now() + 5000;
      while (sortedHeads(stored) !== expected.heads && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        stored = await storedCopy(documentId);
      }
      expect(summary(stored), 'the copy OFB stored').toEqual(expected);
      expect(peers.flatMap((p) => p.refusals.map((r) => `${p.label}: ${r}`))).toEqual([]);
      const report = validateWorkflow(A.toJS(stored) as Workflow);
      seen.cycleVerdicts += [...report.rejectedEdges.values()].filter((r) => r === RejectReason.cycle).length;
      seen.edges += Object.keys(stored.edges).length;
    } catch (error) {
      const state = peers.map(
        (p) => `  ${p.label} (${p.online ? 'online' : 'offline'}): ${sortedHeads(p.handle.doc())}`,
      );
      throw new Error(
        `workflow convergence failed for seed ${seed}; replay with WORKFLOW_CONVERGENCE_SEED=${seed} ` +
          `WORKFLOW_CONVERGENCE_SEEDS=1\n${String(error)}\n${state.join('\n')}\n  schedule: ${log.join('; ')}\n` +
          `  bin: ${bin.output.join('').slice(-2000)}`,
      );
    } finally {
      await restarted.catch(() => {});
      for (const peer of peers) await peer.close();
    }
  }

  for (let seed = FIRST_SEED; seed < FIRST_SEED + SEEDS; seed++) {
    it(`seed ${seed}: ${STOCK_PEERS} stock clients`, () => runSeed(seed, 0), 60_000);
  }
  for (let seed = FIRST_SEED; seed < FIRST_SEED + CLIENT_SEEDS; seed++) {
    it(
      `seed ${seed}: ${STOCK_PEERS} stock clients and 2 WorkflowSync clients`,
      () => runSeed(seed, 2),
      60_000,
    );
  }
  // With enough seeds, the schedules must have done what this file claims to test.
  if (SEEDS + CLIENT_SEEDS >= 20)
    it('went through SIGKILLs, offline periods and edges rejected for closing a cycle', () => {
      expect(seen.kills).toBeGreaterThan(0);
      expect(seen.offline).toBeGreaterThan(0);
      expect(seen.cycleVerdicts, JSON.stringify(seen)).toBeGreaterThan(0);
    });
});
