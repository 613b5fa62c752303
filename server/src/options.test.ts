// Tests of the symphony-server bin's options: defaults (embedded OFB, documents under .symphony/docs),
// flags before the environment, --help, and UsageErrors for bad usage.
import { describe, expect, it } from 'vitest';
import { parseServerOptions, UsageError } from './options.js';

describe('parseServerOptions', () => {
  it('defaults to embedded OFB with documents under .symphony/docs', () => {
    const options = parseServerOptions([], {});
    expect(options).toMatchObject({ help: false, root: '.symphony', storage: 'ofb', ofbUrl: undefined });
    expect(options.help || options.config.dataDir).toBe('.symphony/docs');
  });

  it('reads flags before the environment', () => {
    const options = parseServerOptions(['--port', '0', '--data-dir', '/tmp/x', '--static', 'client/dist'], {
      PORT: '9999',
      SYMPHONY_ALLOWED_HOSTS: 'a.example, b.example',
    });
    expect(options.help).toBe(false);
    if (options.help) return;
    expect(options.config).toMatchObject({
      port: 0,
      dataDir: '/tmp/x/docs',
      staticDir: 'client/dist',
      allowedHosts: ['a.example', 'b.example'],
    });
  });

  it('answers --help, and refuses bad usage with a UsageError', () => {
    expect(parseServerOptions(['--help'], {})).toEqual({ help: true });
    expect(() => parseServerOptions(['--storage', 'tape'], {})).toThrow(UsageError);
    expect(() => parseServerOptions(['--storage', 'fs', '--ofb-url', 'http://x'], {})).toThrow(
      /exclude each other/,
    );
    expect(() => parseServerOptions(['--no-such-flag'], {})).toThrow(UsageError);
    expect(() => parseServerOptions(['--port', 'many'], {})).toThrow(/invalid settings/);
  });
});
