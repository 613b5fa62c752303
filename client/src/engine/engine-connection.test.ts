// Tests of the page's editor engine over MessagePorts: edits landing in the page's Y.Doc, shared
// buffers, viewers refused, bad patterns; and workspace search across Documents.
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import {
  EditorEngine,
  engineLanguages,
  PortDocumentSource,
  portChannel,
  serveOnPort,
} from '@symphony/editor-engine';
import { EngineErrorCode } from '@symphony/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { EngineConnection, EngineRequestError } from './engine-connection.js';
import { type DocumentHits, searchWorkspace } from './search-workspace.js';

/** The engine in this process, wired to the page side exactly as the Worker is: two ports. */
function connect(): { connection: EngineConnection; engine: EditorEngine; close(): void } {
  const rpc = new MessageChannel();
  const documents = new MessageChannel();
  const engine = new EditorEngine({
    source: new PortDocumentSource(documents.port2),
    languages: engineLanguages,
  });
  serveOnPort(engine, rpc.port2);
  const connection = new EngineConnection({ rpc: portChannel(rpc.port1), documents: documents.port1 });
  const ports: MessagePort[] = [rpc.port1, rpc.port2, documents.port1, documents.port2];
  return {
    connection,
    engine,
    close: () => {
      connection.close();
      engine.close();
      for (const port of ports) port.close();
    },
  };
}

function docWith(text: string): Y.Doc {
  const doc = new Y.Doc();
  doc.getText('content').insert(0, text);
  return doc;
}

const until = async (check: () => boolean, ms = 2_000): Promise<void> => {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
};

let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
});

