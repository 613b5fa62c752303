/**
 * Profiles the board while one 1,000-node run streams (Chromium's sampling profiler over CDP) and
 * prints the functions with the most self time, the main thread's time in script, style and layout,
 * and how late records reach the board page's socket handler against a blank page watching the
 * same stream (the difference is the board's main thread being busy): what to look at when
 * `bench monitor` misses a goal. Not part of `npm run bench`.
 *
 * `npx tsx bench/monitor/profile.ts [out.cpuprofile [trace.json]]` (needs `npm run build`, Chromium;
 * the trace opens in chrome://tracing or Perfetto).
 */
import { writeFileSync } from 'node:fs';
import { NodeState } from '@symphony/schemas';
import { launchChromium, RecordedPage } from './browser.ts';
import { RunWatcher, shareBenchWorkflow, startRun, startStack } from './stack.ts';

const [out, trace] = process.argv.slice(2);
const SHAPE = { nodes: 1000, width: 100, fanIn: 2, columns: 28 };

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

async function metrics(cdp: { send(m: 'Performance.getMetrics'): Promise<unknown> }) {
  const { metrics: list } = (await cdp.send('Performance.getMetrics')) as {
    metrics: { name: string; value: number }[];
  };
  return Object.fromEntries(list.map((m) => [m.name, m.value])) as Record<string, number>;
}

const stack = await startStack();
const browser = await launchChromium();
try {
  const board = await RecordedPage.signedIn(browser, stack);
  // How long a record takes to reach the page's socket handler (before any of the board's work).
  await board.page.addInitScript(() => {
    const arrivals: number[] = [];
    (window as unknown as { __arrivals: number[] }).__arrivals = arrivals;
    const Native = WebSocket;
    window.WebSocket = class extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        this.addEventListener('message', (e) => {
          if (typeof e.data !== 'string' || !e.data.startsWith('{"type":"events"')) return;
          const now = performance.timeOrigin + performance.now();
          for (const event of JSON.parse(e.data).events as { at: number }[]) arrivals.push(now - event.at);
        });
      }
    };
  });
  await board.page.reload();
  const documentId = await board.createDocument('Notes');
  const { workflowId } = await shareBenchWorkflow(stack, SHAPE, documentId);
  await board.openBoard(workflowId, SHAPE.nodes);
  const watcher = await RunWatcher.open(stack, workflowId);
  // A second, blank page on the team's origin watching the same stream with a bare socket: how
  // late records reach a renderer that does nothing else.
  const blank = await (await browser.newContext()).newPage();
  await blank.goto(`${stack.team.origin}/health`);
  await blank.evaluate(
    ([url, token, id]) =>
      new Promise<void>((resolve) => {
        const arrivals: number[] = [];
        (window as unknown as { __arrivals: number[] }).__arrivals = arrivals;
        const ws = new WebSocket(url);
        ws.onopen = () => ws.send(JSON.stringify({ type: 'hello', token }));
        ws.onmessage = (e) => {
          const m = JSON.parse(e.data);
          if (m.type === 'welcome') ws.send(JSON.stringify({ type: 'watch', workflowId: id }));
          if (m.type === 'runs') resolve();
          if (m.type !== 'events') return;
          const now = performance.timeOrigin + performance.now();
          for (const event of m.events as { at: number }[]) arrivals.push(now - event.at);
        };
      }),
    [`${stack.serve.url.replace('http', 'ws')}/v1/live`, stack.owner.token, workflowId] as const,
  );
  // One run to warm up, then the profiled one.
  for (const profiled of [false, true]) {
    await board.reset();
    const cdp = await board.page.context().newCDPSession(board.page);
    await cdp.send('Performance.enable');
    const before = await metrics(cdp);
    if (profiled) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
      if (trace !== undefined) {
        await browser.startTracing(board.page, {
          path: trace,
          categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline'],
        });
      }
    }
    await watcher.record(() => startRun(stack, workflowId));
    await board.showing(NodeState.succeeded, SHAPE.nodes, 60_000);
    for (const [name, page] of [
      ['board', board.page],
      ['blank', blank],
    ] as const) {
      const arrivals = await page.evaluate(() => {
        const list = (window as unknown as { __arrivals: number[] }).__arrivals.splice(0);
        return list.sort((a, b) => a - b);
      });
      const at = (q: number) => Math.round(arrivals[Math.floor(q * (arrivals.length - 1))] ?? Number.NaN);
      console.log(
        `record at → ${name} page socket handler: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms (${arrivals.length} records)`,
      );
    }
    const after = await metrics(cdp);
    console.log(
      `${profiled ? 'profiled' : 'warm-up'} run, main thread: ` +
        ['TaskDuration', 'ScriptDuration', 'RecalcStyleDuration', 'LayoutDuration']
          .map((k) => `${k} ${Math.round(((after[k] ?? 0) - (before[k] ?? 0)) * 1000)} ms`)
          .join(', '),
    );
    if (!profiled) continue;
    if (trace !== undefined) await browser.stopTracing();
    const { profile } = (await cdp.send('Profiler.stop')) as unknown as {
      profile: { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[] };
    };
    if (out !== undefined) writeFileSync(out, JSON.stringify(profile));
    const total = profile.samples.length;
    const self = new Map<string, number>();
    for (const node of profile.nodes) {
      const f = node.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').at(-1)}:${f.lineNumber}`;
      self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0));
    }
    const ms = (profile.endTime - profile.startTime) / 1000;
    console.log(`profiled ${Math.round(ms)} ms, ${total} samples; self time, top 30:`);
    for (const [key, hits] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
      console.log(`${((hits / total) * ms).toFixed(0).padStart(6)} ms  ${key}`);
    }
  }
  watcher.close();
} finally {
  await browser.close();
  await stack.stop();
}
