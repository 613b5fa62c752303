import { InstrumentFailure } from '@symphony/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import openAiChat from './openai-chat.js';
import { DISTINCTIVE_KEY, runInstrumentModuleTests } from './testing/acceptance.js';
import { fakeCall, hostFetch } from './testing/fake-call.js';
import { countTokens, ProviderTestServer, testEmbedding } from './testing/provider-server.js';

const credential = { header: 'authorization', prefix: 'Bearer ' } as const;

runInstrumentModuleTests({
  name: 'openai-chat',
  module: openAiChat,
  baseUrl: (server) => server.openAiBaseUrl,
  credential,
  messageTexts: (body) => (body as { messages: { content: string }[] }).messages.map((m) => m.content),
});

describe('openai-chat embed', () => {
  let server: ProviderTestServer;
  beforeAll(async () => {
    server = await ProviderTestServer.start({ apiKey: DISTINCTIVE_KEY });
  });
  afterAll(() => server.close());

  const embedCall = (model: string, dimensions: number) =>
    fakeCall({
      nodeType: 'embed',
      params: { model, dimensions },
      inputs: { text: ['a small red boat'] },
      config: {
        instrument: 'openai',
        baseUrl: server.openAiBaseUrl,
        models: { 'text-embedding-3-small': 'text-embedding-3-small', 'local-minilm': 'all-minilm' },
      },
      fetch: hostFetch({ ...credential, value: DISTINCTIVE_KEY }),
    });

  it('outputs the embeddings endpoint vector, asking for the dimensions, priced by the default table', async () => {
    const result = await openAiChat.run(embedCall('text-embedding-3-small', 16).call);
    const embedding = result.outputs.embedding as number[];
    expect(embedding).toHaveLength(16);
    expect(embedding).toEqual(testEmbedding('a small red boat', 16));
    expect(server.requests.at(-1)?.body).toMatchObject({ dimensions: 16, encoding_format: 'float' });
    const tokens = countTokens('a small red boat');
    expect(result.usage).toMatchObject({
      model: 'text-embedding-3-small',
      inputTokens: tokens,
      outputTokens: 0,
    });
    expect(result.usage?.costUsd).toBeCloseTo((tokens * 0.02) / 1_000_000, 15);
  });

  it('does not send dimensions to a model that does not take them', async () => {
    const result = await openAiChat.run(embedCall('local-minilm', 64).call);
    expect(server.requests.at(-1)?.body).not.toHaveProperty('dimensions');
    expect((result.outputs.embedding as number[]).length).toBe(8);
    expect(result.usage?.costUsd).toBeUndefined();
  });

  it('a 500 from the embeddings endpoint is retryable', async () => {
    server.failNext({ kind: '500' });
    await expect(openAiChat.run(embedCall('text-embedding-3-small', 16).call)).rejects.toMatchObject({
      retryable: true,
      details: { reason: InstrumentFailure.serverError },
    });
  });
});
