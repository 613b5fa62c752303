import { describe, expect, it } from 'vitest';
import {
  allowedOrigins,
  hostAllowed,
  loopbackBindAddress,
  loopbackUrl,
  originAllowed,
  preflightHeaders,
} from './loopback.js';

describe('loopbackBindAddress', () => {
  it('takes loopback addresses only', () => {
    expect(loopbackBindAddress('127.0.0.1')).toBe('127.0.0.1');
    expect(loopbackBindAddress('127.1.2.3')).toBe('127.1.2.3');
    expect(loopbackBindAddress('localhost')).toBe('127.0.0.1');
    expect(loopbackBindAddress('::1')).toBe('::1');
    expect(loopbackBindAddress('[::1]')).toBe('::1');
    for (const host of ['0.0.0.0', '::', '192.168.1.2', '127.0.0.256', 'example.com', '128.0.0.1', '']) {
      expect(loopbackBindAddress(host), host).toBeUndefined();
    }
  });

  it('names the URL of an IPv6 address in brackets', () => {
    expect(loopbackUrl('127.0.0.1', 4322)).toBe('http://127.0.0.1:4322');
    expect(loopbackUrl('::1', 4322)).toBe('http://[::1]:4322');
  });
});

describe('hostAllowed', () => {
  it('accepts the loopback names on the port, and refuses every other name (DNS rebinding)', () => {
    for (const host of ['127.0.0.1:4322', 'localhost:4322', 'LOCALHOST:4322', '[::1]:4322']) {
      expect(hostAllowed(host, 4322, '127.0.0.1'), host).toBe(true);
    }
    for (const host of [
      undefined,
      '127.0.0.1',
      '127.0.0.1:80',
      'evil.example:4322',
      'localhost.evil:4322',
      '127.0.0.2:4322',
    ]) {
      expect(hostAllowed(host, 4322, '127.0.0.1'), String(host)).toBe(false);
    }
    expect(hostAllowed('127.0.0.2:4322', 4322, '127.0.0.2')).toBe(true);
  });
});

describe('allowed origins', () => {
  it('are the team server’s origin, its localhost twin, and the extra ones', () => {
    const origins = allowedOrigins('http://127.0.0.1:4321/', ['https://board.example/app']);
    expect([...origins].sort()).toEqual([
      'http://127.0.0.1:4321',
      'http://localhost:4321',
      'https://board.example',
    ]);
    expect(originAllowed(undefined, origins)).toBe(true);
    expect(originAllowed('http://localhost:4321', origins)).toBe(true);
    expect(originAllowed('https://board.example', origins)).toBe(true);
    for (const origin of [
      'null',
      'http://127.0.0.1:4322',
      'https://evil.example',
      'http://localhost:4321/',
    ]) {
      expect(originAllowed(origin, origins), origin).toBe(false);
    }
    expect(() => allowedOrigins('http://127.0.0.1:4321', ['file:///tmp'])).toThrow(/not an http\(s\) origin/);
  });

  it('are answered with the origin itself, never *, and Private Network Access', () => {
    expect(preflightHeaders('http://localhost:4321')).toMatchObject({
      'Access-Control-Allow-Origin': 'http://localhost:4321',
      'Access-Control-Allow-Private-Network': 'true',
      Vary: 'Origin',
    });
  });
});
