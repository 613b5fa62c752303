// Tests of builtinSteps: a step for every node type that runs, each versioned, and the remote-only
// types failing with needs_instrument. The built-in templates on these steps: templates.test.ts.
import { NodeKind, NodeLibrary } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { stepContext } from './fake-context.js';
import { BuiltinStepsError, builtinSteps, runsAsStep } from './index.js';
import { REMOTE_ONLY_TYPES } from './needs-instrument.js';

const steps = builtinSteps();

describe('builtinSteps', () => {
  it('has a step for every node type that runs, and none for notes and groups', () => {
    for (const spec of NodeLibrary.values()) {
      expect(steps.has(spec.type), spec.type).toBe(spec.kind !== NodeKind.addon);
      expect(runsAsStep(spec.type), spec.type).toBe(spec.kind !== NodeKind.addon);
    }
    expect([...steps.keys()].every((type) => NodeLibrary.has(type))).toBe(true);
  });

  it('refuses options it does not know, with a named error', () => {
    expect(() => builtinSteps({ readCode: { maxBytes: -1 } })).toThrow(BuiltinStepsError);
    expect(() => builtinSteps({ sandbox: {} as never })).toThrow(/sandbox must be an ExpressionSandbox/);
  });

  it('gives every step a version and says whether it is deterministic', () => {
    for (const step of steps.values()) {
      expect(step.version, step.type).toMatch(/^\d+/);
      expect(typeof step.deterministic, step.type).toBe('boolean');
    }
    for (const type of ['read-document', 'write-document', 'read-code'])
      expect(steps.get(type)?.deterministic).toBe(false);
    for (const type of ['summarize', 'classify', 'extract-keywords', 'embed']) {
      expect(steps.get(type)?.label, type).toBe('local, non-neural');
    }
  });

  it('fails node types that need a remote model with needs_instrument, naming the model', async () => {
    for (const type of REMOTE_ONLY_TYPES) {
      const spec = NodeLibrary.get(type);
      const params = { ...spec?.defaults, prompt: 'Say hi' };
      const error = await steps
        .get(type)
        ?.run(stepContext({ params, inputs: { text: ['x'], code: ['x'] } }))
        .catch((e) => e);
      expect(error, type).toMatchObject({ code: 'needs_instrument', retryable: false });
      expect(error.message, type).toMatch(
        /with model "claude-sonnet" needs an AI instrument; configure one with "symphony instruments add"$/,
      );
    }
    const remote = await steps
      .get('summarize')
      ?.run(stepContext({ params: { model: 'gpt-4o' }, inputs: { text: ['x'] } }))
      .catch((e) => e);
    expect(remote).toMatchObject({ code: 'needs_instrument', details: { model: 'gpt-4o' } });
    expect(remote.message).toMatch(
      /Summarize with model "gpt-4o" needs an AI instrument; configure one with "symphony instruments add" \(or choose the Local model\)/,
    );
  });

  it('runs the local-capable types on the local instrument by default', async () => {
    const run = (type: string, params: Record<string, unknown> = {}) =>
      steps
        .get(type)
        ?.run(
          stepContext({ params, inputs: { text: ['The build fails with an error. Please fix the crash.'] } }),
        );
    expect(await run('summarize')).toEqual({
      summary: 'The build fails with an error. Please fix the crash.',
    });
    expect(await run('classify', { labels: ['bug', 'feature'] })).toEqual({ label: 'bug' });
    expect((await run('extract-keywords', { count: 2 }))?.keywords).toHaveLength(2);
    expect((await run('embed', { dimensions: 32 }))?.embedding).toHaveLength(32);
  });

  it('gives instrument nodes as long as the slowest configured instrument may take, never less than the default', () => {
    const remote = (callTimeoutMs: number) => ({ run: async () => ({}), callTimeoutMs });
    const slow = builtinSteps({ remote: remote(3_600_000) });
    for (const type of ['llm-prompt', 'summarize', 'translate', 'embed'])
      expect(slow.get(type)?.timeoutMs, type).toBe(3_600_000);
    const quick = builtinSteps({ remote: remote(120_000) });
    expect(quick.get('llm-prompt')?.timeoutMs).toBeUndefined();
    expect(builtinSteps().get('summarize')?.timeoutMs).toBeUndefined();
  });
});
