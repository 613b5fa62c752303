// Tests of validate-json: JSON that does not parse, a schema that is not one, errors listed with
// their instance paths, drafts, and schema patterns run in the sandbox.
import { describe, expect, it } from 'vitest';
import { stepContext } from './fake-context.js';
import { StepError } from './Step.js';
import { validateJsonStep } from './validate-json.js';

const step = validateJsonStep({ testBudgetMs: 200 });

async function run(text: string, schema: unknown = '') {
  const params = { schema: typeof schema === 'string' ? schema : JSON.stringify(schema) };
  return step.run(stepContext({ params, inputs: { text: [text] } }));
}

async function failure(text: string, schema: unknown = ''): Promise<StepError> {
  const error = await run(text, schema).catch((e: unknown) => e);
  if (!(error instanceof StepError)) throw new Error(`expected a StepError, got ${String(error)}`);
  return error;
}

const person = {
  type: 'object',
  required: ['name', 'tags'],
  properties: {
    name: { type: 'string' },
    tags: { type: 'array', items: { type: 'string', pattern: '^[a-z]+$' } },
  },
};

describe('validate-json', () => {
  it('outputs the parsed JSON, with or without a schema', async () => {
    expect(await run('{"a": [1, 2]}')).toEqual({ json: { a: [1, 2] } });
    expect(await run('{"name": "Ada", "tags": ["math"]}', person)).toEqual({
      json: { name: 'Ada', tags: ['math'] },
    });
  });

  it('fails on input that is not JSON, saying where', async () => {
    const error = await failure('{"a": ');
    expect(error.code).toBe('invalid_json');
    expect(error.message).toMatch(/^validate-json: the input is not JSON: /);
  });

  it('lists every mismatch with its instance path', async () => {
    const error = await failure('{"name": 7, "tags": ["ok", "NOT"]}', person);
    expect(error.code).toBe('invalid_json');
    expect(error.message).toContain('/name: must be string');
    expect(error.message).toContain('/tags/1: must match pattern "^[a-z]+$"');
    expect(error.details?.errors).toHaveLength(2);
  });

  it('refuses a schema that is not a JSON Schema, clearly', async () => {
    const error = await failure('{}', { type: 'nonsense' });
    expect(error.code).toBe('invalid_json');
    expect(error.message).toMatch(/schema is not a valid JSON Schema/);
    const badPattern = await failure('"x"', { type: 'string', pattern: '(' });
    expect(badPattern.code).toBe('invalid_json');
    expect(badPattern.message).toMatch(/pattern "\(" does not parse/);
  });

  it('follows the draft the schema declares (draft-07 here), 2020-12 otherwise', async () => {
    const draft7 = { $schema: 'http://json-schema.org/draft-07/schema#', items: [{ type: 'number' }] };
    expect((await failure('["x"]', draft7)).message).toContain('/0: must be number');
    const draft2020 = { prefixItems: [{ type: 'number' }] };
    expect((await failure('["x"]', draft2020)).message).toContain('/0: must be number');
  });

  it('stops a catastrophic pattern in the schema, and validates the next input fine', async () => {
    const evil = { type: 'string', pattern: '^(a+)+$' };
    const error = await failure(JSON.stringify(`${'a'.repeat(40)}!`), evil);
    expect(error).toMatchObject({ code: 'expression_failed', details: { reason: 'timeout' } });
    expect(error.message).toMatch(/pattern "\^\(a\+\)\+\$" ran past its time budget/);
    expect(await run('"aaa"', evil)).toEqual({ json: 'aaa' });
  });
  it('stops a schema whose $refs fan out exponentially at its budget, and validates the next input fine', async () => {
    // Each level is anyOf two $refs to the next: 2^depth paths to check. Depth 24 ran the heap out.
    const defs: Record<string, unknown> = {};
    const depth = 40;
    for (let i = 0; i < depth; i++) {
      defs[`d${i}`] = { anyOf: [{ $ref: `#/$defs/d${i + 1}` }, { $ref: `#/$defs/d${i + 1}` }] };
    }
    defs[`d${depth}`] = { type: 'string' };
    const exponential = { $ref: '#/$defs/d0', $defs: defs };
    const tight = validateJsonStep({ checkBudgetMs: 2000, checkMemoryMb: 64 });
    const params = { schema: JSON.stringify(exponential) };
    const error = await tight.run(stepContext({ params, inputs: { text: ['1'] } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepError);
    expect((error as StepError).code).toBe('invalid_json');
    expect((error as StepError).message).toMatch(
      /the JSON Schema took (more than 2 s|more memory than 64 MiB) to check; simplify it/,
    );
    expect(await run('{"name": "Ada", "tags": ["math"]}', person)).toEqual({
      json: { name: 'Ada', tags: ['math'] },
    });
  }, 60_000);

  it('is cancelled by its signal while the schema is being checked', async () => {
    const controller = new AbortController();
    controller.abort();
    const params = { schema: JSON.stringify(person) };
    const error = await step
      .run(stepContext({ params, inputs: { text: ['{}'] }, signal: controller.signal }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'cancelled' });
  });
});
