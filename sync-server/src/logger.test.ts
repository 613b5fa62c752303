// Tests of repeatLimited, the logger that lets a message through a few times per window and reports
// how many it dropped.
import { describe, expect, it } from 'vitest';
import { type Logger, repeatLimited } from './logger.js';

function recorder(): Logger & { lines: [string, string, Record<string, unknown> | undefined][] } {
  const lines: [string, string, Record<string, unknown> | undefined][] = [];
  return {
    lines,
    info: (m, f) => lines.push(['info', m, f]),
    warn: (m, f) => lines.push(['warn', m, f]),
    error: (m, f) => lines.push(['error', m, f]),
  };
}

describe('repeatLimited', () => {
  it('logs a message at most `burst` times per window and reports how many it dropped', () => {
    const sink = recorder();
    let clock = 0;
    const log = repeatLimited(sink, { burst: 3, windowMs: 1000 }, () => clock);
    for (let i = 0; i < 100; i++) log.warn('dropped awareness', { i });
    log.info('other', {});
    expect(sink.lines.map(([level, m]) => `${level} ${m}`)).toEqual([
      'warn dropped awareness',
      'warn dropped awareness',
      'warn dropped awareness',
      'info other',
    ]);
    clock = 1000;
    log.warn('dropped awareness', { i: 100 });
    expect(sink.lines.at(-1)).toEqual(['warn', 'dropped awareness', { i: 100, suppressed: 97 }]);
    for (let i = 0; i < 5; i++) log.warn('dropped awareness');
    log.flush();
    expect(sink.lines.at(-1)).toEqual(['warn', 'dropped awareness', { suppressed: 3 }]);
    log.flush();
    expect(sink.lines).toHaveLength(8);
  });

  it('counts each level and message apart', () => {
    const sink = recorder();
    const log = repeatLimited(sink, { burst: 1, windowMs: 1000 }, () => 0);
    log.warn('a');
    log.error('a');
    log.warn('b');
    log.warn('a');
    expect(sink.lines.map(([level, m]) => `${level} ${m}`)).toEqual(['warn a', 'error a', 'warn b']);
  });
});
