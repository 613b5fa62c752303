// Tests of the Workflow repo's refusals: refusalIn reading frames safely, and a refusal kept per
// Workflow until dismissed.
import 'fake-indexeddb/auto';
import { cbor } from '@automerge/automerge-repo';
import { ChangeRefusalCode, instantiateTemplate, WorkflowTemplates } from '@symphony/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { refusalIn, WorkflowSync } from './workflow-sync.js';

/**
 * A server that answers `join` like the sync-server and every sync message with a refusal of its
 * changes (preceded by an `error` without Symphony's fields, which must be ignored).
 */
async function refusingServer(): Promise<{
  url: string;
  connections: () => number;
  close: () => Promise<void>;
}> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise((resolve) => wss.once('listening', resolve));
  let connections = 0;
  wss.on('connection', (ws) => {
    connections++;
    ws.on('message', (data: Buffer) => {
      const message = cbor.decode(new Uint8Array(data)) as Record<string, unknown>;
      const reply = (m: Record<string, unknown>) =>
        ws.send(cbor.encode({ senderId: 'fake-server', targetId: message.senderId, ...m }));
      if (message.type === 'join') reply({ type: 'peer', peerMetadata: {}, selectedProtocolVersion: '1' });
      else if (message.type === 'sync' || message.type === 'request') {
        reply({ type: 'error', message: 'something went wrong' });
        reply({
          type: 'error',
          message: 'read-only: your role is viewer',
          code: ChangeRefusalCode.readOnly,
          documentId: message.documentId,
          detail: 'viewer',
        });
      }
    });
  });
  const { port } = wss.address() as { port: number };
  return {
    url: `ws://127.0.0.1:${port}/automerge`,
    connections: () => connections,
    close: () => new Promise((resolve) => wss.close(() => resolve())),
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > 5000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('refusalIn', () => {
  it("reads Symphony's refusal out of a frame and nothing else, without throwing", () => {
    const frame = cbor.encode({
      type: 'error',
      message: 'm',
      code: 'invalid_workflow',
      documentId: 'abc',
      detail: 'nodes.x: bad',
      senderId: 's',
      targetId: 't',
    });
    expect(refusalIn(frame)).toMatchObject({ code: 'invalid_workflow', documentId: 'abc' });
    expect(
      refusalIn(frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength)),
    ).toBeDefined();
    expect(refusalIn(cbor.encode({ type: 'error', message: 'no code' }))).toBeUndefined();
    expect(
      refusalIn(cbor.encode({ type: 'error', message: 'm', code: 'made_up', documentId: 'a' })),
    ).toBeUndefined();
    expect(
      refusalIn(cbor.encode({ type: 'sync', documentId: 'a', data: new Uint8Array([1]) })),
    ).toBeUndefined();
    expect(refusalIn(new Uint8Array([0xff, 0x00, 0x13]))).toBeUndefined();
  });
});

describe('WorkflowSync refusals', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('keeps the refusal the server sends per workflow until it is dismissed, on one socket', async () => {
    const server = await refusingServer();
    cleanups.push(server.close);
    const sync = new WorkflowSync({
      url: server.url,
      networkAvailable: true,
      databaseName: `workflow-sync-test-${Math.random()}`,
    });
    cleanups.push(() => sync.repo.shutdown());
    const told: string[] = [];
    sync.subscribeRefusals((documentId) => told.push(documentId));

    const handle = sync.create(instantiateTemplate(WorkflowTemplates[0]!, 'Refused'));
    expect(sync.refusalOf(handle.url)).toBeUndefined();
    await until(() => sync.refusalOf(handle.url) !== undefined, 'the refusal');
    expect(sync.refusalOf(handle.url)).toMatchObject({
      code: ChangeRefusalCode.readOnly,
      documentId: handle.documentId,
      detail: 'viewer',
    });
    expect(told).toContain(handle.documentId);
    expect(sync.refusalOf('automerge:not-a-workflow')).toBeUndefined();

    sync.dismissRefusal(handle.url);
    expect(sync.refusalOf(handle.url)).toBeUndefined();
    handle.change((d) => {
      d.name = 'Refused again';
    });
    await until(() => sync.refusalOf(handle.url) !== undefined, 'the next refusal');
    expect(server.connections()).toBe(1);
  });
});
