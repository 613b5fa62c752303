// Step values ↔ artifact bytes by port type, and conversions along edges.
import { DataType, type PortSpec } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { StepError } from '../steps/Step.js';
import { convertValue, decodeInput, encodeOutput, JSON_MEDIA_TYPE, TEXT_MEDIA_TYPE } from './values.js';

const port = (type: DataType): PortSpec => ({ name: 'out', type, label: 'Out' });
const bytes = (text: string) => new TextEncoder().encode(text);
const MAX = 1024;

function failure(f: () => unknown): StepError {
  try {
    f();
  } catch (error) {
    if (error instanceof StepError) return error;
    throw error;
  }
  throw new Error('expected a StepError');
}

describe('encodeOutput', () => {
  it('stores text-like values as UTF-8 text and the rest as JSON', () => {
    for (const type of [DataType.text, DataType.document, DataType.code, DataType.label]) {
      expect(encodeOutput('héllo', port(type), MAX)).toEqual({
        content: 'héllo',
        mediaType: TEXT_MEDIA_TYPE,
        size: 6,
      });
    }
    expect(encodeOutput(['a', 'b'], port(DataType.textList), MAX)).toEqual({
      content: '["a","b"]',
      mediaType: JSON_MEDIA_TYPE,
      size: 9,
    });
    expect(encodeOutput([0.5, -1], port(DataType.embedding), MAX).content).toBe('[0.5,-1]');
    expect(encodeOutput({ a: [1, null, true] }, port(DataType.json), MAX).content).toBe(
      '{"a":[1,null,true]}',
    );
  });

  it('fails step_failed, naming the port and the type, when the value does not fit', () => {
    expect(failure(() => encodeOutput(3, port(DataType.text), MAX))).toMatchObject({ code: 'step_failed' });
    expect(failure(() => encodeOutput(3, port(DataType.text), MAX)).message).toBe(
      'the step returned a number for output “out”, which takes text (a string)',
    );
    expect(failure(() => encodeOutput(['a', 1], port(DataType.textList), MAX)).message).toContain(
      'not a string',
    );
    expect(failure(() => encodeOutput([1, Number.NaN], port(DataType.embedding), MAX)).message).toContain(
      'finite',
    );
    expect(failure(() => encodeOutput({ f: () => 1 }, port(DataType.json), MAX)).code).toBe('step_failed');
    expect(failure(() => encodeOutput(new Date(), port(DataType.json), MAX)).code).toBe('step_failed');
    expect(failure(() => encodeOutput(undefined, port(DataType.text), MAX)).message).toContain(
      'no value for output “out”',
    );
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(failure(() => encodeOutput(cycle, port(DataType.json), MAX)).code).toBe('step_failed');
  });

  it('fails artifact_failed for an output larger than the limit', () => {
    const error = failure(() => encodeOutput('x'.repeat(11), port(DataType.text), 10));
    expect(error.code).toBe('artifact_failed');
    expect(error.message).toContain('11 bytes, more than the limit of 10');
  });
});

describe('decodeInput and convertValue', () => {
  it('decodes by the producing port’s type and converts as edges may', () => {
    expect(decodeInput(bytes('plain'), DataType.document, DataType.text, 'in')).toBe('plain');
    expect(decodeInput(bytes('["a"]'), DataType.textList, DataType.textList, 'in')).toEqual(['a']);
    expect(decodeInput(bytes('{"a": 1}'), DataType.json, DataType.text, 'in')).toBe('{"a": 1}');
    expect(decodeInput(bytes('{"a":1}'), DataType.json, DataType.json, 'in')).toEqual({ a: 1 });
    expect(decodeInput(bytes('"s"'), DataType.any, DataType.text, 'in')).toBe('s');
    expect(decodeInput(bytes('[1]'), DataType.any, DataType.text, 'in')).toBe('[1]');
  });

  it('gives from memory exactly what decoding the stored bytes gives', () => {
    const cases: [unknown, DataType, DataType][] = [
      ['text', DataType.code, DataType.text],
      [{ a: [1, 2] }, DataType.json, DataType.text],
      [['x', 'y'], DataType.textList, DataType.textList],
      [[1, 2], DataType.embedding, DataType.any],
    ];
    for (const [value, from, to] of cases) {
      const stored = encodeOutput(value, port(from), MAX).content;
      expect(convertValue(value as never, from, to, 'in')).toEqual(
        decodeInput(bytes(stored), from, to, 'in'),
      );
    }
  });

  it('refuses what cannot flow, and bytes that do not hold their type, with invalid_input', () => {
    expect(failure(() => decodeInput(bytes('["a"]'), DataType.textList, DataType.text, 'in')).code).toBe(
      'invalid_input',
    );
    expect(failure(() => convertValue(['a'], DataType.textList, DataType.embedding, 'in')).code).toBe(
      'invalid_input',
    );
    expect(failure(() => decodeInput(bytes('{nope'), DataType.json, DataType.json, 'in')).message).toContain(
      'not JSON',
    );
    expect(failure(() => decodeInput(bytes('{"a":1}'), DataType.any, DataType.textList, 'in')).code).toBe(
      'invalid_input',
    );
  });
});
