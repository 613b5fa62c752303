// Tests of `symphony run`, `runs` and `artifacts` as real processes of the built bin, on an offline
// workflow file in a temp project: lines and NDJSON, the cache, refusals and failures with their
// exit codes, re-runs, cancellation and resumption of runs nobody executes, and corrupt artifacts.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileDagTracker } from '@symphony/pit';
import type { ArtifactHash, RunEvent, RunId } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunOutputLine } from '../src/cli/ndjson.js';
import { workflowFileJson } from '../src/sources/workflow-file.js';
import {
  type CliResult,
  hasControlCodes,
  NOTES,
  Nodes,
  offlineWorkflow,
  type Project,
  project,
  removeTempDirs,
} from './cli-harness.js';

afterAll(removeTempDirs);

/** The run id a plain `symphony run` printed first. */
function runIdOf(out: CliResult): RunId {
  const match = /^run (run_[a-z0-9]+):/m.exec(out.stdout);
  if (!match) throw new Error(`no run id in:\n${out.stdout}\n${out.stderr}`);
  return match[1] as RunId;
}

/** The journal's records of `runId` in the project's default data dir. */
async function history(p: Project, runId: RunId): Promise<RunEvent[]> {
  const tracker = await FileDagTracker.open(join(p.dir, '.symphony', 'runs'), { onWarning: () => {} });
  try {
    return await tracker.history(runId);
  } finally {
    await tracker.close();
  }
}

function expectPlain(...outputs: CliResult[]): void {
  for (const out of outputs) {
    expect(hasControlCodes(out.stdout)).toBe(false);
    expect(hasControlCodes(out.stderr)).toBe(false);
  }
}

