import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InstrumentConfig } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { instrumentExtension, networkGrantOf } from './builtin.js';
import { InstrumentCallConfig } from './call-config.js';

describe('instrumentExtension', () => {
  it('grants exactly the base URL host and the credential header of its wire format', () => {
    const openai = instrumentExtension(
      InstrumentConfig.parse({
        id: 'openai',
        api: 'openai-chat',
        baseUrl: 'https://api.openai.com/v1',
        credential: 'openai',
        models: { 'gpt-4o': 'gpt-4o' },
      }),
    );
    expect(openai.manifest).toMatchObject({
      id: 'symphony.openai.openai',
      kind: 'instrument',
      entry: 'instruments/openai-chat.js',
      nodeTypes: [],
      permissions: {
        network: ['api.openai.com'],
        credentials: [
          { name: 'openai', header: 'authorization', prefix: 'Bearer ', hosts: ['api.openai.com'] },
        ],
        read: [],
        write: [],
        env: [],
      },
    });
    expect(openai.builtin).toBe(true);
    expect(InstrumentCallConfig.parse(openai.config)).toMatchObject({
      instrument: 'openai',
      baseUrl: 'https://api.openai.com/v1',
      models: { 'gpt-4o': 'gpt-4o' },
      timeoutMs: 120_000,
    });
    // The compiled modules sit beside the compiled builtin.js; from source, the .ts beside this one.
    expect(
      existsSync(join(openai.folder, 'instruments', 'openai-chat.ts')) ||
        existsSync(join(openai.folder, 'instruments', 'openai-chat.js')),
    ).toBe(true);

    const local = instrumentExtension(
      InstrumentConfig.parse({
        id: 'anthropic-local',
        api: 'anthropic-messages',
        baseUrl: 'http://127.0.0.1:8080',
        credential: 'anthropic',
        models: { 'claude-sonnet': 'claude-sonnet-4-5' },
      }),
      'claude-sonnet-4-5',
    );
    expect(local.manifest.permissions.network).toEqual(['127.0.0.1:8080']);
    expect(local.manifest.permissions.credentials).toEqual([
      { name: 'anthropic', header: 'x-api-key', prefix: '', hosts: ['127.0.0.1:8080'] },
    ]);
    expect(local.config.model).toBe('claude-sonnet-4-5');
  });

  it('grants no credential to an instrument without one (a local Ollama)', () => {
    const ollama = instrumentExtension(
      InstrumentConfig.parse({
        id: 'ollama',
        api: 'openai-chat',
        baseUrl: 'http://localhost:11434/v1',
        models: { 'local-llama': 'llama3.1:8b' },
      }),
    );
    expect(ollama.manifest.permissions).toMatchObject({ network: ['localhost:11434'], credentials: [] });
  });

  it('writes hosts as the network grant format does', () => {
    expect(networkGrantOf('https://API.Example.com:8443/v1')).toBe('api.example.com:8443');
    expect(networkGrantOf('http://[::1]:11434/v1')).toBe('[::1]:11434');
  });
});
