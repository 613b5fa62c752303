// `symphony credentials` and `symphony instruments` through main(), as a user runs them.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../cli/io.js';
import { main } from '../main.js';

const SECRET = 'sk-test-AXOLOTL-9876543210fedcba';

describe('symphony credentials / instruments', () => {
  let dir: string;
  let out: string[];
  let err: string[];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'symphony-cli-credentials-'));
    out = [];
    err = [];
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const io = (stdin?: string): CliIo => ({
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    stderrIsTty: false,
    env: { SYMPHONY_CONFIG_DIR: dir },
    ...(stdin === undefined ? {} : { stdin: Readable.from([Buffer.from(stdin)]) }),
  });
  const printed = () => out.join('') + err.join('');

  it('set --stdin stores the value, says where, and never prints it; ls shows names only; rm forgets', async () => {
    expect(await main(['credentials', 'set', 'openai', '--stdin'], io(`${SECRET}\n`))).toBe(0);
    expect(printed()).toContain(join(dir, 'credentials.json'));
    expect(printed()).not.toContain(SECRET);
    expect((await stat(join(dir, 'credentials.json'))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8')).credentials.openai).toBe(SECRET);

    out = [];
    expect(await main(['credentials', 'ls'], io())).toBe(0);
    expect(out.join('')).toBe('openai\n');
    expect(printed()).not.toContain(SECRET);

    expect(await main(['credentials', 'rm', 'openai'], io())).toBe(0);
    expect(await main(['credentials', 'rm', 'openai'], io())).toBe(1);
    expect(printed()).not.toContain(SECRET);
  });

  it('refuses an empty value and, without a terminal, a missing --stdin', async () => {
    expect(await main(['credentials', 'set', 'openai', '--stdin'], io('\n'))).toBe(2);
    expect(err.join('')).toMatch(/empty/);
    expect(await main(['credentials', 'set', 'openai'], io())).toBe(2);
    expect(err.join('')).toMatch(/--stdin/);
    expect(await main(['credentials', 'set', 'Bad Name', '--stdin'], io(SECRET))).toBe(2);
    expect(printed()).not.toContain(SECRET);
  });

  it('instruments add / ls / rm keep instruments.json and flag an unset credential', async () => {
    const add = [
      'instruments',
      'add',
      'openai',
      '--api',
      'openai-chat',
      '--base-url',
      'https://api.openai.com/v1',
      '--credential',
      'openai',
      '--model',
      'gpt-4o=gpt-4o',
      '--model',
      'local-llama=llama3.1:8b',
      '--price',
      'llama3.1:8b=0/0',
    ];
    expect(await main(add, io())).toBe(0);
    expect(err.join('')).toContain('symphony credentials set openai');
    const file = JSON.parse(await readFile(join(dir, 'instruments.json'), 'utf8'));
    expect(file.instruments[0]).toMatchObject({
      id: 'openai',
      api: 'openai-chat',
      credential: 'openai',
      models: { 'gpt-4o': 'gpt-4o', 'local-llama': 'llama3.1:8b' },
      prices: { 'llama3.1:8b': { inputPerMTok: 0, outputPerMTok: 0 } },
    });
    expect(await main(add, io())).toBe(1);
    expect(await main([...add, '--replace'], io())).toBe(0);

    out = [];
    expect(await main(['instruments', 'ls'], io())).toBe(0);
    expect(out.join('')).toMatch(
      /openai {2}openai-chat {2}https:\/\/api\.openai\.com\/v1 {2}credential openai \(not set\)/,
    );
    expect(out.join('')).toContain('local-llama=llama3.1:8b');

    expect(await main(['instruments', 'rm', 'openai'], io())).toBe(0);
    expect(await main(['instruments', 'rm', 'openai'], io())).toBe(1);
  });

  it('instruments add refuses bad input with exit 2', async () => {
    const base = [
      'instruments',
      'add',
      'x',
      '--api',
      'openai-chat',
      '--base-url',
      'http://localhost:11434/v1',
    ];
    expect(await main(base, io())).toBe(2);
    expect(err.join('')).toMatch(/at least one model/);
    expect(await main([...base, '--model', 'no-such-model=x'], io())).toBe(2);
    expect(await main([...base, '--model', 'gpt-4o=x', '--price', 'x=cheap'], io())).toBe(2);
    expect(
      await main(
        ['instruments', 'add', 'x', '--api', 'soap', '--base-url', 'http://h/v1', '--model', 'gpt-4o=x'],
        io(),
      ),
    ).toBe(2);
  });

  it('help lists both commands and their subcommands', async () => {
    expect(await main(['help'], io())).toBe(0);
    expect(out.join('')).toContain('credentials set | ls | rm');
    expect(out.join('')).toContain('instruments add | ls | rm | stats | rate');
    expect(await main(['help', 'instruments', 'add'], io())).toBe(0);
    expect(await main(['help', 'credentials', 'set'], io())).toBe(0);
  });
});
