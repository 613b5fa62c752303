// Tests of the orchestrator child's pure parts: the restart backoff, serve's arguments for a server
// URL, and where the built CLI is looked for. The processes themselves: test/orchestrator-child.test.ts.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  locateOrchestratorBin,
  nextRestartDelay,
  OrchestratorRestart,
  orchestratorChildEnv,
  orchestratorServeArgs,
} from './orchestrator-child.js';

describe('nextRestartDelay', () => {
  it('waits 1 s after a first crash, doubles to 30 s, and starts over after a minute up', () => {
    const delays: number[] = [];
    let delay: number | undefined;
    for (let crash = 0; crash < 8; crash++) {
      delay = nextRestartDelay(delay, 100);
      delays.push(delay);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(nextRestartDelay(30_000, OrchestratorRestart.stableAfterMs - 1)).toBe(30_000);
    expect(nextRestartDelay(30_000, OrchestratorRestart.stableAfterMs)).toBe(1000);
  });
});

describe('orchestratorServeArgs', () => {
  it("lets the server's pages call it under both loopback names, with the data dir made absolute", () => {
    expect(
      orchestratorServeArgs({ serverUrl: 'http://localhost:4321', port: 4322, dataDir: '.symphony' }),
    ).toEqual([
      'serve',
      '--port',
      '4322',
      '--server',
      'http://localhost:4321',
      '--allow-origin',
      'http://localhost:4321',
      '--allow-origin',
      'http://127.0.0.1:4321',
      '--data-dir',
      resolve('.symphony'),
    ]);
  });

  it('reaches a server bound to every interface through 127.0.0.1, and names no twin for other hosts', () => {
    const args = (serverUrl: string) => orchestratorServeArgs({ serverUrl, port: 0, dataDir: '/d' });
    expect(args('http://0.0.0.0:4321')).toEqual(
      expect.arrayContaining([
        '--server',
        'http://127.0.0.1:4321',
        '--allow-origin',
        'http://localhost:4321',
      ]),
    );
    const lan = args('http://192.168.1.5:4321');
    expect(lan.filter((arg) => arg === '--allow-origin')).toHaveLength(1);
    expect(lan).toContain('http://192.168.1.5:4321');
  });
});

describe('locateOrchestratorBin', () => {
  it('takes SYMPHONY_ORCHESTRATOR_BIN, and says where it looked when that is missing', () => {
    expect(locateOrchestratorBin({ SYMPHONY_ORCHESTRATOR_BIN: '/no/such/cli.js' })).toEqual({
      missing: ['/no/such/cli.js'],
    });
    expect(locateOrchestratorBin({ SYMPHONY_ORCHESTRATOR_BIN: import.meta.filename })).toEqual({
      found: import.meta.filename,
    });
  });

  it("finds the workspace's orchestrator/dist/cli.js without importing it", () => {
    const cli = resolve(import.meta.dirname, '../../orchestrator/dist/cli.js');
    expect(locateOrchestratorBin({})).toEqual(existsSync(cli) ? { found: cli } : { missing: [cli] });
  });
});

describe('orchestratorChildEnv', () => {
  it("keeps the team server's SYMPHONY_ALLOWED_ORIGINS (its websockets' sites) from the orchestrator", () => {
    const env = { PATH: '/bin', SYMPHONY_ALLOWED_ORIGINS: '*', SYMPHONY_ORCHESTRATOR_USERS: 'ada' };
    expect(orchestratorChildEnv(env)).toEqual({ PATH: '/bin', SYMPHONY_ORCHESTRATOR_USERS: 'ada' });
  });
});
