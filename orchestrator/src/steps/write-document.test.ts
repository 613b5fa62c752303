// Tests of write-document: appends or replaces with the node's effect key as marker, so a second
// attempt of the same node in the same run writes nothing.
import { describe, expect, it } from 'vitest';
import { MemoryRunDocuments, stepContext } from './fake-context.js';
import { writeDocumentStep } from './write-document.js';

describe('write-document', () => {
  it('appends its input with the run/node marker, once per run whatever the attempts', async () => {
    const documents = new MemoryRunDocuments();
    documents.texts.set('report', 'Report.\n');
    const params = { documentId: 'report', mode: 'append' };
    const inputs = { text: ['Summary line.\n'] };
    const first = stepContext({
      params,
      inputs,
      documents,
      runId: 'run_writetest01',
      nodeId: 'w',
      attempt: 1,
    });
    expect(await writeDocumentStep.run(first)).toEqual({});
    const retry = stepContext({
      params,
      inputs,
      documents,
      runId: 'run_writetest01',
      nodeId: 'w',
      attempt: 2,
    });
    await writeDocumentStep.run(retry);
    expect(documents.texts.get('report')).toBe('Report.\nSummary line.\n');
    expect(documents.writes).toEqual([{ documentId: 'report', marker: 'run_writetest01/w' }]);
    expect(retry.reported[0]?.message).toMatch(/already written/);
    await writeDocumentStep.run(
      stepContext({ params, inputs, documents, runId: 'run_writetest02', nodeId: 'w' }),
    );
    expect(documents.texts.get('report')).toBe('Report.\nSummary line.\nSummary line.\n');
  });

  it('replaces the document in replace mode', async () => {
    const documents = new MemoryRunDocuments();
    documents.texts.set('report', 'old');
    await writeDocumentStep.run(
      stepContext({
        params: { documentId: 'report', mode: 'replace' },
        inputs: { text: ['new'] },
        documents,
      }),
    );
    expect(documents.texts.get('report')).toBe('new');
  });

  it('is an effect: never cached', () => {
    expect(writeDocumentStep.deterministic).toBe(false);
  });

  it('says how to give the run a team server, and that its input is missing', async () => {
    const noServer = await writeDocumentStep
      .run(stepContext({ params: { documentId: 'report' }, inputs: { text: ['x'] } }))
      .catch((e) => e);
    expect(noServer).toMatchObject({ code: 'document_failed' });
    expect(noServer.message).toMatch(/--server URL/);
    const noInput = await writeDocumentStep
      .run(stepContext({ params: { documentId: 'report' }, documents: new MemoryRunDocuments() }))
      .catch((e) => e);
    expect(noInput).toMatchObject({ code: 'invalid_input' });
    expect(noInput.message).toMatch(/nothing is connected to its "text" input/);
  });
});
