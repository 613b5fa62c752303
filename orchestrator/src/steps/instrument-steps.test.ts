// Tests of the local-capable steps' dispatch: the local model runs on the LocalInstrument given,
// any other model fails with needs_instrument before the instrument is touched.
import { describe, expect, it } from 'vitest';
import type { LocalInstrument } from '../instrument/LocalInstrument.js';
import { stepContext } from './fake-context.js';
import { localInstrumentSteps } from './instrument-steps.js';

/** A LocalInstrument that records its calls and answers with fixed values. */
class RecordingInstrument implements LocalInstrument {
  readonly calls: string[] = [];
  async summarize(text: string, options: { length: string; focus: string }) {
    this.calls.push(`summarize:${options.length}:${options.focus}`);
    return `summary of ${text}`;
  }
  async keywords(_text: string, count: number) {
    this.calls.push(`keywords:${count}`);
    return ['one', 'two'].slice(0, count);
  }
  async classify(_text: string, labels: readonly string[]) {
    this.calls.push(`classify:${labels.join(',')}`);
    return { label: labels[0] ?? '', scores: labels.map(() => 0), matched: false };
  }
  async embed(_text: string, dimensions: number) {
    this.calls.push(`embed:${dimensions}`);
    return new Array<number>(dimensions).fill(0);
  }
}

function stepsOn(instrument: LocalInstrument) {
  return new Map(localInstrumentSteps(instrument).map((s) => [s.type, s]));
}

describe('local instrument steps', () => {
  it('run the local model on the instrument, with the node’s params and defaults', async () => {
    const instrument = new RecordingInstrument();
    const steps = stepsOn(instrument);
    const text = { text: ['hello'] };
    expect(
      await steps.get('summarize')?.run(stepContext({ params: { length: 'short' }, inputs: text })),
    ).toEqual({
      summary: 'summary of hello',
    });
    expect(await steps.get('extract-keywords')?.run(stepContext({ inputs: text }))).toEqual({
      keywords: ['one', 'two'],
    });
    expect(await steps.get('embed')?.run(stepContext({ params: { dimensions: 16 }, inputs: text }))).toEqual({
      embedding: new Array(16).fill(0),
    });
    expect(instrument.calls).toEqual(['summarize:short:', 'keywords:10', 'embed:16']);
  });

  it('say so when classify found none of the labels’ words', async () => {
    const context = stepContext({ params: { labels: ['alpha', 'beta'] }, inputs: { text: ['x'] } });
    expect(await stepsOn(new RecordingInstrument()).get('classify')?.run(context)).toEqual({
      label: 'alpha',
    });
    expect(context.reported).toEqual([
      { message: `no label's words occur in the text; chose the first label, "alpha"` },
    ]);
  });

  it('fail a remote model with needs_instrument, without calling the instrument', async () => {
    const instrument = new RecordingInstrument();
    const steps = stepsOn(instrument);
    for (const [type, model] of [
      ['summarize', 'claude-haiku'],
      ['classify', 'gpt-4o'],
      ['extract-keywords', 'claude-sonnet'],
      ['embed', 'text-embedding-3-large'],
    ] as const) {
      const params = { model, labels: ['a', 'b'] };
      const error = await steps
        .get(type)
        ?.run(stepContext({ params, inputs: { text: ['x'] } }))
        .catch((e) => e);
      expect(error, type).toMatchObject({ code: 'needs_instrument', details: { nodeType: type, model } });
      expect(error.message, type).toContain(`with model "${model}" needs an AI instrument; configure one`);
    }
    expect(instrument.calls).toEqual([]);
  });

  it('fail without a connected text, and when cancelled', async () => {
    const steps = stepsOn(new RecordingInstrument());
    expect(
      await steps
        .get('summarize')
        ?.run(stepContext({}))
        .catch((e) => e),
    ).toMatchObject({ code: 'invalid_input' });
    const controller = new AbortController();
    controller.abort();
    const cancelled = await steps
      .get('summarize')
      ?.run(stepContext({ inputs: { text: ['x'] }, signal: controller.signal }))
      .catch((e) => e);
    expect(cancelled).toMatchObject({ code: 'cancelled' });
  });
});
