// Tests of the node library: every type's defaults parse, local models are explicit and labelled,
// and params of workflows written before expressions and local models still validate.
import { describe, expect, it } from 'vitest';
import { NodeKind } from './model.js';
import { LOCAL_BADGE, NodeLibrary } from './node-library.js';
import { isLocalModel, LOCAL_MODEL, NodeParams } from './node-params.js';

const LOCAL_TYPES = ['summarize', 'classify', 'extract-keywords', 'embed'];

describe('NodeLibrary', () => {
  it('gives every node type typed params, and its defaults parse back to themselves', () => {
    expect([...NodeLibrary.keys()].sort()).toEqual(Object.keys(NodeParams).sort());
    for (const spec of NodeLibrary.values()) {
      expect(spec.params, spec.type).toBe(NodeParams[spec.type as keyof typeof NodeParams]);
      const parsed = spec.params.safeParse(spec.defaults);
      if (parsed.success) expect(parsed.data, spec.type).toEqual(spec.defaults);
      else {
        // Only what a person must fill in (a prompt, a document, a path) may be missing from a fresh node.
        const missing = parsed.error.issues.map((i) => String(i.path[0]));
        for (const param of missing) expect(spec.defaults[param], `${spec.type}.${param}`).toBe('');
      }
    }
  });

  it('defaults summarize, classify, extract-keywords and embed to the local model, labelled non-neural', () => {
    for (const type of LOCAL_TYPES) {
      const spec = NodeLibrary.get(type);
      expect(spec?.kind, type).toBe(NodeKind.instrument);
      expect(spec?.defaults.model, type).toBe(LOCAL_MODEL);
      expect(spec?.badge, type).toBe(LOCAL_BADGE);
      expect(spec?.description, type).toMatch(/non-neural/);
      expect(spec?.params.parse({ ...spec.defaults, model: undefined }).model, type).toBe(LOCAL_MODEL);
    }
    expect(isLocalModel('local')).toBe(true);
    expect(isLocalModel('local-llama')).toBe(false);
  });

  it('marks the types that need a remote model, and gives them no local choice', () => {
    for (const type of ['llm-prompt', 'translate', 'review-code', 'generate-tests']) {
      const spec = NodeLibrary.get(type);
      expect(spec?.badge, type).toBeUndefined();
      expect(spec?.description, type).toMatch(/Needs an AI instrument/);
      expect(spec?.params.safeParse({ ...spec.defaults, model: LOCAL_MODEL }).success, type).toBe(false);
    }
  });

  it('extract-keywords turns text into a list of at most 100 keywords', () => {
    const spec = NodeLibrary.get('extract-keywords');
    expect(spec?.inputs.map((p) => [p.name, p.type])).toEqual([['text', 'text']]);
    expect(spec?.outputs.map((p) => [p.name, p.type])).toEqual([['keywords', 'text-list']]);
    expect(spec?.params.safeParse({ count: 101 }).success).toBe(false);
    expect(spec?.params.parse({})).toEqual({ model: 'local', instrument: '', count: 10 });
  });

  it('keeps params written before expressions and local models valid', () => {
    const old: Record<string, Record<string, unknown>> = {
      summarize: { model: 'claude-sonnet', length: 'medium', focus: '' },
      classify: { model: 'claude-haiku', labels: ['positive', 'negative'] },
      embed: { model: 'text-embedding-3-small', dimensions: 1536 },
      filter: { pattern: '.', invert: false },
      map: { template: '{{item}}' },
    };
    for (const [type, params] of Object.entries(old)) {
      const parsed = NodeLibrary.get(type)?.params.parse(params);
      expect(parsed, type).toMatchObject(params);
    }
    expect(NodeParams.filter.parse({ pattern: 'x' }).expression).toBe('');
    expect(NodeParams.map.parse({ template: '- {{item}}' }).expression).toBe('');
  });

  it('bounds expressions and still checks patterns and templates', () => {
    expect(NodeParams.filter.safeParse({ pattern: '(', expression: 'true' }).success).toBe(false);
    expect(NodeParams.filter.safeParse({ pattern: '.', expression: 'x'.repeat(2001) }).success).toBe(false);
    expect(NodeParams.map.safeParse({ template: 'no item', expression: 'item' }).success).toBe(false);
    expect(NodeParams.map.parse({ template: '{{item}}', expression: 'item.length' }).expression).toBe(
      'item.length',
    );
  });
});