describe('EngineConnection (the engine over MessagePorts, sharing the page Y.Doc)', () => {
  it('replace-all edits the page Y.Doc in one transaction that the page did not make', async () => {
    const { connection, close } = connect();
    cleanup = close;
    const doc = docWith('red fish, blue fish, one fish');
    const buffer = await connection.open('doc-a', doc, { role: 'editor' });
    const transactions: boolean[] = [];
    doc.on('afterTransaction', (t: Y.Transaction) => {
      if (t.changed.size > 0) transactions.push(t.local);
    });
    const found = await buffer.find({ query: 'fish' });
    expect(found.matches.map((m) => m.from)).toEqual([4, 15, 25]);
    const result = await buffer.replaceAll({ query: 'fish', replacement: 'cat' });
    expect(result.count).toBe(3);
    await until(() => doc.getText('content').toString() === 'red cat, blue cat, one cat');
    // One update from the engine, merged like a collaborator's (not a local edit of this page).
    expect(transactions).toEqual([false]);
    // The page's own edits reach the engine too.
    doc.getText('content').insert(0, '# Fish\n');
    await until(() => true);
    const outline = await new Promise<string[]>((resolve) => {
      const off = buffer.onUpdate(async () => {
        off();
        resolve((await buffer.outline()).items.map((i) => i.name));
      });
    });
    expect(outline).toEqual(['Fish']);
    // One undo reverts the replace-all.
    expect((await buffer.undo()).changed).toBe(true);
    await until(() => doc.getText('content').toString() === '# Fish\nred fish, blue fish, one fish');
  });

  it('shares one engine buffer between holders and closes it with the last', async () => {
    const { connection, engine, close } = connect();
    cleanup = close;
    const doc = docWith('hello');
    const [a, b] = await Promise.all([
      connection.open('doc-b', doc, { role: 'editor' }),
      connection.open('doc-b', doc, {}),
    ]);
    expect(a.bufferId).toBe(b.bufferId);
    expect(engine.bufferCount).toBe(1);
    a.close();
    expect((await b.find({ query: 'hell' })).matches).toHaveLength(1);
    b.close();
    await until(() => engine.bufferCount === 0);
    expect(connection.openDocuments).toBe(0);
  });

  it('a document let go of and reopened at once gets a buffer that still edits the page doc', async () => {
    const { connection, close } = connect();
    cleanup = close;
    const doc = docWith('hello world');
    const first = await connection.open('doc-d', doc, { role: 'editor' });
    first.close();
    const second = await connection.open('doc-d', doc, { role: 'editor' });
    await expect(second.replaceAll({ query: 'world', replacement: 'there' })).resolves.toMatchObject({
      count: 1,
    });
    await until(() => doc.getText('content').toString() === 'hello there');
    second.close();
  });

  it('refuses a viewer’s replace, and says what is wrong with a bad pattern', async () => {
    const { connection, close } = connect();
    cleanup = close;
    const buffer = await connection.open('doc-c', docWith('abc'), { role: 'viewer' });
    await expect(buffer.replaceAll({ query: 'a', replacement: 'b' })).rejects.toMatchObject({
      code: EngineErrorCode.ReadOnly,
    });
    const error = await buffer.find({ query: 'a(', regex: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineRequestError);
    expect((error as EngineRequestError).code).toBe(EngineErrorCode.InvalidPattern);
    // Promoted: the same buffer takes edits.
    connection.setRole('doc-c', 'editor');
    await new Promise((r) => setTimeout(r, 100));
    await expect(buffer.replaceAll({ query: 'a', replacement: 'z' })).resolves.toMatchObject({ count: 1 });
  });
});

describe('searchWorkspace', () => {
  it('searches every document a few at a time and reports matches with snippets', async () => {
    const { connection, engine, close } = connect();
    cleanup = close;
    const docs = new Map([
      ['d1', docWith('# Notes\n\nWe saw a heron.\nA kingfisher, too.')],
      ['d2', docWith('Bread and milk.')],
      ['d3', docWith('kingfisher kingfisher')],
    ]);
    let open = 0;
    let peak = 0;
    const hits: DocumentHits[] = [];
    const searched = await searchWorkspace({
      documents: [...docs.keys()].map((id) => ({ id, title: id.toUpperCase() })),
      query: { query: 'KINGFISHER' },
      concurrency: 2,
      open: async (id) => {
        open++;
        peak = Math.max(peak, open);
        const buffer = await connection.open(id, docs.get(id) as Y.Doc, {});
        return {
          buffer,
          release: () => {
            open--;
            buffer.close();
          },
        };
      },
      onHits: (h) => hits.push(h),
      onError: (_d, error) => {
        throw error;
      },
    });
    expect(searched).toBe(3);
    expect(peak).toBeLessThanOrEqual(2);
    const d1 = hits.find((h) => h.id === 'd1');
    expect(d1?.hits).toHaveLength(1);
    expect(d1?.hits[0]).toMatchObject({ line: 3, column: 2 });
    expect(d1?.hits[0]?.snippet).toEqual({ before: 'A ', match: 'kingfisher', after: ', too.' });
    expect(hits.find((h) => h.id === 'd3')?.hits).toHaveLength(2);
    expect(hits.find((h) => h.id === 'd2')).toBeUndefined();
    await until(() => engine.bufferCount === 0);
  });

  it('fails the whole search on an invalid pattern, and reports a document that could not open', async () => {
    const { connection, close } = connect();
    cleanup = close;
    const failed: string[] = [];
    const search = searchWorkspace({
      documents: [
        { id: 'missing', title: 'Missing' },
        { id: 'ok', title: 'Ok' },
      ],
      query: { query: '(', regex: true },
      concurrency: 1,
      open: async (id) => {
        if (id === 'missing') throw new Error('not on this device');
        const buffer = await connection.open(id, docWith('text'), {});
        return { buffer, release: () => buffer.close() };
      },
      onHits: () => {},
      onError: (d) => failed.push(d.title),
    });
    await expect(search).rejects.toMatchObject({ code: EngineErrorCode.InvalidPattern });
    expect(failed).toEqual(['Missing']);
  });
});
