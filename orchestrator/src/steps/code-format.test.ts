// Tests of code-format: Prettier's output for each language, and syntax errors with line and column.
import { describe, expect, it } from 'vitest';
import { codeFormatStep } from './code-format.js';
import { stepContext } from './fake-context.js';

const step = codeFormatStep();

async function format(code: string, language: string) {
  return step.run(stepContext({ params: { language }, inputs: { code: [code] } }));
}

describe('code-format', () => {
  it('formats each language with its parser', async () => {
    expect(await format('const  a = {b:1}', 'typescript')).toEqual({ code: 'const a = { b: 1 };\n' });
    expect(await format('let x=(y)=>y*2', 'javascript')).toEqual({ code: 'let x = (y) => y * 2;\n' });
    expect(await format('{"a":1,"b":[1,2]}', 'json')).toEqual({ code: '{ "a": 1, "b": [1, 2] }\n' });
    expect(await format('a{color:red}', 'css')).toEqual({ code: 'a {\n  color: red;\n}\n' });
    expect(await format('# Title\n* one\n* two', 'markdown')).toEqual({ code: '# Title\n\n- one\n- two\n' });
  });

  it('fails on a syntax error with its line and column', async () => {
    const error = await format('const ok = 1;\nconst a = {b:', 'typescript').catch((e) => e);
    expect(error).toMatchObject({ code: 'invalid_input', details: { line: 2 } });
    expect(error.message).toMatch(/^code-format: the typescript does not parse at line 2, column \d+: /);
  });

  it('is versioned by Prettier’s version', () => {
    expect(step.version).toMatch(/^1\+prettier\.\d+\.\d+\.\d+$/);
    expect(step.deterministic).toBe(true);
  });
});
