// Tests of the params inspector's fields: zod schemas to form fields for every node type, raw input
// read as values, and validation errors per parameter.
import { NodeLibrary } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { formatFieldValue, paramErrors, paramFields, readFieldInput } from './param-fields.js';

function spec(type: string) {
  const s = NodeLibrary.get(type);
  if (!s) throw new Error(`no node type ${type}`);
  return s;
}

describe('paramFields', () => {
  it('maps a node type’s zod schema to form fields', () => {
    const fields = paramFields(spec('llm-prompt').params);
    expect(fields.map((f) => [f.name, f.kind, f.label, f.required])).toEqual([
      ['model', 'enum', 'Model', false],
      ['prompt', 'string', 'Prompt', true],
      ['temperature', 'number', 'Temperature', false],
      ['maxTokens', 'number', 'Max tokens', false],
      ['instrument', 'string', 'Instrument (empty: the router picks)', false],
    ]);
    const temperature = fields[2];
    expect(temperature).toMatchObject({ integer: false, min: 0, max: 2, defaultValue: 0.7 });
    expect(fields[3]).toMatchObject({ integer: true, min: 1, max: 32000 });
    expect(fields[1]).toMatchObject({ multiline: true });
  });

  it('maps booleans, lists of strings and short strings', () => {
    expect(paramFields(spec('filter').params).map((f) => f.kind)).toEqual(['string', 'boolean', 'string']);
    expect(paramFields(spec('classify').params).find((f) => f.name === 'labels')?.kind).toBe('string-list');
    expect(paramFields(spec('translate').params).find((f) => f.name === 'targetLanguage')).toMatchObject({
      kind: 'string',
      multiline: false,
    });
  });

  it('titles the local model so nobody takes it for a language model', () => {
    expect(paramFields(spec('summarize').params)[0]).toMatchObject({
      kind: 'enum',
      defaultValue: 'local',
      optionTitles: { local: 'Local (extractive, non-neural)' },
    });
  });

  it('gives document parameters a document picker, labelled by what the node does with it', () => {
    expect(paramFields(spec('read-document').params)).toEqual([
      { name: 'documentId', label: 'Document to read', required: true, kind: 'document' },
    ]);
    expect(paramFields(spec('write-document').params)[0]).toMatchObject({
      kind: 'document',
      label: 'Document to write',
    });
  });

  it('every node type in the library gets a form without unsupported fields', () => {
    for (const s of NodeLibrary.values()) {
      expect(paramFields(s.params).filter((f) => f.kind === 'unsupported')).toEqual([]);
    }
  });
});

describe('field input and errors', () => {
  it('reads raw input as parameter values', () => {
    const [model, , temperature] = paramFields(spec('llm-prompt').params);
    const labels = paramFields(spec('classify').params)[1];
    if (!model || !temperature || !labels) throw new Error('fields missing');
    expect(readFieldInput(temperature, '0.5')).toBe(0.5);
    expect(readFieldInput(temperature, '')).toBeUndefined();
    expect(readFieldInput(temperature, 'warm')).toBe('warm');
    expect(readFieldInput(labels, 'a\n  b \n\n')).toEqual(['a', 'b']);
    expect(formatFieldValue(labels, ['a', 'b'])).toBe('a\nb');
    expect(readFieldInput(model, 'gpt-4o')).toBe('gpt-4o');
  });

  it('reports validation errors per parameter', () => {
    const errors = paramErrors(spec('llm-prompt'), { model: 'claude-sonnet', prompt: '', temperature: 5 });
    expect([...errors.keys()].sort()).toEqual(['prompt', 'temperature']);
    expect(errors.get('prompt')).toEqual(['Prompt must not be empty.']);
    // In a person's words, not zod's ("Too big: expected number to be <=2").
    expect(errors.get('temperature')).toEqual(['Must be at most 2.']);
    const labels = paramErrors(spec('classify'), { labels: ['ok', ''] });
    expect(labels.get('labels')?.[0]).toMatch(/^Item 2: /);
    expect(paramErrors(spec('read-document'), { documentId: '' }).get('documentId')).toEqual([
      'Pick a document.',
    ]);
  });
});
