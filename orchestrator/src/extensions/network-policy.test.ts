import { describe, expect, it } from 'vitest';
import { redactSecrets as redact } from '../credentials/redact.js';
import { isPrivateAddress, matchNetworkGrant } from './network-policy.js';
import { bwrapArgs, heapLimitMb, type LaunchSpec, nodeArgs } from './sandbox/launch.js';
import { MemoryWatch } from './watchdog.js';

describe('matchNetworkGrant', () => {
  const match = (url: string, grants: string[]) => matchNetworkGrant(new URL(url), grants)?.grant;

  it('matches a bare name on 443 and 80 only', () => {
    expect(match('https://api.openai.com/v1', ['api.openai.com'])).toBe('api.openai.com');
    expect(match('http://api.openai.com/v1', ['api.openai.com'])).toBe('api.openai.com');
    expect(match('https://api.openai.com:8443/v1', ['api.openai.com'])).toBeUndefined();
    expect(match('https://evil.com/api.openai.com', ['api.openai.com'])).toBeUndefined();
    expect(match('https://api.openai.com.evil.com/', ['api.openai.com'])).toBeUndefined();
  });

  it('pins a port, matches subdomains of a wildcard but not its apex, and IPv6 literals', () => {
    expect(match('http://localhost:11434/api', ['localhost:11434'])).toBe('localhost:11434');
    expect(match('http://localhost:11435/api', ['localhost:11434'])).toBeUndefined();
    expect(match('https://a.b.example.com/', ['*.example.com'])).toBe('*.example.com');
    expect(match('https://example.com/', ['*.example.com'])).toBeUndefined();
    expect(match('http://[::1]:8080/', ['[::1]:8080'])).toBe('[::1]:8080');
  });

  it('allows only http and https', () => {
    expect(match('ftp://api.openai.com/', ['api.openai.com'])).toBeUndefined();
    expect(match('file:///etc/passwd', ['api.openai.com'])).toBeUndefined();
  });

  it('lets a grant reach private addresses only when it names a private host', () => {
    expect(matchNetworkGrant(new URL('http://localhost:11434/'), ['localhost:11434'])?.allowPrivate).toBe(
      true,
    );
    expect(matchNetworkGrant(new URL('http://127.0.0.1:80/'), ['127.0.0.1'])?.allowPrivate).toBe(true);
    expect(matchNetworkGrant(new URL('https://api.openai.com/'), ['api.openai.com'])?.allowPrivate).toBe(
      false,
    );
  });
});

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '0.0.0.0',
    '::1',
    'fe80::1',
    'fd00::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '100.64.0.1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::1',
    '::127.0.0.1',
    'fec0::1',
  ])('refuses %s', (address) => expect(isPrivateAddress(address)).toBe(true));
  it.each(['8.8.8.8', '1.1.1.1', '2606:4700::1111', '172.32.0.1'])('allows %s', (address) =>
    expect(isPrivateAddress(address)).toBe(false),
  );
});

describe('redact', () => {
  it('replaces every occurrence of each secret', () => {
    expect(redact('key sk-123456 and sk-123456 again', ['sk-123456'])).toBe(
      'key [redacted] and [redacted] again',
    );
    expect(redact('abc', ['ab'])).toBe('abc');
  });
});

describe('launch', () => {
  const spec: LaunchSpec = {
    node: '/opt/node/bin/node',
    runtimeEntry: '/pkg/dist/extensions/runtime/extension-runtime.js',
    runtimeReadRoots: ['/pkg/dist/extensions/runtime', '/pkg/node_modules'],
    folder: '/ext/acme',
    read: ['/data/in'],
    write: ['/data/out'],
    env: { ACME_MODE: 'fast' },
    memoryMb: 256,
  };

  it('gives node the permission model with no child processes, workers, addons or WASI, and a heap limit', () => {
    const args = nodeArgs(spec);
    expect(args).toContain('--permission');
    expect(args).toContain('--allow-fs-read=/ext/acme');
    expect(args).toContain('--allow-fs-read=/data/in');
    expect(args).toContain('--allow-fs-write=/data/out');
    expect(args).not.toContain('--allow-fs-write=/data/in');
    expect(args).toContain(`--max-old-space-size=${heapLimitMb(256)}`);
    expect(args.filter((arg) => /--allow-(child-process|worker|addons|wasi)/.test(arg))).toEqual([]);
    expect(args.slice(-2)).toEqual([spec.runtimeEntry, spec.folder]);
  });

  it('wraps it in bwrap with every namespace unshared and only the grants mounted', () => {
    const args = bwrapArgs(spec);
    expect(args.slice(0, 4)).toEqual(['--unshare-all', '--die-with-parent', '--new-session', '--clearenv']);
    const joined = args.join(' ');
    expect(joined).toContain('--setenv ACME_MODE fast');
    expect(joined).toContain('--ro-bind /ext/acme /ext/acme');
    expect(joined).toContain('--ro-bind /data/in /data/in');
    expect(joined).toContain('--bind /data/out /data/out');
    expect(joined).not.toContain('--share-net');
    expect(args.indexOf('--')).toBe(args.indexOf(spec.node, args.indexOf('--chdir')) - 1);
  });
});

describe('MemoryWatch', () => {
  it('reports once when the resident set passes the limit', async () => {
    const readings = [10, 20, 200, 300];
    const over: number[] = [];
    await new Promise<void>((resolve) => {
      const watch = new MemoryWatch({
        pid: 1,
        limitBytes: 100,
        pollMs: 1,
        read: async () => readings.shift() ?? 0,
        onOver: (rss) => {
          over.push(rss);
          setTimeout(resolve, 10);
        },
      });
      void watch;
    });
    expect(over).toEqual([200]);
  });
});
