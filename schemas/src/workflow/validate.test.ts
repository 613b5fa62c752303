// Tests of validateWorkflow: the findings for each kind of fault.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { addNode, connect, deleteElements, edgesAttachedTo } from './edits.js';
import type { EdgeId, NodeId, Workflow } from './model.js';
import { canFlow, DataType, NodeLibrary } from './node-library.js';
import { instantiateTemplate, templateDocumentSlots, WorkflowTemplates } from './templates.js';
import { FindingCode, RejectReason, validateWorkflow } from './validate.js';

const n = (s: string) => s as NodeId;
const e = (s: string) => s as EdgeId;

function blank(): Workflow {
  return { name: 'test', nodes: {}, edges: {} };
}

/** read-document → summarize → write-document, all valid. */
function pipeline(): Workflow {
  const w = blank();
  addNode(w, 'read-document', { x: 0, y: 0 }, n('read'));
  addNode(w, 'summarize', { x: 1, y: 0 }, n('sum'));
  addNode(w, 'write-document', { x: 2, y: 0 }, n('write'));
  w.nodes[n('read')]!.params.documentId = 'in';
  w.nodes[n('write')]!.params.documentId = 'out';
  connect(w, { node: n('read'), port: 'document' }, { node: n('sum'), port: 'text' }, e('e1'));
  connect(w, { node: n('sum'), port: 'summary' }, { node: n('write'), port: 'text' }, e('e2'));
  return w;
}

/** A pipeline with one fault of each kind, for checking the words of every finding. */
function pipelineWithFaults(): Workflow {
  const w = pipeline();
  addNode(w, 'embed', { x: 0, y: 0 }, n('n3971emb'));
  w.nodes[n('n3971emb')]!.params.dimensions = 1.5;
  connect(w, { node: n('n3971emb'), port: 'embedding' }, { node: n('write'), port: 'text' }, e('e3'));
  connect(w, { node: n('read'), port: 'nope' }, { node: n('n3971emb'), port: 'text' }, e('e5'));
  connect(w, { node: n('read'), port: 'document' }, { node: n('sum'), port: 'text' }, e('e6'));
  connect(w, { node: n('gone'), port: 'x' }, { node: n('sum'), port: 'text' }, e('e7'));
  w.nodes[n('n3971ghost')] = { type: 'teleport', kind: 'operator', params: {}, position: { x: 0, y: 0 } };
  return w;
}

const codes = (w: Workflow) =>
  validateWorkflow(w).findings.map((f) => `${f.code}@${'id' in f.target ? f.target.id : 'workflow'}`);

describe('the node library', () => {
  it('has at least 12 types across the three kinds, each with a description and consistent defaults', () => {
    expect(NodeLibrary.size).toBeGreaterThanOrEqual(12);
    expect(new Set([...NodeLibrary.values()].map((s) => s.kind))).toEqual(
      new Set(['instrument', 'operator', 'addon']),
    );
    for (const spec of NodeLibrary.values()) {
      expect(spec.description.length).toBeGreaterThan(10);
      // Every default is accepted by the schema, except required params left for the user to fill.
      const result = spec.params.safeParse(spec.defaults);
      if (!result.success) {
        for (const issue of result.error.issues)
          expect(spec.defaults[String(issue.path[0])], `${spec.type}.${issue.path}`).toBe('');
      }
    }
  });

  it('lets readable types flow into text and nothing else cross', () => {
    expect(canFlow(DataType.document, DataType.text)).toBe(true);
    expect(canFlow(DataType.text, DataType.code)).toBe(false);
    expect(canFlow(DataType.embedding, DataType.text)).toBe(false);
    expect(canFlow(DataType.textList, DataType.any)).toBe(true);
  });
});