describe('symphony run on an offline workflow file', () => {
  let p: Project;
  let first: RunId;
  beforeAll(() => {
    p = project();
  });

  it('runs it: exit 0, a line per node, the summary, no control codes when piped', async () => {
    const out = await p.run(['run', 'workflow.json', '--grant', 'notes']);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expectPlain(out);
    first = runIdOf(out);
    for (const id of Object.values(Nodes))
      expect(out.stdout).toMatch(new RegExp(`^succeeded .*\\(${id}\\).*attempt 1$`, 'm'));
    expect(out.stdout).toContain(`run ${first} succeeded in`);
    expect(out.stdout).toContain('6 succeeded');
  });

  it('with --json prints one parseable line per journal record, exactly as journaled; the second run takes the cache', async () => {
    const out = await p.run(['run', p.workflowFile, '--grant', p.notes, '--json']);
    expect(out.code).toBe(0);
    const lines = out.stdout
      .trimEnd()
      .split('\n')
      .map((line) => RunOutputLine.parse(JSON.parse(line)));
    const events = lines.flatMap((l) => (l.kind === 'event' ? [l.event] : []));
    const runId = events[0]!.runId;
    expect(events).toEqual(await history(p, runId));
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded' });
    // read-code reads a file that may change, so it always runs; everything after it is cached.
    const cached = events.filter((e) => e.type === 'node.cached').map((e) => ('nodeId' in e ? e.nodeId : ''));
    expect(cached.sort()).toEqual([Nodes.filter, Nodes.join, Nodes.map, Nodes.split, Nodes.summarize].sort());
    expect(
      events.filter((e) => e.type === 'node.cached').every((e) => 'fromRun' in e && e.fromRun === first),
    ).toBe(true);
  });

  it('with --no-cache runs every node again', async () => {
    const out = await p.run(['run', 'workflow.json', '--grant', 'notes', '--no-cache']);
    expect(out.code).toBe(0);
    expect(out.stdout).not.toMatch(/^cached/m);
    expect(out.stdout).toContain('cache off');
    expect(out.stdout.match(/^succeeded/gm)).toHaveLength(6);
  });

  it('lists and shows the runs, and serves their artifacts: ls, get, search, verify', async () => {
    const [ls, lsJson, show, showJson, arts, search, searchJson, verify] = await Promise.all([
      p.run(['runs', 'ls']),
      p.run(['runs', 'ls', '--json']),
      p.run(['runs', 'show', first]),
      p.run(['runs', 'show', first, '--json']),
      p.run(['artifacts', 'ls', '--json', '--limit', '50']),
      p.run(['artifacts', 'search', 'content', 'addressed']),
      p.run(['artifacts', 'search', 'journaled', '--json']),
      p.run(['artifacts', 'verify']),
    ]);
    expectPlain(ls, show, search, verify);
    for (const out of [ls, lsJson, show, showJson, arts, search, searchJson, verify])
      expect(out.code).toBe(0);

    const runs = lsJson.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(runs).toHaveLength(3);
    expect(runs.every((r) => r.status === 'succeeded' && r.nodes === 6)).toBe(true);
    expect(ls.stdout).toMatch(new RegExp(`^${first}\\s+succeeded .* 6/6 .*"Offline notes"`, 'm'));

    const view = JSON.parse(showJson.stdout);
    expect(view).toMatchObject({
      runId: first,
      status: 'succeeded',
      source: { kind: 'file', path: p.workflowFile },
    });
    expect(view.source.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(view.options).toEqual({ cache: true, grants: [p.notes] });
    const read = view.nodeStates.find((n: { nodeId: string }) => n.nodeId === Nodes.read);
    expect(read).toMatchObject({ state: 'succeeded', attempts: [{ attempt: 1, outcome: 'succeeded' }] });
    expect(read.durationMs).toBeGreaterThanOrEqual(0);
    expect(show.stdout).toContain(`source    ${p.workflowFile} (sha256 ${view.source.hash})`);
    expect(show.stdout).toContain(`output code: ${read.outputs.code}`);

    // The notes read by read-code are an artifact: get gives back exactly its bytes.
    const infos = arts.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(infos.map((i) => i.hash)).toContain(read.outputs.code);
    const got = await p.run(['artifacts', 'get', read.outputs.code]);
    expect(got.code).toBe(0);
    expect(got.stdout).toBe(NOTES);
    const file = join(p.dir, 'notes-copy.txt');
    expect((await p.run(['artifacts', 'get', read.outputs.code, '--output', file])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(NOTES);

    expect(search.stdout.split('\n')[0]).toMatch(/^HASH\s+SCORE/);
    const hits = searchJson.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(hits.map((h) => h.hash)).toContain(read.outputs.code);
    expect(verify.stdout).toMatch(new RegExp(`^${infos.length} artifacts checked in .*: all intact$`, 'm'));
  });

  it('re-runs from a node: upstream from the old run, the node and its descendants run', async () => {
    const out = await p.run(['runs', 'rerun', first, '--from', Nodes.summarize]);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`re-running ${first} from ${Nodes.summarize}`);
    for (const id of [Nodes.read, Nodes.split, Nodes.map, Nodes.filter])
      expect(out.stdout).toMatch(new RegExp(`^cached .*\\(${id}\\)  from ${first}$`, 'm'));
    for (const id of [Nodes.summarize, Nodes.join])
      expect(out.stdout).toMatch(new RegExp(`^succeeded .*\\(${id}\\)`, 'm'));
    const bad = await p.run(['runs', 'rerun', first, '--from', 'nowhere']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('node nowhere is not a node that runs in the workflow');
  });

  it('reports a corrupt artifact: get exits 1 and writes nothing, verify exits 1 naming it', async () => {
    const view = JSON.parse((await p.run(['runs', 'show', first, '--json'])).stdout);
    const hash = view.nodeStates.find((n: { nodeId: string }) => n.nodeId === Nodes.summarize).outputs
      .summary as ArtifactHash;
    const blob = join(p.dir, '.symphony', 'artifacts', 'blobs', hash.slice(0, 2), hash);
    const bytes = readFileSync(blob);
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(blob, bytes);
    const target = join(p.dir, 'summary.txt');
    const [get, toFile, verify] = await Promise.all([
      p.run(['artifacts', 'get', hash]),
      p.run(['artifacts', 'get', hash, '--output', target]),
      p.run(['artifacts', 'verify']),
    ]);
    expect(get.code).toBe(1);
    expect(get.stdout).toBe('');
    expect(get.stderr).toContain(`artifact ${hash} is corrupt`);
    expect(toFile.code).toBe(1);
    expect(existsSync(target)).toBe(false);
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(`${hash}: its bytes no longer match its hash`);
  });

  it('refuses bad arguments with exit 2', async () => {
    const [noRun, badHash, unknownHash, noSub] = await Promise.all([
      p.run(['runs', 'show', 'run_doesnotexist0']),
      p.run(['artifacts', 'get', 'xyz']),
      p.run(['artifacts', 'get', '0'.repeat(64)]),
      p.run(['runs', 'frob']),
    ]);
    expect(noRun.code).toBe(2);
    expect(noRun.stderr).toContain('no run run_doesnotexist0');
    expect(badHash.code).toBe(2);
    expect(badHash.stderr).toContain('is not an artifact hash');
    expect(unknownHash.code).toBe(2);
    expect(unknownHash.stderr).toContain('no artifact 0000');
    expect(noSub.code).toBe(2);
    expect(noSub.stderr).toContain('unknown runs subcommand "frob"');
  });
});

describe('symphony run refusing and failing', () => {
  it('a malformed file and a workflow with error findings exit 2 listing why; nothing is recorded', async () => {
    const p = project();
    writeFileSync(join(p.dir, 'broken.json'), '{"format": "symphony-workflow", "version": 1, "workflow": {');
    const refused = offlineWorkflow();
    delete (refused.edges as Record<string, unknown>).e1;
    writeFileSync(join(p.dir, 'refused.json'), workflowFileJson(refused));
    const [broken, findings, findingsJson, missing] = await Promise.all([
      p.run(['run', 'broken.json']),
      p.run(['run', 'refused.json', '--grant', 'notes']),
      p.run(['run', 'refused.json', '--grant', 'notes', '--json']),
      p.run(['run', 'missing/workflow.json']),
    ]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('broken.json is not valid JSON: line 1');
    expect(findings.code).toBe(2);
    expect(findings.stderr).toContain('the workflow was not started: 1 error');
    expect(findings.stderr).toMatch(/error: node split-text \(nsplit\): .*needs its input/);
    expect(findings.stderr).toMatch(/hint: /);
    const line = RunOutputLine.parse(JSON.parse(findingsJson.stdout.trim()));
    expect(line).toMatchObject({
      kind: 'refused',
      findings: [{ severity: 'error', target: { id: Nodes.split } }],
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('there is no workflow file missing/workflow.json');
    const ls = await p.run(['runs', 'ls', '--json']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toBe('');
  });

  it('a failing node exits 1 naming the error, its dependants skipped, and says how to re-run it', async () => {
    const p = project(offlineWorkflow('no-such-file.txt'));
    const out = await p.run(['run', 'workflow.json', '--grant', 'notes']);
    expect(out.code).toBe(1);
    expect(out.stdout).toMatch(
      /^failed +read-code "Notes" \(nread\) .*step_failed: read-code: there is no file "no-such-file.txt"/m,
    );
    expect(out.stdout.match(/^skipped/gm)).toHaveLength(5);
    expect(out.stdout).toContain(`--from ${Nodes.read}`);
  });
});

describe('symphony runs cancel and resume on runs nobody executes', () => {
  it('cancels one (recorded here) and resumes another to the end', async () => {
    const p = project();
    const workflow = offlineWorkflow();
    const source = { kind: 'file' as const, path: p.workflowFile, hash: 'a'.repeat(64) as ArtifactHash };
    const started = (runId: RunId, at: number): RunEvent[] => [
      { type: 'run.started', runId, at, workflow, source, options: { cache: true, grants: [p.notes] } },
      // The process that executed it died while read-code ran.
      { type: 'node.running', runId, at: at + 1, nodeId: Nodes.read, attempt: 1 },
    ];
    const toCancel = 'run_0000000010crashed0cancel' as RunId;
    const toResume = 'run_0000000020crashed0resume' as RunId;
    const tracker = await FileDagTracker.open(join(p.dir, '.symphony', 'runs'), { onWarning: () => {} });
    await tracker.record(...started(toCancel, 1_000), ...started(toResume, 2_000));
    await tracker.close();

    const ls = await p.run(['runs', 'ls']);
    expect(ls.stdout).toMatch(new RegExp(`^${toCancel}\\s+unfinished`, 'm'));

    const cancel = await p.run(['runs', 'cancel', toCancel]);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toContain(`cancelled run ${toCancel} (nobody was executing it)`);
    const shown = JSON.parse((await p.run(['runs', 'show', toCancel, '--json'])).stdout);
    expect(shown.status).toBe('cancelled');
    expect(new Set(shown.nodeStates.map((n: { state: string }) => n.state))).toEqual(new Set(['cancelled']));
    const again = await p.run(['runs', 'cancel', toCancel]);
    expect(again.stdout).toContain('had already finished');

    // Without an id: every unfinished run nobody executes (only toResume is left).
    const resumed = await p.run(['runs', 'resume']);
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain(`resuming run ${toResume}: 0 of 6 nodes already done`);
    expect(resumed.stdout).toContain(`run ${toResume} succeeded`);
    const events = await history(p, toResume);
    // The attempt that was running when its process died runs again as the same attempt.
    expect(events.filter((e) => e.type === 'node.running' && e.nodeId === Nodes.read)).toHaveLength(2);
    expect(
      events
        .filter((e) => e.type === 'node.running' && e.nodeId === Nodes.read)
        .map((e) => 'attempt' in e && e.attempt),
    ).toEqual([1, 1]);
    const nothing = await p.run(['runs', 'resume']);
    expect(nothing.stdout).toBe('no unfinished runs to resume\n');
    const finished = await p.run(['runs', 'resume', toCancel]);
    expect(finished.code).toBe(1);
    expect(finished.stdout).toContain('already finished: cancelled');
  });
});
