/**
 * instruments: what an instrument module adds to a provider call. Each case runs one call through
 * our module (`run(call)`: config parsing, prompt building, a fresh SDK client, streaming into
 * progress, output parsing, usage and cost) against the bare `openai` SDK making the same request to
 * the same local provider test server, alternately (A B A B …), one call each per pair.
 *
 * The goal is an overhead of ≤ 2 ms at p50 (LiteLLM's published proxy overhead), so each
 * latency case's `goal_ratio` is (anchor + 2 ms) ÷ anchor, and the overhead case reports
 * p50(ours) − p50(anchor) against the 2 ms target itself.
 *
 * Variants: `in-process` calls the module directly; `sandboxed` runs the same module as users get it,
 * the built-in instrument extension (`instrumentExtension(config)`) started once by the extension host
 * in bubblewrap, each call a `process.call(...)` whose fetch is relayed over the sandbox's JSON-RPC and
 * made by the host's fetch proxy, which adds the key from the credential store.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { InstrumentConfig, IsolationLevel } from '@symphony/schemas';
import OpenAI from 'openai';
import { ExtensionHost } from '../../orchestrator/dist/extensions/ExtensionHost.js';
import type { ExtensionProcess } from '../../orchestrator/dist/extensions/ExtensionProcess.js';
import { detectIsolation } from '../../orchestrator/dist/extensions/sandbox/isolation.js';
import { instrumentExtension } from '../../orchestrator/dist/instruments/builtin.js';
import openAiChat from '../../orchestrator/src/instruments/openai-chat.ts';
import { fakeCall, hostFetch } from '../../orchestrator/src/instruments/testing/fake-call.ts';
import { ProviderTestServer } from '../../orchestrator/src/instruments/testing/provider-server.ts';
import { alternate, type BenchCase, median, percentile, round, smoke, writeResult } from '../lib/harness.ts';

const KEY = 'sk-bench-0123456789abcdef';
const SAMPLES = smoke ? 20 : 2000;
const WARMUP = smoke ? 5 : 200;
/** The goal: at most this much added at p50. */
const OVERHEAD_GOAL_MS = 2;
/** A typical short answer: 24 words, streamed as 24 deltas. */
const ANSWER = Array.from({ length: 24 }, (_, i) => `word${i}`).join(' ');
const PROMPT = 'Summarise the meeting notes in one sentence.';

/** One way of running the module: in this process, or in the sandbox. */
interface Variant {
  readonly name: string;
  /** Runs one node of `nodeType` through the module; resolves when it has its outputs. */
  run(
    nodeType: 'llm-prompt' | 'embed',
    params: Record<string, unknown>,
    inputs: Record<string, unknown[]>,
  ): Promise<void>;
}

function inProcess(server: ProviderTestServer): Variant {
  const config = {
    instrument: 'bench',
    baseUrl: server.openAiBaseUrl,
    models: { 'gpt-4o': 'gpt-4o', 'text-embedding-3-small': 'text-embedding-3-small' },
  };
  const fetch = hostFetch({ header: 'authorization', prefix: 'Bearer ', value: KEY });
  return {
    name: 'in-process',
    async run(nodeType, params, inputs) {
      await openAiChat.run(fakeCall({ nodeType, params, inputs, config, fetch }).call);
    },
  };
}

/**
 * The module inside the sandbox, one extension process for the whole run (as a warm pool keeps it):
 * a node's call is `process.call(...)`. Built code (`orchestrator/dist`), as the host runs it.
 */
async function sandboxed(server: ProviderTestServer): Promise<Variant & { close(): Promise<void> }> {
  const config = InstrumentConfig.parse({
    id: 'bench',
    api: 'openai-chat',
    baseUrl: server.openAiBaseUrl,
    credential: 'bench',
    models: { 'gpt-4o': 'gpt-4o', 'text-embedding-3-small': 'text-embedding-3-small' },
  });
  const host = new ExtensionHost({
    credentials: async (name) => (name === 'bench' ? KEY : undefined),
    workspaceDir: fileURLToPath(new URL('.', import.meta.url)),
  });
  const extension = instrumentExtension(config);
  const process: ExtensionProcess = await host.start(extension);
  let attempt = 0;
  return {
    name: 'sandboxed',
    async run(nodeType, params, inputs) {
      attempt++;
      await process.call({ nodeType, params, inputs, attempt: 1, idempotencyKey: `bench/${attempt}` });
    },
    close: () => host.close(),
  };
}