describe('validateWorkflow', () => {
  it('accepts a valid pipeline', () => {
    const report = validateWorkflow(pipeline());
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('accepts every template as instantiated', () => {
    for (const template of WorkflowTemplates) {
      const documents = Object.fromEntries(templateDocumentSlots(template).map((s) => [s.slot, 'doc-1']));
      const report = validateWorkflow(instantiateTemplate(template, template.name, documents));
      expect(report.findings, template.id).toEqual([]);
    }
    expect(WorkflowTemplates.length).toBeGreaterThanOrEqual(5);
  });

  it('flags a dangling edge left by a deleted node, and rejects it', () => {
    const w = pipeline();
    delete w.nodes[n('sum')];
    const report = validateWorkflow(w);
    expect(report.rejectedEdges.get(e('e1'))).toBe(RejectReason.dangling);
    expect(report.rejectedEdges.get(e('e2'))).toBe(RejectReason.dangling);
    const finding = report.findings.find((f) => f.code === FindingCode.danglingEdge)!;
    expect(finding.message).toBe('A connection from “Read document” leads to a node that no longer exists.');
    expect(finding.hint).toMatch(/Delete the edge/);
  });

  it('rejects the greatest edge id of a cycle and names it', () => {
    const w = blank();
    for (const id of ['a', 'b', 'c']) addNode(w, 'summarize', { x: 0, y: 0 }, n(id));
    addNode(w, 'read-document', { x: 0, y: 0 }, n('src'));
    w.nodes[n('src')]!.params.documentId = 'd';
    connect(w, { node: n('src'), port: 'document' }, { node: n('a'), port: 'text' }, e('e0'));
    connect(w, { node: n('a'), port: 'summary' }, { node: n('b'), port: 'text' }, e('e5'));
    connect(w, { node: n('b'), port: 'summary' }, { node: n('c'), port: 'text' }, e('e9'));
    connect(w, { node: n('c'), port: 'summary' }, { node: n('a'), port: 'text' }, e('e3'));
    const report = validateWorkflow(w);
    // e3 is also a second edge into a.text (e0 is kept), so it is rejected as an extra input first.
    expect(report.rejectedEdges.get(e('e3'))).toBe(RejectReason.extraInput);
    delete w.edges[e('e0')];
    const cyclic = validateWorkflow(w);
    expect([...cyclic.rejectedEdges]).toEqual([[e('e9'), RejectReason.cycle]]);
    expect(cyclic.findings.find((f) => f.code === FindingCode.cycle)?.message).toMatch(
      /^The connection from “Summarize” to “Summarize” closes a cycle/,
    );
  });

  it('rejects a self-loop', () => {
    const w = blank();
    addNode(w, 'join-text', { x: 0, y: 0 }, n('j'));
    connect(w, { node: n('j'), port: 'text' }, { node: n('j'), port: 'parts' }, e('loop'));
    expect(validateWorkflow(w).rejectedEdges.get(e('loop'))).toBe(RejectReason.cycle);
  });

  it('flags unknown ports, incompatible types and extra inputs', () => {
    const w = pipeline();
    addNode(w, 'embed', { x: 0, y: 0 }, n('emb'));
    connect(w, { node: n('sum'), port: 'summary' }, { node: n('emb'), port: 'text' }, e('e3'));
    connect(w, { node: n('emb'), port: 'embedding' }, { node: n('write'), port: 'text' }, e('e4'));
    connect(w, { node: n('read'), port: 'nope' }, { node: n('emb'), port: 'text' }, e('e5'));
    connect(w, { node: n('read'), port: 'document' }, { node: n('sum'), port: 'text' }, e('e6'));
    const report = validateWorkflow(w);
    expect(report.rejectedEdges.get(e('e4'))).toBe(RejectReason.invalidPorts);
    expect(report.rejectedEdges.get(e('e5'))).toBe(RejectReason.invalidPorts);
    expect(report.rejectedEdges.get(e('e6'))).toBe(RejectReason.extraInput);
    expect(codes(w)).toEqual(
      expect.arrayContaining(['incompatible-ports@e4', 'unknown-port@e5', 'extra-input@e6']),
    );
    expect(report.findings.find((f) => f.target.kind === 'edge' && f.target.id === 'e4')?.message).toMatch(
      /^The connection from “Embed” to “Write document” sends embedding into “Text”, which takes text\.$/,
    );
  });

  it('flags missing and invalid params, unknown types and unconnected required inputs', () => {
    const w = blank();
    addNode(w, 'llm-prompt', { x: 0, y: 0 }, n('llm'));
    addNode(w, 'classify', { x: 0, y: 0 }, n('cls'));
    w.nodes[n('cls')]!.params.labels = ['only-one'];
    w.nodes[n('llm')]!.params.temperature = 5;
    w.nodes[n('ghost')] = { type: 'teleport', kind: 'operator', params: {}, position: { x: 0, y: 0 } };
    expect(codes(w)).toEqual([
      'invalid-param@cls',
      'missing-input@cls',
      'unknown-node-type@ghost',
      'invalid-param@llm',
      'missing-param@llm',
    ]);
    const report = validateWorkflow(w);
    expect(report.findings.find((f) => f.code === 'missing-param')?.message).toMatch(
      /^“LLM prompt” needs “Prompt”\.$/,
    );
    expect(
      report.findings.find((f) => f.code === 'invalid-param' && 'id' in f.target && f.target.id === 'cls')
        ?.message,
    ).toMatch(/at least two labels/);
  });

  it('asks a Join for its texts or its list, and takes either one alone', () => {
    const w = pipeline();
    addNode(w, 'join-text', { x: 0, y: 0 }, n('join'));
    expect(codes(w)).toEqual(['missing-input@join']);
    const finding = validateWorkflow(w).findings[0]!;
    expect(finding.message).toBe('“Join” needs its input “Parts” or “List” connected.');
    expect(finding.hint).toBe(
      'Drag an edge from an output of type text to “Parts”, or from an output of type text-list to “List”.',
    );
    addNode(w, 'extract-keywords', { x: 0, y: 0 }, n('kw'));
    connect(w, { node: n('read'), port: 'document' }, { node: n('kw'), port: 'text' }, e('e3'));
    connect(w, { node: n('kw'), port: 'keywords' }, { node: n('join'), port: 'list' }, e('e4'));
    expect(codes(w)).toEqual([]);
    delete w.edges[e('e4')];
    connect(w, { node: n('sum'), port: 'summary' }, { node: n('join'), port: 'parts' }, e('e5'));
    expect(codes(w)).toEqual([]);
    // A list does not flow into the texts, and a second list is one too many.
    connect(w, { node: n('kw'), port: 'keywords' }, { node: n('join'), port: 'parts' }, e('e6'));
    connect(w, { node: n('kw'), port: 'keywords' }, { node: n('join'), port: 'list' }, e('e7'));
    connect(w, { node: n('kw'), port: 'keywords' }, { node: n('join'), port: 'list' }, e('e8'));
    expect(codes(w)).toEqual(['incompatible-ports@e6', 'extra-input@e8']);
  });

  it('is deterministic: the same document gives the same report, whatever the key order', () => {
    const w = instantiateTemplate(WorkflowTemplates[4]!);
    connect(
      w,
      { node: Object.keys(w.nodes)[4] as NodeId, port: 'text' },
      { node: Object.keys(w.nodes)[1] as NodeId, port: 'text' },
    );
    const reversed: Workflow = {
      name: w.name,
      nodes: Object.fromEntries(Object.entries(w.nodes).reverse()),
      edges: Object.fromEntries(Object.entries(w.edges).reverse()),
    };
    const a = validateWorkflow(w);
    const b = validateWorkflow(reversed);
    expect(b.findings).toEqual(a.findings);
    expect([...b.rejectedEdges].sort()).toEqual([...a.rejectedEdges].sort());
  });

  it('handles a 10,000-node chain without recursion limits', () => {
    const w = blank();
    let previous: NodeId | undefined;
    for (let i = 0; i < 10_000; i++) {
      const id = addNode(w, 'join-text', { x: i, y: 0 }, n(`n${String(i).padStart(5, '0')}`));
      if (previous)
        connect(
          w,
          { node: previous, port: 'text' },
          { node: id, port: 'parts' },
          e(`e${String(i).padStart(5, '0')}`),
        );
      previous = id;
    }
    connect(w, { node: previous!, port: 'text' }, { node: n('n00000'), port: 'parts' }, e('z-closing'));
    expect([...validateWorkflow(w).rejectedEdges]).toEqual([[e('z-closing'), RejectReason.cycle]]);
  });

  it('says what is wrong with a parameter in words, never with ids or zod text', () => {
    const w = blank();
    addNode(w, 'embed', { x: 0, y: 0 }, n('n3971abcdef'));
    w.nodes[n('n3971abcdef')]!.label = 'Summarize';
    w.nodes[n('n3971abcdef')]!.params.dimensions = 3;
    const finding = validateWorkflow(w).findings.find((f) => f.code === FindingCode.invalidParam)!;
    expect(finding.message).toBe('“Summarize”: “Dimensions” must be at least 16.');
    expect(finding.hint).toBe("Set “Dimensions” in the node's inspector.");
    w.nodes[n('n3971abcdef')]!.params.dimensions = 'many';
    expect(validateWorkflow(w).findings.find((f) => f.code === FindingCode.invalidParam)!.message).toBe(
      '“Summarize”: “Dimensions” must be a number.',
    );
    for (const f of validateWorkflow(pipelineWithFaults()).findings) {
      expect(f.message).not.toMatch(/n3971|e\d|Too small|Invalid input|expected/);
    }
  });

  it('asks for an empty document parameter by its title', () => {
    const w = pipeline();
    w.nodes[n('read')]!.params.documentId = '';
    const finding = validateWorkflow(w).findings.find((f) => f.code === FindingCode.missingParam)!;
    expect(finding.message).toBe('“Read document” needs “Document to read”: no document is chosen.');
    expect(finding.severity).toBe('error');
  });

  it('checks named documents only when the workspace is known: missing, unreadable, not writable', () => {
    const w = pipeline();
    // Without a context (OFB, the sync-server) document ids are not checked.
    expect(validateWorkflow(w).findings).toEqual([]);
    const docs = (entries: [string, { title: string; canRead: boolean; canWrite: boolean }][]) => ({
      documents: new Map(entries),
    });
    const fine = docs([
      ['in', { title: 'Plan', canRead: true, canWrite: true }],
      ['out', { title: 'Notes', canRead: true, canWrite: true }],
    ]);
    expect(validateWorkflow(w, NodeLibrary, fine).ok).toBe(true);
    const missing = validateWorkflow(
      w,
      NodeLibrary,
      docs([['in', { title: 'Plan', canRead: true, canWrite: true }]]),
    );
    expect(missing.findings.map((f) => `${f.code}@${'id' in f.target ? f.target.id : ''}`)).toEqual([
      'missing-document@write',
    ]);
    expect(missing.findings[0]!.message).toBe(
      '“Write document”: the document chosen for “Document to write” is not in this workspace (deleted, or never was).',
    );
    const viewer = validateWorkflow(
      w,
      NodeLibrary,
      docs([
        ['in', { title: 'Plan', canRead: true, canWrite: false }],
        ['out', { title: 'Notes', canRead: true, canWrite: false }],
      ]),
    );
    // Reading needs read access only; writing needs write access.
    expect(viewer.findings.map((f) => f.code)).toEqual(['document-not-writable']);
    expect(viewer.findings[0]!.message).toBe(
      '“Write document”: you may not change “Notes”, so it cannot be written.',
    );
    const hidden = validateWorkflow(
      w,
      NodeLibrary,
      docs([
        ['in', { title: 'Secret', canRead: false, canWrite: false }],
        ['out', { title: 'Notes', canRead: true, canWrite: true }],
      ]),
    );
    expect(hidden.findings.map((f) => f.code)).toEqual(['document-not-readable']);
    expect(hidden.ok).toBe(false);
  });

  it('marks every document parameter for the picker, and only those', () => {
    for (const spec of NodeLibrary.values()) {
      const json = z.toJSONSchema(spec.params, { io: 'input' }) as {
        properties: Record<string, { format?: string }>;
      };
      const marked = Object.keys(json.properties).filter((p) => json.properties[p]!.format === 'document-id');
      expect(marked, spec.type).toEqual(Object.keys(spec.documentParams ?? {}));
    }
  });

  it('templates carry no document ids: they ask for them', () => {
    for (const template of WorkflowTemplates) {
      const w = instantiateTemplate(template);
      const slots = templateDocumentSlots(template);
      expect(slots.length, template.id).toBeGreaterThan(0);
      for (const node of Object.values(w.nodes)) {
        if (node.params.documentId !== undefined) expect(node.params.documentId).toBe('');
      }
      expect(validateWorkflow(w).findings.filter((f) => f.code === FindingCode.missingParam)).toHaveLength(
        slots.length,
      );
    }
    const [read, write] = templateDocumentSlots(WorkflowTemplates[0]!);
    expect(read).toEqual({ slot: 'read.documentId', question: 'Document to summarize', access: 'read' });
    expect(write?.access).toBe('write');
    const w = instantiateTemplate(WorkflowTemplates[0]!, 'S', {
      'read.documentId': 'doc-a',
      'write.documentId': 'doc-b',
    });
    expect(
      Object.values(w.nodes)
        .map((node) => node.params.documentId)
        .filter(Boolean),
    ).toEqual(['doc-a', 'doc-b']);
  });

  it('deleteElements removes a node with its edges', () => {
    const w = pipeline();
    deleteElements(w, [n('sum')], edgesAttachedTo(w, [n('sum')]));
    expect(Object.keys(w.edges)).toEqual([]);
    expect(Object.keys(w.nodes).sort()).toEqual(['read', 'write']);
  });
});
