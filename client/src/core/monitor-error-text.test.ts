import { describe, expect, it } from 'vitest';
import { MonitorApi, MonitorApiError } from '../monitor/monitor-api.js';
import { monitorErrorText } from './monitor-error-text.js';

describe('monitorErrorText', () => {
  it('says how to start the orchestrator when none answers', async () => {
    const api = new MonitorApi(
      'http://127.0.0.1:9',
      () => 't',
      () => Promise.reject(new TypeError('fetch failed')),
    );
    const error = await api.artifact('a'.repeat(64)).catch((e: unknown) => e);
    expect(monitorErrorText(error)).toBe(
      'No orchestrator answers at http://127.0.0.1:9: start it with "npm start" (or "npx symphony serve").',
    );
  });

  it('says a 404 is not found or not the person’s to read, whatever the message', async () => {
    const body = { error: { code: 'not_found', category: 'not_found', message: 'no artifact aaaa' } };
    const api = new MonitorApi(
      'http://o',
      () => 't',
      async () => Response.json(body, { status: 404 }),
    );
    expect(monitorErrorText(await api.artifact('a'.repeat(64)).catch((e: unknown) => e))).toBe(
      'Not found, or not yours to read.',
    );
  });

  it('asks to sign in again for a refused token, and gives other refusals as sentences', () => {
    expect(monitorErrorText(new MonitorApiError('refused', 'bad', 401, 'invalid_token'))).toMatch(
      /sign in again/,
    );
    expect(
      monitorErrorText(new MonitorApiError('refused', 'the query does not fit', 422, 'invalid_request')),
    ).toBe('The query does not fit.');
    expect(monitorErrorText(new Error('boom'))).toBe('Something went wrong: boom.');
  });
});
