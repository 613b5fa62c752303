import { InstrumentFailure } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import anthropicMessages from './anthropic-messages.js';
import { DISTINCTIVE_KEY, runInstrumentModuleTests } from './testing/acceptance.js';
import { fakeCall, hostFetch } from './testing/fake-call.js';
import { ProviderTestServer } from './testing/provider-server.js';

const credential = { header: 'x-api-key' } as const;

runInstrumentModuleTests({
  name: 'anthropic-messages',
  module: anthropicMessages,
  baseUrl: (server) => server.anthropicBaseUrl,
  credential,
  messageTexts: (body) => {
    const b = body as { system?: string; messages: { content: string }[] };
    return [b.system ?? '', ...b.messages.map((m) => m.content)];
  },
});

describe('anthropic-messages specifics', () => {
  let server: ProviderTestServer;
  beforeAll(async () => {
    server = await ProviderTestServer.start({ apiKey: DISTINCTIVE_KEY });
  });
  afterAll(() => server.close());

  it('sends the system prompt apart, max_tokens, and the anthropic-version header', async () => {
    server.answerWith('ok');
    const fake = fakeCall({
      nodeType: 'llm-prompt',
      params: { model: 'claude-sonnet', prompt: 'hi', maxTokens: 77 },
      config: {
        instrument: 'anthropic',
        baseUrl: server.anthropicBaseUrl,
        models: { 'claude-sonnet': 'claude-sonnet-4-5' },
      },
      fetch: hostFetch({ ...credential, value: DISTINCTIVE_KEY }),
    });
    const result = await anthropicMessages.run(fake.call);
    const request = server.requests.at(-1)!;
    expect(request.headers['anthropic-version']).toBeTruthy();
    expect(request.body).toMatchObject({ model: 'claude-sonnet-4-5', max_tokens: 77, stream: true });
    expect(typeof (request.body as { system: unknown }).system).toBe('string');
    expect(result.usage?.costUsd).toBeGreaterThan(0);
  });

  it('refuses embed: Anthropic has no embeddings endpoint', async () => {
    const fake = fakeCall({
      nodeType: 'embed',
      params: { model: 'text-embedding-3-small' },
      inputs: { text: ['x'] },
      config: {
        instrument: 'anthropic',
        baseUrl: server.anthropicBaseUrl,
        models: { 'text-embedding-3-small': 'x' },
      },
      fetch: hostFetch({ ...credential, value: DISTINCTIVE_KEY }),
    });
    await expect(anthropicMessages.run(fake.call)).rejects.toMatchObject({
      retryable: false,
      details: { reason: InstrumentFailure.refused },
    });
  });
});
