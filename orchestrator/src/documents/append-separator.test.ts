// appendSeparator: appended run output starts its own paragraph, whatever the document ends with.
import { describe, expect, it } from 'vitest';
import { appendSeparator } from './EngineDocuments.js';

describe('appendSeparator', () => {
  it('adds a blank line after text, one line break after a line, nothing after a blank line or to an empty document', () => {
    expect(appendSeparator('')).toBe('');
    expect(appendSeparator('x')).toBe('\n\n');
    expect(appendSeparator('ab')).toBe('\n\n');
    expect(appendSeparator('b\n')).toBe('\n');
    expect(appendSeparator('\n\n')).toBe('');
  });
});