/** The anchor: the bare SDK, one client for the whole run, doing the same request. */
function bareSdk(server: ProviderTestServer) {
  const client = new OpenAI({ apiKey: KEY, baseURL: server.openAiBaseUrl, maxRetries: 0 });
  return {
    async chatStream(): Promise<void> {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'You are a precise assistant inside an automated workflow.' },
          { role: 'user', content: PROMPT },
        ],
        max_tokens: 1024,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      if (text.length === 0) throw new Error('anchor got no answer');
    },
    async chatPlain(): Promise<void> {
      const answer = await client.chat.completions.create({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: PROMPT }],
        max_tokens: 1024,
      });
      if (!answer.choices[0]?.message.content) throw new Error('anchor got no answer');
    },
    async embed(): Promise<void> {
      const answer = await client.embeddings.create({
        model: 'text-embedding-3-small',
        input: PROMPT,
        dimensions: 256,
        encoding_format: 'float',
      });
      if (answer.data[0]?.embedding.length !== 256) throw new Error('anchor got no vector');
    },
  };
}

async function timed(fn: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** The p50 and p99 cases and the p50 overhead case of one ours/anchor pairing. */
async function latencyCases(
  label: string,
  anchorName: string,
  ours: () => Promise<void>,
  anchor: () => Promise<void>,
): Promise<BenchCase[]> {
  const samples = await alternate({
    warmup: WARMUP,
    pairs: SAMPLES,
    ours: () => timed(ours),
    anchor: () => timed(anchor),
  });
  const ratios = samples.ours.map((o, i) => o / samples.anchor[i]!);
  const cases: BenchCase[] = [];
  for (const p of [50, 99]) {
    const o = percentile(samples.ours, p);
    const a = percentile(samples.anchor, p);
    cases.push({
      case: label,
      metric: `p${p}_ms`,
      ours: round(o),
      anchor: round(a),
      anchor_name: anchorName,
      // p50: the median of per-pair ratios; p99: the ratio of the tails (pairs do not have tails).
      ratio: round(p === 50 ? median(ratios) : o / a),
      goal_ratio: round((a + OVERHEAD_GOAL_MS) / a),
      samples: SAMPLES,
      pairs: SAMPLES,
    });
  }
  const overhead = Math.max(0, percentile(samples.ours, 50) - percentile(samples.anchor, 50));
  cases.push({
    case: `${label}: overhead`,
    metric: 'p50_overhead_ms',
    ours: round(overhead),
    anchor: OVERHEAD_GOAL_MS,
    anchor_name: 'goal: ≤ 2 ms added at p50 (LiteLLM’s published proxy overhead)',
    ratio: round(overhead / OVERHEAD_GOAL_MS),
    goal_ratio: 1,
    samples: SAMPLES,
    pairs: SAMPLES,
  });
  return cases;
}

const server = await ProviderTestServer.start({ apiKey: KEY, answer: () => ANSWER });
try {
  const anchor = bareSdk(server);
  const variants: Variant[] = [inProcess(server)];
  const sandbox =
    (await detectIsolation()) === IsolationLevel.sandboxed ? await sandboxed(server) : undefined;
  if (sandbox) variants.push(sandbox);
  else console.warn('instruments: bubblewrap cannot run here; the sandboxed variant is skipped');
  const cases: BenchCase[] = [];
  for (const variant of variants) {
    const chat = () => variant.run('llm-prompt', { model: 'gpt-4o', prompt: PROMPT }, {});
    const embed = () =>
      variant.run('embed', { model: 'text-embedding-3-small', dimensions: 256 }, { text: [PROMPT] });
    cases.push(
      ...(await latencyCases(
        `streaming chat, 24 tokens (${variant.name})`,
        'bare openai SDK, streaming, same server',
        chat,
        anchor.chatStream,
      )),
      ...(await latencyCases(
        `embedding, non-streaming (${variant.name})`,
        'bare openai SDK embeddings.create, same server',
        embed,
        anchor.embed,
      )),
      ...(await latencyCases(
        `chat, ours streaming vs SDK non-streaming (${variant.name})`,
        'bare openai SDK, non-streaming, same server',
        chat,
        anchor.chatPlain,
      )),
    );
  }
  for (const c of cases) {
    console.log(
      `${c.case} ${c.metric}: ours ${c.ours} anchor ${c.anchor} ratio ${c.ratio} (goal ≤ ${c.goal_ratio})`,
    );
  }
  const path = writeResult({
    name: 'instruments',
    cases,
    notes: [
      'The provider test server runs in the bench process on 127.0.0.1; both sides pay for it alike.',
      'Ours builds a fresh SDK client per call (the module is stateless across calls); the anchor reuses one.',
      'Sandboxed: the built-in instrument extension in bubblewrap, started once (a warm pool keeps it); each call is process.call(), its fetch relayed over the sandbox JSON-RPC (head, then base64 body chunks) and made by the host fetch proxy, which checks the grant and adds the key.',
    ],
  });
  console.log(`wrote ${path}`);
  await sandbox?.close();
} finally {
  await server.close();
}
