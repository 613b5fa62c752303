import { describe, expect, it } from 'vitest';
import { failureOfStatus, retryAfterMs } from './errors.js';
import { CHAT_NODE_TYPES, chatOutputs, chatPrompt, keywordList, matchLabel, unfence } from './prompts.js';

const headers = (values: Record<string, string>) => new Headers(values);

describe('prompts', () => {
  it('builds a prompt for every chat node type from its default params', () => {
    const inputs = { text: ['some text'], code: ['x = 1'], context: ['ctx'] };
    const extra: Record<string, Record<string, unknown>> = {
      'llm-prompt': { prompt: 'Do it.' },
      translate: { targetLanguage: 'German' },
      classify: { labels: ['a', 'b'] },
    };
    for (const type of CHAT_NODE_TYPES) {
      const prompt = chatPrompt(type, { model: 'gpt-4o', ...extra[type] }, inputs);
      expect(prompt.system.length, type).toBeGreaterThan(20);
      expect(prompt.maxTokens, type).toBeGreaterThan(0);
    }
  });

  it('llm-prompt puts each connected context before the prompt, in edge order', () => {
    const { user } = chatPrompt('llm-prompt', { prompt: 'Answer.' }, { context: ['first', { a: 1 }] });
    expect(user.indexOf('first')).toBeLessThan(user.indexOf('"a": 1'));
    expect(user.endsWith('Answer.')).toBe(true);
    expect(chatPrompt('llm-prompt', { prompt: 'Alone.' }, {}).user).toBe('Alone.');
  });

  it('fences code with a fence longer than any backticks inside it', () => {
    const { user } = chatPrompt('review-code', {}, { code: ['const s = ```;'] });
    expect(user).toContain('````\nconst s = ```;\n````');
  });

  it('fails invalid_input when a required input is missing or params are wrong', () => {
    expect(() => chatPrompt('summarize', {}, {})).toThrow(expect.objectContaining({ code: 'invalid_input' }));
    expect(() => chatPrompt('classify', { labels: ['only'] }, { text: ['x'] })).toThrow(/two labels/);
  });

  it('matches a label case-insensitively, through decoration and explanation, and refuses ambiguity', () => {
    const labels = ['Positive', 'negative', 'very negative'];
    expect(matchLabel('positive', labels)).toBe('Positive');
    expect(matchLabel('**NEGATIVE**.', labels)).toBe('negative');
    expect(matchLabel('Label: "very negative"', labels)).toBe('very negative');
    expect(matchLabel('I would say positive overall', labels)).toBe('Positive');
    expect(matchLabel('positive or negative', labels)).toBeUndefined();
    expect(matchLabel('neutral', labels)).toBeUndefined();
  });

  it('lists keywords from lines or commas, without bullets, numbers or repeats', () => {
    expect(keywordList('1. Alpha\n2) beta\n- alpha\n* "Gamma ray".')).toEqual(['Alpha', 'beta', 'Gamma ray']);
    expect(keywordList('one, two, three')).toEqual(['one', 'two', 'three']);
  });

  it('unfences a generated test file, and leaves unfenced text alone', () => {
    expect(unfence('Here:\n```ts\nit("x")\n```\n')).toBe('it("x")');
    expect(unfence('it("x")')).toBe('it("x")');
  });

  it('an empty answer is malformed', () => {
    expect(() => chatOutputs('summarize', {}, '  \n', 1)).toThrow(
      expect.objectContaining({ retryable: true }),
    );
    expect(() => chatOutputs('summarize', {}, '', 2)).toThrow(expect.objectContaining({ retryable: false }));
  });
});

describe('provider errors', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('reads retry-after-ms, retry-after seconds and retry-after dates', () => {
    expect(retryAfterMs(headers({ 'retry-after-ms': '250.4', 'retry-after': '9' }), now)).toBe(250);
    expect(retryAfterMs(headers({ 'retry-after': '3' }), now)).toBe(3000);
    expect(retryAfterMs(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }), now)).toBe(7000);
    expect(retryAfterMs(headers({ 'retry-after': 'Wed, 31 Dec 2025 00:00:00 GMT' }), now)).toBe(0);
    expect(retryAfterMs(headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(retryAfterMs(headers({}), now)).toBeUndefined();
  });

  it('names each status', () => {
    expect([429, 401, 403, 500, 503, 529, 400, 404, 422].map(failureOfStatus)).toEqual([
      'rateLimited',
      'unauthorized',
      'unauthorized',
      'serverError',
      'serverError',
      'serverError',
      'refused',
      'refused',
      'refused',
    ]);
  });
});
