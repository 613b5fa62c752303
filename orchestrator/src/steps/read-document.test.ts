// Tests of read-document: the document's text through the run's documents, and a clear error when
// the run has no team server.
import type { DocumentId } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { MemoryRunDocuments, stepContext } from './fake-context.js';
import { readDocumentStep } from './read-document.js';
import { StepError } from './Step.js';

describe('read-document', () => {
  it('outputs the document’s whole text, and is never cached', async () => {
    const documents = new MemoryRunDocuments();
    documents.texts.set('notes', 'Meeting notes.\n\nSecond paragraph.');
    const out = await readDocumentStep.run(stepContext({ params: { documentId: 'notes' }, documents }));
    expect(out).toEqual({ document: 'Meeting notes.\n\nSecond paragraph.' });
    expect(readDocumentStep.deterministic).toBe(false);
  });

  it('says how to give the run a team server when it has none', async () => {
    const error = await readDocumentStep
      .run(stepContext({ params: { documentId: 'notes' } }))
      .catch((e) => e);
    expect(error).toBeInstanceOf(StepError);
    expect(error).toMatchObject({ code: 'document_failed', retryable: false });
    expect(error.message).toMatch(/--server URL.*symphony login/);
  });

  it('refuses a document id that is not one', async () => {
    const documents = new MemoryRunDocuments();
    const error = await readDocumentStep
      .run(stepContext({ params: { documentId: '../etc/passwd' }, documents }))
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'invalid_input' });
  });

  it('passes on the documents’ own failure', async () => {
    const documents = new MemoryRunDocuments();
    const error = await readDocumentStep
      .run(stepContext({ params: { documentId: 'gone' as DocumentId }, documents }))
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'document_failed', message: 'no document gone' });
  });
});
