// Extension node types join the node library under their extension's id, with param schemas made
// from JSON Schema; bad manifests are refused with a reason, and workflows validate against them.
import { describe, expect, it } from 'vitest';
import { ExtensionManifest, type ExtensionManifestInput } from '../extensions.js';
import { ExtensionNodeTypeError, extensionNodeTypeSpecs, nodeLibraryWith } from './extension-node-types.js';
import { NodeLibrary } from './node-library.js';
import { validateWorkflow } from './validate.js';

function manifest(overrides: Partial<ExtensionManifestInput> = {}): ExtensionManifest {
  return ExtensionManifest.parse({
    id: 'acme.pdf-tools',
    version: '1.0.0',
    name: 'PDF tools',
    kind: 'operator',
    entry: 'index.mjs',
    nodeTypes: [
      {
        name: 'extract-text',
        title: 'Extract PDF text',
        inputs: [{ name: 'file', type: 'text', label: 'File path', required: true }],
        outputs: [{ name: 'text', type: 'text', label: 'Text' }],
        params: {
          type: 'object',
          properties: { pages: { type: 'integer', minimum: 1, default: 10 } },
        },
      },
    ],
    ...overrides,
  });
}

describe('extension node types', () => {
  it('joins the node library as <id>/<name>, with defaults from the JSON Schema', () => {
    const [spec] = extensionNodeTypeSpecs(manifest());
    expect(spec?.type).toBe('acme.pdf-tools/extract-text');
    expect(spec?.kind).toBe('operator');
    expect(spec?.defaults).toEqual({ pages: 10 });
    expect(spec?.params.safeParse({ pages: 0 }).success).toBe(false);
    const library = nodeLibraryWith([manifest()]);
    expect(library.size).toBe(NodeLibrary.size + 1);
    expect(NodeLibrary.has('acme.pdf-tools/extract-text')).toBe(false);
  });

  it('validates workflows that use them, params included', () => {
    const library = nodeLibraryWith([manifest()]);
    const workflow = {
      nodes: {
        a: { type: 'read-code', kind: 'operator', params: { path: 'x.txt' }, position: { x: 0, y: 0 } },
        b: {
          type: 'acme.pdf-tools/extract-text',
          kind: 'operator',
          params: { pages: 0 },
          position: { x: 1, y: 0 },
        },
      },
      edges: { e: { from: { node: 'a', port: 'code' }, to: { node: 'b', port: 'file' } } },
    } as never;
    const report = validateWorkflow(workflow, library);
    expect(report.ok).toBe(false);
    expect(report.findings.some((f) => f.message.includes('Extract PDF text'))).toBe(true);
    const known = validateWorkflow(workflow, NodeLibrary);
    expect(known.findings.some((f) => f.code === 'unknown-node-type')).toBe(true);
  });

  it('refuses a param schema that is not an object, and a name past 64 characters', () => {
    const bad = manifest({
      nodeTypes: [
        {
          name: 'x',
          title: 'X',
          outputs: [{ name: 'o', type: 'text', label: 'O' }],
          params: { type: 'object', properties: { a: { $ref: '#/nowhere' } } },
        },
      ],
    });
    expect(() => extensionNodeTypeSpecs(bad)).toThrow(ExtensionNodeTypeError);
    const long = manifest({
      id: 'a'.repeat(40),
      nodeTypes: [{ name: 'b'.repeat(30), title: 'B', outputs: [{ name: 'o', type: 'text', label: 'O' }] }],
    });
    expect(() => extensionNodeTypeSpecs(long)).toThrow(/longer than 64/);
  });

  it('refuses the same extension twice', () => {
    expect(() => nodeLibraryWith([manifest(), manifest()])).toThrow(/provided twice/);
  });

  it('parses manifests strictly: paths stay inside the extension, grants are absolute', () => {
    expect(() => manifest({ entry: '../escape.mjs' })).toThrow(/inside the extension folder/);
    expect(() => manifest({ permissions: { read: ['relative/dir'] } })).toThrow(/absolute/);
    expect(() => manifest({ permissions: { network: ['http://x.com'] } })).toThrow(/host/);
    expect(
      manifest({ permissions: { network: ['localhost:11434', '*.openai.com'] } }).permissions.network,
    ).toHaveLength(2);
  });
});
