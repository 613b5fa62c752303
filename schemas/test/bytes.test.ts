// Tests of the base64 helpers in bytes.ts, with Buffer and without it (a browser).
import { describe, expect, it, vi } from 'vitest';
import { base64ToBytes, bytesToBase64 } from '../src/bytes.js';

describe('base64 bytes', () => {
  const samples = [
    new Uint8Array(),
    new Uint8Array([0, 0]),
    new Uint8Array([255, 1, 2, 3]),
    randomBytes(100_000),
  ];

  it('round-trips and matches Buffer, for a view into a larger buffer too', () => {
    for (const bytes of samples) {
      const text = bytesToBase64(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(base64ToBytes(text)).toEqual(bytes);
    }
    const view = new Uint8Array([9, 9, 1, 2, 3, 9]).subarray(2, 5);
    expect(bytesToBase64(view)).toBe('AQID');
  });

  it('does the same without Buffer (a browser)', async () => {
    const expected = samples.map((bytes) => Buffer.from(bytes).toString('base64'));
    vi.stubGlobal('Buffer', undefined);
    vi.resetModules();
    try {
      const browser = await import('../src/bytes.js');
      samples.forEach((bytes, i) => {
        const text = browser.bytesToBase64(bytes);
        expect(text).toBe(expected[i]);
        expect(browser.base64ToBytes(text)).toEqual(bytes);
      });
      expect(browser.bytesToBase64(new Uint8Array([1, 2, 3]))).toBe('AQID');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

function randomBytes(n: number): Uint8Array {
  const bytes = new Uint8Array(n);
  for (let i = 0; i < n; i++) bytes[i] = (i * 7919 + 13) % 256;
  return bytes;
}
