// Tests of the template library: which templates run offline and which need an AI instrument, and
// that every template instantiates to a valid workflow once its documents are given.
import { describe, expect, it } from 'vitest';
import { NodeKind } from './model.js';
import { canFlow, NodeLibrary } from './node-library.js';
import {
  instantiateTemplate,
  nodeNeedsInstrument,
  templateDocumentSlots,
  templateNeedsInstrument,
  WorkflowTemplates,
} from './templates.js';
import { validateWorkflow } from './validate.js';

/** Templates whose purpose is a language model; every other template runs offline. */
const NEED_AN_INSTRUMENT = ['review-code', 'generate-tests', 'translate-document'];

describe('nodeNeedsInstrument', () => {
  it('is false for the local-capable types on their default, local model, and true for any other model', () => {
    for (const type of ['summarize', 'classify', 'extract-keywords', 'embed']) {
      expect(nodeNeedsInstrument(type), type).toBe(false);
      expect(nodeNeedsInstrument(type, { model: 'local' }), type).toBe(false);
    }
    expect(nodeNeedsInstrument('summarize', { model: 'claude-haiku' })).toBe(true);
    expect(nodeNeedsInstrument('embed', { model: 'text-embedding-3-small' })).toBe(true);
  });

  it('is true for the types only a remote model runs, whatever their params', () => {
    for (const type of ['llm-prompt', 'translate', 'review-code', 'generate-tests']) {
      expect(nodeNeedsInstrument(type), type).toBe(true);
      expect(nodeNeedsInstrument(type, { model: 'gpt-4o' }), type).toBe(true);
    }
  });

  it('is false for operators, addons and unknown types', () => {
    for (const spec of NodeLibrary.values()) {
      if (spec.kind !== NodeKind.instrument) expect(nodeNeedsInstrument(spec.type), spec.type).toBe(false);
    }
    expect(nodeNeedsInstrument('no-such-type', { model: 'gpt-4o' })).toBe(false);
  });
});

describe('WorkflowTemplates', () => {
  it('needs an AI instrument only for the templates whose purpose is a language model', () => {
    expect(WorkflowTemplates.filter(templateNeedsInstrument).map((t) => t.id)).toEqual(NEED_AN_INSTRUMENT);
    const offline = WorkflowTemplates.filter((t) => !templateNeedsInstrument(t)).map((t) => t.id);
    expect(offline).toEqual([
      'summarize-document',
      'fan-out-fan-in',
      'digest-documents',
      'format-code',
      'extract-keywords',
      'clean-list',
    ]);
  });

  it('runs the offline templates on the local model: no node of their workflows needs an instrument', () => {
    for (const template of WorkflowTemplates.filter((t) => !templateNeedsInstrument(t))) {
      for (const node of Object.values(instantiateTemplate(template).nodes))
        expect(nodeNeedsInstrument(node.type, node.params), `${template.id}: ${node.type}`).toBe(false);
    }
  });

  it('connects only ports that exist and whose types may flow', () => {
    for (const template of WorkflowTemplates) {
      const types = new Map(template.nodes.map((n) => [n.key, n.type]));
      expect(types.size, `${template.id}: node keys are unique`).toBe(template.nodes.length);
      for (const [from, fromPort, to, toPort] of template.edges) {
        const out = NodeLibrary.get(types.get(from) ?? '')?.outputs.find((p) => p.name === fromPort);
        const into = NodeLibrary.get(types.get(to) ?? '')?.inputs.find((p) => p.name === toPort);
        const edge = `${template.id}: ${from}.${fromPort} → ${to}.${toPort}`;
        expect(out, edge).toBeDefined();
        expect(into, edge).toBeDefined();
        if (out && into) expect(canFlow(out.type, into.type), edge).toBe(true);
      }
    }
  });

  it('instantiates every template to a workflow with no findings once its documents are given', () => {
    for (const template of WorkflowTemplates) {
      const slots = templateDocumentSlots(template);
      const documents = Object.fromEntries(slots.map((s, i) => [s.slot, `doc-${i}`]));
      const workflow = instantiateTemplate(template, template.name, documents);
      expect(Object.keys(workflow.nodes), template.id).toHaveLength(template.nodes.length);
      expect(Object.keys(workflow.edges), template.id).toHaveLength(template.edges.length);
      const known = new Map(
        slots.map((_, i) => [`doc-${i}`, { title: `Document ${i}`, canRead: true, canWrite: true }]),
      );
      expect(validateWorkflow(workflow, NodeLibrary, { documents: known }).findings, template.id).toEqual([]);
    }
  });

  it('turns a list into text with a Join before writing it, in the list templates', () => {
    for (const id of ['extract-keywords', 'clean-list']) {
      const template = WorkflowTemplates.find((t) => t.id === id);
      expect(
        template?.edges.filter(([, , to, port]) => to === 'join' && port === 'list'),
        id,
      ).toHaveLength(1);
      expect(
        template?.edges.filter(([from, , to]) => from === 'join' && to === 'write'),
        id,
      ).toHaveLength(1);
    }
  });

  it('asks a distinct question for each document of the digest', () => {
    const digest = WorkflowTemplates.find((t) => t.id === 'digest-documents');
    const questions = digest ? templateDocumentSlots(digest).map((s) => [s.question, s.access]) : [];
    expect(questions).toEqual([
      ['First document to digest', 'read'],
      ['Second document to digest', 'read'],
      ['Third document to digest', 'read'],
      ['Document to append the digest to', 'write'],
    ]);
  });
});
