// Tests of the built-in templates against the built-in steps: a template either runs offline from
// start to end (on the local instrument and the operators, with no network) or is flagged as needing
// an AI instrument, and the flag says exactly what the steps do.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  instantiateTemplate,
  type NodeId,
  NodeKind,
  NodeLibrary,
  nodeNeedsInstrument,
  templateDocumentSlots,
  templateNeedsInstrument,
  type Workflow,
  type WorkflowTemplate,
  WorkflowTemplates,
} from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryRunDocuments, stepContext } from './fake-context.js';
import { builtinSteps } from './index.js';
import { StepError, type StepValue } from './Step.js';

const steps = builtinSteps();

const DOCUMENT =
  'A crash loses the queue. The journal keeps every record, so runs resume after a crash. ' +
  'The main risk is a torn record at the end of the file. There is a bug in the retry code.';
const SOURCE = 'export   const answer=42\n';
/** A remote model of each kind: `embed` takes embedding models, the others chat models. */
const REMOTE_MODELS = ['gpt-4o', 'text-embedding-3-small'];

let grant: string;

beforeAll(async () => {
  grant = await mkdtemp(join(tmpdir(), 'templates-'));
  await mkdir(join(grant, 'src'));
  await writeFile(join(grant, 'src', 'index.ts'), SOURCE);
});

afterAll(async () => {
  await rm(grant, { recursive: true, force: true });
});

/** Runs `workflow` through the built-in steps in dependency order, as a bare executor would. */
async function runThrough(workflow: Workflow, documents: MemoryRunDocuments): Promise<void> {
  const outputs = new Map<string, Readonly<Record<string, StepValue>>>();
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
      if (value !== undefined) inputs[e.to.port] = [...(inputs[e.to.port] ?? []), value];
    }
    const context = stepContext({ params: node.params, inputs, documents, nodeId: ready, grants: [grant] });
    outputs.set(ready, await step.run(context));
  }
}

/** A workflow from `template` whose every document slot is answered, each document holding {@link DOCUMENT}. */
function withDocuments(template: WorkflowTemplate): { workflow: Workflow; documents: MemoryRunDocuments } {
  const documents = new MemoryRunDocuments();
  const answers: Record<string, string> = {};
  for (const [i, { slot }] of templateDocumentSlots(template).entries()) {
    answers[slot] = `doc-${i}`;
    documents.texts.set(`doc-${i}`, DOCUMENT);
  }
  return { workflow: instantiateTemplate(template, template.name, answers), documents };
}

/** The text written into the document that `template`'s `write` node writes. */
function written(documents: MemoryRunDocuments): string {
  const [write] = documents.writes;
  return write === undefined ? '' : (documents.texts.get(write.documentId) ?? '');
}

describe('the built-in templates on the built-in steps', () => {
  it('uses only node types that have a step', () => {
    for (const template of WorkflowTemplates) {
      for (const node of template.nodes)
        expect(steps.has(node.type), `${template.id}: ${node.type}`).toBe(true);
    }
  });

  it('flags a node as needing an instrument exactly when its step fails with needs_instrument', async () => {
    for (const spec of NodeLibrary.values()) {
      if (spec.kind !== NodeKind.instrument) continue;
      const remote = REMOTE_MODELS.map((model) => ({ ...spec.defaults, model })).find(
        (params) => spec.params.safeParse({ ...params, prompt: 'Say hi' }).success,
      );
      expect(remote, spec.type).toBeDefined();
      for (const params of [spec.defaults, remote ?? {}]) {
        const context = stepContext({
          params: { ...params, prompt: 'Say hi' },
          inputs: { text: [DOCUMENT], code: [SOURCE], context: [DOCUMENT] },
        });
        const failure = await steps
          .get(spec.type)
          ?.run(context)
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        const refused = failure instanceof StepError && failure.code === 'needs_instrument';
        expect(refused, `${spec.type} with model ${String(params.model)}`).toBe(
          nodeNeedsInstrument(spec.type, params),
        );
        if (!refused) expect(failure, spec.type).toBeUndefined();
      }
    }
  });

  it('runs every template that is not flagged from start to end, offline, writing its result', async () => {
    const offline = WorkflowTemplates.filter((t) => !templateNeedsInstrument(t));
    expect(offline.map((t) => t.id)).toEqual([
      'summarize-document',
      'fan-out-fan-in',
      'digest-documents',
      'format-code',
      'extract-keywords',
      'clean-list',
    ]);
    for (const template of offline) {
      const { workflow, documents } = withDocuments(template);
      await runThrough(workflow, documents);
      expect(documents.writes, template.id).toHaveLength(1);
      expect(written(documents).length, template.id).toBeGreaterThan(0);
    }
  });

  it('writes what each offline template promises', async () => {
    /** Runs template `id` with `text` in its first document (the one its first node reads). */
    const run = async (id: string, text = DOCUMENT) => {
      const template = WorkflowTemplates.find((t) => t.id === id);
      if (!template) throw new Error(`no template ${id}`);
      const { workflow, documents } = withDocuments(template);
      documents.texts.set('doc-0', text);
      await runThrough(workflow, documents);
      return written(documents);
    };
    // A summary, the sentence about risks, and the category, joined.
    const report = await run('fan-out-fan-in');
    expect(report).toContain('The main risk is a torn record at the end of the file.');
    expect(report.split('\n\n')).toContain('bug');
    // Three short summaries appended to a document that already had text.
    const digest = await run('digest-documents');
    expect(digest.startsWith(DOCUMENT)).toBe(true);
    expect(digest.slice(DOCUMENT.length).split('\n\n')).toHaveLength(3);
    expect(await run('format-code')).toBe('export const answer = 42;\n');
    // Up to 15 keywords of the document, comma-separated, appended to the other document.
    const keywords = await run('extract-keywords');
    expect(keywords.startsWith(DOCUMENT)).toBe(true);
    const listed = keywords.slice(DOCUMENT.length).split(', ');
    expect(listed.length).toBeGreaterThan(1);
    expect(listed.length).toBeLessThanOrEqual(15);
    expect(listed.every((k) => k !== '' && DOCUMENT.toLowerCase().includes(k.toLowerCase()))).toBe(true);
    // Paragraphs become bullets, one line each; rules and stray bullets are dropped, bullets not doubled.
    const list = 'Milk\n\n* two  eggs\n\n---\n\n3. Flour,\nsifted\n\n  -  \n\nÉclair ☕';
    expect(await run('clean-list', list)).toBe('- Milk\n- two eggs\n- Flour, sifted\n- Éclair ☕');
  });

  it('fails every flagged template with needs_instrument, writing nothing', async () => {
    const flagged = WorkflowTemplates.filter(templateNeedsInstrument);
    expect(flagged.map((t) => t.id)).toEqual(['review-code', 'generate-tests', 'translate-document']);
    for (const template of flagged) {
      const { workflow, documents } = withDocuments(template);
      const failure = await runThrough(workflow, documents).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(failure, template.id).toBeInstanceOf(StepError);
      expect((failure as StepError).code, template.id).toBe('needs_instrument');
      expect((failure as StepError).message, template.id).toMatch(/needs an AI instrument; configure one/);
      expect(documents.writes, template.id).toHaveLength(0);
    }
  });
});
