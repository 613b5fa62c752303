// Tests of the generated performance-check workflow: valid, deterministic, and offline by default.
import { NodeLibrary, nodeNeedsInstrument, validateWorkflow } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { generateWorkflow } from './generate-workflow.js';

describe('generateWorkflow', () => {
  it('makes count nodes in rows of chains that validate with no findings', () => {
    const workflow = generateWorkflow(100, { columns: 40 });
    expect(Object.keys(workflow.nodes)).toHaveLength(100);
    // Every node but the first of each of the three rows has one edge in.
    expect(Object.keys(workflow.edges)).toHaveLength(97);
    expect(validateWorkflow(workflow, NodeLibrary).findings).toEqual([]);
  });

  it('gives the same workflow for the same arguments', () => {
    expect(generateWorkflow(50)).toEqual(generateWorkflow(50));
  });

  it('runs offline by default: every summarize node is on the local model', () => {
    const nodes = Object.values(generateWorkflow(45).nodes);
    expect(nodes.filter((n) => n.type === 'summarize')).toHaveLength(43);
    for (const node of nodes) expect(nodeNeedsInstrument(node.type, node.params), node.type).toBe(false);
  });

  it('uses the model asked for, which then needs an AI instrument', () => {
    const nodes = Object.values(generateWorkflow(10, { model: 'claude-haiku' }).nodes);
    const summaries = nodes.filter((n) => n.type === 'summarize');
    expect(summaries.every((n) => n.params.model === 'claude-haiku')).toBe(true);
    expect(summaries.every((n) => nodeNeedsInstrument(n.type, n.params))).toBe(true);
    expect(validateWorkflow(generateWorkflow(10, { model: 'claude-haiku' })).findings).toEqual([]);
  });
});
