import { describe, expect, it } from 'vitest';
import { storageRefusalMessage } from './storage-refusal.js';

describe('storageRefusalMessage', () => {
  it('names the reason OFB gave', () => {
    expect(storageRefusalMessage('document_too_large')).toMatch(
      /^This document is too large: .*Undo it, then reload/,
    );
    expect(storageRefusalMessage('document_not_found')).toBe(
      'Your latest changes could not be saved: this document was deleted.',
    );
    expect(storageRefusalMessage('role_too_low')).toBe(
      'Your latest changes could not be saved: you can no longer edit it.',
    );
    expect(storageRefusalMessage(null)).toMatch(/you can no longer edit it/);
  });
});
