// Tests of the words for a Document's refused storage: one message per OFB code the sync-server sends.
import { OfbErrorCode } from '@symphony/schemas';
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

  it('branches only on codes OFB sends', () => {
    // A deleted document's storage is refused as document_not_found: OFB has no other code for it.
    expect(storageRefusalMessage(OfbErrorCode.documentNotFound)).toMatch(/this document was deleted/);
    expect(storageRefusalMessage(OfbErrorCode.documentTooLarge)).toMatch(/^This document is too large/);
    for (const code of [OfbErrorCode.roleTooLow, OfbErrorCode.notAMember, OfbErrorCode.serviceRoleOnly])
      expect(storageRefusalMessage(code)).toBe(
        'Your latest changes could not be saved: you can no longer edit it.',
      );
  });
});
