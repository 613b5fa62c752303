// The kill test's checks catch what they are there for: a clean uninterrupted run passes; a line
// written twice, an effect after its node's success, other outputs, a missing effect, an effect from
// a stranger process, a run that did not succeed each fail with a message that names the node.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DocumentId, RunEvent } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type KillRunEvidence, killRunProblems } from './kill-checks.js';
import { killTestSteps } from './kill-child.js';
import { type ReferenceRun, referenceRun } from './kill-reference.js';
import { killWorkflow } from './kill-workflow.js';

const DOCUMENT = 'kill-doc' as DocumentId;
let grant: string;
let reference: ReferenceRun;
let evidence: KillRunEvidence;

beforeAll(async () => {
  grant = mkdtempSync(join(tmpdir(), 'symphony-kill-checks-'));
  const kill = killWorkflow({ seed: 7, documentId: DOCUMENT, salt: 'checks' });
  for (const [path, text] of Object.entries(kill.files)) writeFileSync(join(grant, path), text);
  reference = await referenceRun(kill.workflow, { steps: killTestSteps(), grant, seed: 7 });
  evidence = {
    runId: reference.state.runId,
    history: reference.history,
    effects: reference.effects,
    document: reference.documents.get(DOCUMENT)!,
    reference,
    pids: new Set([process.pid]),
  };
}, 60_000);
afterAll(() => rmSync(grant, { recursive: true, force: true }));

describe('killRunProblems', () => {
  it('finds nothing wrong with an uninterrupted run of a ~50-node kill workflow', () => {
    expect(reference.state.status).toBe('succeeded');
    expect(reference.state.nodes.size).toBeGreaterThanOrEqual(50);
    expect(reference.written.size).toBe(5);
    expect(killRunProblems(evidence)).toEqual([]);
  });

  it('names a document line written twice, and a missing marker', () => {
    const [nodeId] = [...reference.written.keys()];
    const line = evidence.document.text.split('\n').find((l) => l.includes(`/${nodeId}⟧`))!;
    const markers = new Set(evidence.document.markers);
    markers.delete(`${evidence.runId}/${nodeId}`);
    const problems = killRunProblems({
      ...evidence,
      document: { text: `${evidence.document.text}${line}\n`, markers },
    });
    expect(problems).toEqual([
      `${evidence.runId}/${nodeId}: its line is in the document 2 times, not once`,
      `${evidence.runId}/${nodeId}: its effect marker is not in the document`,
    ]);
  });

  it('names an effect after its node’s success, a missing effect, and one from a stranger', () => {
    const [late, ...rest] = evidence.effects;
    const missing = rest[0]!;
    const effects = [
      { ...late!, t: Number.MAX_SAFE_INTEGER },
      ...rest.slice(1),
      { ...rest[1]!, pid: 1, attempt: rest[1]!.attempt },
    ];
    const problems = killRunProblems({ ...evidence, effects });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`/${late!.nodeId}: ran at .* after its node.succeeded`)),
        `${evidence.runId}/${missing.nodeId}: succeeded with no effect line`,
        expect.stringMatching(
          new RegExp(`/${rest[1]!.nodeId}: an effect from process 1, which the test never started`),
        ),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('names outputs that differ from the uninterrupted run’s, and a run that did not succeed', () => {
    const history = evidence.history.map((event): RunEvent => {
      if (
        event.type === 'node.succeeded' &&
        Object.keys(event.outputs).length > 0 &&
        event.nodeId === firstProducer()
      )
        return {
          ...event,
          outputs: Object.fromEntries(Object.keys(event.outputs).map((p) => [p, '0'.repeat(64)])),
        } as RunEvent;
      if (event.type === 'run.finished') return { ...event, status: 'failed' };
      return event;
    });
    const problems = killRunProblems({ ...evidence, history });
    expect(problems).toEqual([
      `${evidence.runId}: the run ended failed`,
      expect.stringContaining(`${evidence.runId}/${firstProducer()}: outputs`),
    ]);
  });
});

function firstProducer(): string {
  for (const event of evidence.history)
    if (event.type === 'node.succeeded' && Object.keys(event.outputs).length > 0) return event.nodeId;
  throw new Error('no node with outputs');
}
