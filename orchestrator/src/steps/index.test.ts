// Tests of builtinSteps: a step for every node type that runs, each versioned; which built-in
// templates run offline, and running the offline ones through the steps from start to end.
import {
  instantiateTemplate,
  type NodeId,
  NodeKind,
  NodeLibrary,
  type Workflow,
  WorkflowTemplates,
} from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { MemoryRunDocuments, stepContext } from './fake-context.js';
import { BuiltinStepsError, builtinSteps, runsAsStep } from './index.js';
import { REMOTE_ONLY_TYPES } from './needs-instrument.js';
import type { StepValue } from './Step.js';

const steps = builtinSteps();

/** Templates whose nodes need an AI instrument (a remote model) to run. */
const NEED_AN_INSTRUMENT = ['review-code', 'generate-tests', 'translate-document', 'fan-out-fan-in'];

/** Whether a node of `type` with `params` needs a remote model. */
function needsInstrument(type: string, params: Readonly<Record<string, unknown>>): boolean {
  if ((REMOTE_ONLY_TYPES as readonly string[]).includes(type)) return true;
  return 'model' in params && params.model !== 'local';
}

/** Runs `workflow` through the built-in steps in dependency order, as a bare executor would. */
async function runThrough(
  workflow: Workflow,
  documents: MemoryRunDocuments,
): Promise<Map<string, Record<string, StepValue>>> {
  const outputs = new Map<string, Record<string, StepValue>>();
  const edges = Object.values(workflow.edges);
  const pending = new Set(Object.keys(workflow.nodes) as NodeId[]);
  while (pending.size > 0) {
    const ready = [...pending].find((id) => edges.every((e) => e.to.node !== id || outputs.has(e.from.node)));
    if (ready === undefined) throw new Error('the workflow has a cycle');
    pending.delete(ready);
    const node = workflow.nodes[ready];
    const step = node && steps.get(node.type);
    if (!node || !step) throw new Error(`no step for ${ready}`);
    const inputs: Record<string, StepValue[]> = {};
    for (const e of edges.filter((edge) => edge.to.node === ready)) {
      const value = outputs.get(e.from.node)?.[e.from.port];
      if (value === undefined) continue;
      const port = inputs[e.to.port] ?? [];
      port.push(value);
      inputs[e.to.port] = port;
    }
    outputs.set(ready, {
      ...(await step.run(stepContext({ params: node.params, inputs, documents, nodeId: ready }))),
    });
  }
  return outputs;
}

describe('builtinSteps', () => {
  it('has a step for every node type that runs, and none for notes and groups', () => {
    for (const spec of NodeLibrary.values()) {
      expect(steps.has(spec.type), spec.type).toBe(spec.kind !== NodeKind.addon);
      expect(runsAsStep(spec.type), spec.type).toBe(spec.kind !== NodeKind.addon);
    }
    expect([...steps.keys()].every((type) => NodeLibrary.has(type))).toBe(true);
  });

  it('refuses options it does not know, with a named error', () => {
    expect(() => builtinSteps({ readCode: { maxBytes: -1 } })).toThrow(BuiltinStepsError);
    expect(() => builtinSteps({ sandbox: {} as never })).toThrow(/sandbox must be an ExpressionSandbox/);
  });

  it('gives every step a version and says whether it is deterministic', () => {
    for (const step of steps.values()) {
      expect(step.version, step.type).toMatch(/^\d+/);
      expect(typeof step.deterministic, step.type).toBe('boolean');
    }
    for (const type of ['read-document', 'write-document', 'read-code'])
      expect(steps.get(type)?.deterministic).toBe(false);
    for (const type of ['summarize', 'classify', 'extract-keywords', 'embed']) {
      expect(steps.get(type)?.label, type).toBe('local, non-neural');
    }
  });

  it('fails node types that need a remote model with needs_instrument, naming the model', async () => {
    for (const type of REMOTE_ONLY_TYPES) {
      const spec = NodeLibrary.get(type);
      const params = { ...spec?.defaults, prompt: 'Say hi' };
      const error = await steps
        .get(type)
        ?.run(stepContext({ params, inputs: { text: ['x'], code: ['x'] } }))
        .catch((e) => e);
      expect(error, type).toMatchObject({ code: 'needs_instrument', retryable: false });
      expect(error.message, type).toMatch(
        /with model "claude-sonnet" needs an AI instrument; configure one$/,
      );
    }
    const remote = await steps
      .get('summarize')
      ?.run(stepContext({ params: { model: 'gpt-4o' }, inputs: { text: ['x'] } }))
      .catch((e) => e);
    expect(remote).toMatchObject({ code: 'needs_instrument', details: { model: 'gpt-4o' } });
    expect(remote.message).toMatch(
      /Summarize with model "gpt-4o" needs an AI instrument; configure one \(or choose the Local model\)/,
    );
  });

  it('runs the local-capable types on the local instrument by default', async () => {
    const run = (type: string, params: Record<string, unknown> = {}) =>
      steps
        .get(type)
        ?.run(
          stepContext({ params, inputs: { text: ['The build fails with an error. Please fix the crash.'] } }),
        );
    expect(await run('summarize')).toEqual({
      summary: 'The build fails with an error. Please fix the crash.',
    });
    expect(await run('classify', { labels: ['bug', 'feature'] })).toEqual({ label: 'bug' });
    expect((await run('extract-keywords', { count: 2 }))?.keywords).toHaveLength(2);
    expect((await run('embed', { dimensions: 32 }))?.embedding).toHaveLength(32);
  });

  it('lists the built-in templates that need an AI instrument; every other runs offline', () => {
    const needing = WorkflowTemplates.filter((t) => {
      const workflow = instantiateTemplate(t);
      return Object.values(workflow.nodes).some((n) => needsInstrument(n.type, n.params));
    }).map((t) => t.id);
    expect(needing).toEqual(NEED_AN_INSTRUMENT);
    for (const template of WorkflowTemplates) {
      for (const node of template.nodes)
        expect(steps.has(node.type), `${template.id}: ${node.type}`).toBe(true);
    }
  });

  it('runs each offline template from start to end, writing its result into the document', async () => {
    const offline = WorkflowTemplates.filter((t) => !NEED_AN_INSTRUMENT.includes(t.id));
    expect(offline.length).toBeGreaterThan(0);
    for (const template of offline) {
      const documents = new MemoryRunDocuments();
      const answers: Record<string, string> = {};
      for (const node of template.nodes) {
        for (const param of Object.keys(NodeLibrary.get(node.type)?.documentParams ?? {})) {
          const id = `${node.key}-doc`;
          answers[`${node.key}.${param}`] = id;
          documents.texts.set(
            id,
            'A crash loses the queue. The journal keeps every record. Runs resume after a crash.',
          );
        }
      }
      await runThrough(instantiateTemplate(template, template.name, answers), documents);
      expect(documents.writes.length, template.id).toBeGreaterThan(0);
    }
  });
});
