// Hostile extensions inside real runs: one executor, real bubblewrap processes from the pool, the
// merged node library. A run whose extension loops or bombs its memory fails that node with its
// reason within the limit + 1 s (no retry for memory), while another run in flight on the same
// executor finishes, and the executor runs extension nodes afterwards.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryArtifactStore, MemoryDagTracker, PoolManager } from '@symphony/pit';
import {
  ExtensionManifest,
  type ExtensionManifestInput,
  IsolationLevel,
  type NodeId,
  nodeLibraryWith,
  type Workflow,
} from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  builtinSteps,
  Executor,
  ExtensionHost,
  type ExtensionProcess,
  extensionSteps,
} from '../src/index.js';
import { source } from './executor-harness.js';

const FIXTURES = fileURLToPath(new URL('../test-fixtures/extensions/', import.meta.url));
const SLACK_MS = 1_000;

function fixture(name: string): { manifest: ExtensionManifest; folder: string } {
  const folder = join(FIXTURES, name);
  const raw = JSON.parse(
    readFileSync(join(folder, 'symphony-extension.json'), 'utf8'),
  ) as ExtensionManifestInput;
  return { manifest: ExtensionManifest.parse(raw), folder };
}

const extensions = ['echo', 'loop', 'arraybuffer-bomb'].map(fixture);
let host: ExtensionHost;
let pools: PoolManager;
let executor: Executor;

beforeAll(() => {
  host = new ExtensionHost({
    isolation: IsolationLevel.sandboxed,
    credentials: async () => undefined,
    workspaceDir: FIXTURES,
  });
  pools = new PoolManager();
  const steps = new Map(builtinSteps());
  for (const extension of extensions) {
    const pool = pools.pool<ExtensionProcess>({
      kind: extension.manifest.id,
      factory: { create: () => host.start(extension), destroy: (p) => p.close(), healthy: (p) => p.alive },
      max: 2,
    });
    for (const step of extensionSteps(
      extension.manifest,
      (signal) => pool.acquire(signal),
      (p, broken) => pool.release(p, broken || !p.alive),
    )) {
      steps.set(step.type, step);
    }
  }
  executor = new Executor({
    tracker: new MemoryDagTracker(),
    store: new MemoryArtifactStore(),
    steps,
    library: nodeLibraryWith(extensions.map((e) => e.manifest)),
    limits: { maxAttempts: 2, backoffBaseMs: 10, backoffMaxMs: 10 },
  });
});

afterAll(async () => {
  await executor?.close();
  await pools?.close();
  await host?.close();
});

function oneNode(type: string, params: Record<string, unknown> = {}): Workflow {
  return {
    name: type,
    nodes: { ['n' as NodeId]: { type, kind: 'operator', params, position: { x: 0, y: 0 } } },
    edges: {},
  } as Workflow;
}

describe('extension nodes in runs', () => {
  it('fails a looping node on its time limit and a memory bomb on its memory limit, while another run finishes', async () => {
    const started = Date.now();
    const calm = await executor.start({ workflow: oneNode('fixture.echo/run', { delayMs: 800 }), source });
    const loop = await executor.start({ workflow: oneNode('fixture.loop/run'), source });
    const bomb = await executor.start({ workflow: oneNode('fixture.arraybuffer-bomb/run'), source });

    const bombed = await bomb.done;
    const node = bombed.nodes.get('n' as NodeId)!;
    expect(node.state).toBe('failed');
    expect(node.error).toMatchObject({ code: 'extension_failed', details: { reason: 'memory-limit' } });
    // Not retried: a memory bomb does the same next time.
    expect(node.attempt).toBe(1);

    const looped = await loop.done;
    const looping = looped.nodes.get('n' as NodeId)!;
    expect(looping.state).toBe('failed');
    expect(looping.error).toMatchObject({ code: 'extension_failed', details: { reason: 'time-limit' } });
    // Retried once (a time limit may be a slow moment), each attempt stopped within 1 s + slack.
    expect(looping.attempt).toBe(2);
    expect(Date.now() - started).toBeLessThan(2 * (1_000 + 250 + SLACK_MS) + 2_000);

    const finished = await calm.done;
    expect(finished.status).toBe('succeeded');
    expect(finished.nodes.get('n' as NodeId)?.state).toBe('succeeded');

    const after = await executor.start({ workflow: oneNode('fixture.echo/run', { again: true }), source });
    expect((await after.done).status).toBe('succeeded');
  }, 30_000);
});
