import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CredentialStoreError, FileCredentialStore } from './FileCredentialStore.js';
import { REDACTED, redactKeyShapes, redactSecrets } from './redact.js';

const SECRET = 'sk-test-PANGOLIN-0123456789abcdef';

describe('FileCredentialStore', () => {
  let dir: string;
  let store: FileCredentialStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'symphony-credentials-'));
    store = FileCredentialStore.forEnv({ SYMPHONY_CONFIG_DIR: join(dir, 'config') });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('stores, reads, lists and removes credentials', async () => {
    expect(await store.names()).toEqual([]);
    await store.set('openai', SECRET);
    await store.set('anthropic', 'sk-ant-other-value');
    expect(await store.get('openai')).toBe(SECRET);
    expect(await store.names()).toEqual(['anthropic', 'openai']);
    expect(await store.remove('openai')).toBe(true);
    expect(await store.remove('openai')).toBe(false);
    expect(await store.get('openai')).toBeUndefined();
    expect(await store.get('constructor')).toBeUndefined();
  });

  it('creates the file 0600 in a 0700 folder, whatever the umask', async () => {
    const previous = process.umask(0o022);
    try {
      await store.set('openai', SECRET);
    } finally {
      process.umask(previous);
    }
    expect((await stat(store.location)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'config'))).mode & 0o777).toBe(0o700);
  });

  it('refuses a file group or others can read, saying how to fix it, and never shows the value', async () => {
    await store.set('openai', SECRET);
    await chmod(store.location, 0o644);
    const error = await store.get('openai').catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(CredentialStoreError);
    expect((error as Error).message).toContain(`chmod 600 ${store.location}`);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('refuses a file that is not a credentials file without quoting it', async () => {
    await store.set('openai', SECRET);
    await writeFile(store.location, JSON.stringify({ version: 1, credentials: { openai: '' } }), {
      mode: 0o600,
    });
    const error = await store.names().catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(/not a Symphony credentials file/);
  });

  it('rejects bad names and values without echoing the value', async () => {
    await expect(store.set('Bad Name', SECRET)).rejects.toThrow(/credential name/);
    const error = await store.set('ok', `${SECRET}\nsecond line`).catch((e: unknown) => e as Error);
    expect((error as Error).message).toMatch(/one line/);
    expect((error as Error).message).not.toContain(SECRET);
    await expect(store.set('ok', '')).rejects.toThrow(/empty/);
  });

  it('keeps the file valid JSON after each write (atomic replace)', async () => {
    await store.set('a', 'value-aaaaaaaa');
    await store.set('b', 'value-bbbbbbbb');
    expect(JSON.parse(await readFile(store.location, 'utf8'))).toEqual({
      version: 1,
      credentials: { a: 'value-aaaaaaaa', b: 'value-bbbbbbbb' },
    });
  });
});

describe('redaction', () => {
  it('redactSecrets replaces every occurrence of each secret', () => {
    expect(redactSecrets(`key ${SECRET} and again ${SECRET}`, [SECRET, 'short'])).toBe(
      `key ${REDACTED} and again ${REDACTED}`,
    );
  });

  it('redactKeyShapes catches keys it was not told about', () => {
    const text = `Incorrect API key provided: ${SECRET}; Authorization: Bearer abcdefgh12345678; x-api-key: zzzzzzzz99`;
    const redacted = redactKeyShapes(text);
    expect(redacted).not.toContain(SECRET);
    expect(redacted).not.toContain('abcdefgh12345678');
    expect(redacted).not.toContain('zzzzzzzz99');
    expect(redacted).toContain('Bearer [redacted]');
    expect(redactKeyShapes('no keys in this sentence')).toBe('no keys in this sentence');
  });
});
