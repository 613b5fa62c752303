// Tests of the symphony-server bin's options: defaults (embedded OFB, documents under .symphony/docs,
// the orchestrator beside it), flags before the environment, --help, and UsageErrors for bad usage.
import { MONITOR_DEFAULT_PORT } from '@symphony/schemas';
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

  it('starts the orchestrator on its default port unless told otherwise', () => {
    const port = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      const options = parseServerOptions(argv, env);
      return options.help ? 'help' : options.orchestrator?.port;
    };
    expect(port([])).toBe(MONITOR_DEFAULT_PORT);
    expect(port(['--orchestrator-port', '5000'], { SYMPHONY_ORCHESTRATOR_PORT: '6000' })).toBe(5000);
    expect(port([], { SYMPHONY_ORCHESTRATOR_PORT: '6000' })).toBe(6000);
    expect(port(['--no-orchestrator'])).toBeUndefined();
    expect(port([], { SYMPHONY_ORCHESTRATOR: 'off', SYMPHONY_ORCHESTRATOR_PORT: '6000' })).toBeUndefined();
    expect(port(['--orchestrator'], { SYMPHONY_ORCHESTRATOR: 'off' })).toBe(MONITOR_DEFAULT_PORT);
    expect(port(['--storage', 'fs'])).toBeUndefined();
    expect(port(['--ofb-url', 'http://ofb.example'])).toBe(MONITOR_DEFAULT_PORT);
  });

  it('refuses orchestrator settings that cannot hold', () => {
    expect(() => parseServerOptions(['--orchestrator-port', '70000'], {})).toThrow(
      /--orchestrator-port must be a port number \(0-65535\), got "70000"/,
    );
    expect(() => parseServerOptions([], { SYMPHONY_ORCHESTRATOR_PORT: 'x' })).toThrow(UsageError);
    expect(() => parseServerOptions(['--no-orchestrator', '--orchestrator-port', '1'], {})).toThrow(
      /exclude each other/,
    );
    expect(() => parseServerOptions(['--storage', 'fs', '--orchestrator'], {})).toThrow(
      /--storage fs runs no orchestrator/,
    );
    expect(() => parseServerOptions([], { SYMPHONY_ORCHESTRATOR: 'maybe' })).toThrow(
      /SYMPHONY_ORCHESTRATOR must be on or off, got "maybe"/,
    );
  });
});
