// The composed process killed with SIGKILL mid-burst on /yjs: acknowledged edits are on disk, and after
// a restart every client holds every edit.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DocumentId } from '@symphony/schemas';
import { FsDocumentPersistence } from '@symphony/sync-server';
import { connect, rawSocket, tempDir, waitFor } from '@symphony/sync-server/testing';
import * as decoding from 'lib0/decoding';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import { BIN } from '../src/testing.js';

const DOCUMENT = 'crash-burst' as DocumentId;
const CLIENTS = 4;

/** The real server binary in its own process, so it can be killed with SIGKILL. */
async function spawnServer(dataDir: string, port = 0): Promise<{ child: ChildProcess; port: number }> {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first`);
  const child = spawn(
    process.execPath,
    [BIN, '--port', String(port), '--data-dir', dataDir, '--storage', 'fs'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /running at (http:\/\/\S+?)\/?\s/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening`)));
  });
  return { child, port: Number(new URL(url).port) };
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

describe('a sync-server killed with SIGKILL in the middle of a burst', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('loses nothing: acknowledged edits are on disk, and after restart everyone holds every edit', async () => {
    const data = await tempDir('symphony-crash-');
    cleanups.push(data.cleanup);
    let server = await spawnServer(data.dir);
    cleanups.push(() => {
      server.child.kill('SIGKILL');
    });
    const port = server.port;

    const providers: WebsocketProvider[] = [];
    cleanups.push(() => {
      for (const p of providers) p.destroy();
    });
    for (let i = 0; i < CLIENTS; i++) providers.push(connect({ port }, DOCUMENT));
    await waitFor(() => providers.every((p) => p.synced), 'clients to sync');

    // A subscriber records what the server says it has durably stored.
    const watcher = await rawSocket({ port }, `/yjs/${DOCUMENT}`);
    watcher.ws.send(Uint8Array.of(100));
    let acknowledged = new Map<number, number>();
    watcher.ws.on('message', (frame: Buffer) => {
      const d = decoding.createDecoder(new Uint8Array(frame));
      if (decoding.readVarUint(d) === 100) acknowledged = Y.decodeStateVector(decoding.readVarUint8Array(d));
    });

    // Each client types markers at the start or the end of what it sees, every few ms.
    const markers: string[] = [];
    let counter = 0;
    const typing = providers.map((p, client) =>
      setInterval(() => {
        const text = p.doc.getText('content');
        const marker = `<${client}.${counter++}>`;
        markers.push(marker);
        text.insert(counter % 2 === 0 ? 0 : text.length, marker);
      }, 3),
    );
    cleanups.push(() => typing.forEach(clearInterval));

    await waitFor(
      () => [...acknowledged.values()].reduce((a, b) => a + b, 0) > 400,
      'a few acknowledged writes',
    );
    server.child.kill('SIGKILL');
    await killed(server.child);
    const acknowledgedAtKill = new Map(acknowledged);
    await new Promise((r) => setTimeout(r, 100)); // clients keep typing while the server is down

    // Everything the server acknowledged before dying is on disk.
    const persistence = new FsDocumentPersistence(join(data.dir, 'docs'));
    const onDisk = new Y.Doc();
    for (const update of await persistence.load(DOCUMENT)) Y.applyUpdate(onDisk, update);
    await persistence.close();
    const stored = Y.decodeStateVector(Y.encodeStateVector(onDisk));
    for (const [client, clock] of acknowledgedAtKill)
      expect(stored.get(client) ?? 0).toBeGreaterThanOrEqual(clock);

    server = await spawnServer(data.dir, port);
    await new Promise((r) => setTimeout(r, 100));
    typing.forEach(clearInterval);

    await waitFor(
      () =>
        providers.every(
          (p) =>
            p.synced &&
            p.doc.getText('content').toString() === providers[0]!.doc.getText('content').toString(),
        ),
      'clients to converge after the restart',
      15_000,
    );
    const final = providers[0]!.doc.getText('content').toString();
    for (const marker of markers) expect(final).toContain(marker);
    expect(final.length).toBe(markers.join('').length);

    // And the restarted server stores the same text: stop it gracefully and read the disk.
    const observer = connect({ port }, DOCUMENT);
    await waitFor(
      () => observer.doc.getText('content').toString() === final,
      'the server to hold every edit',
    );
    observer.destroy();
    watcher.ws.close();
    for (const p of providers) p.destroy();
    server.child.kill('SIGTERM');
    await killed(server.child);
    const reread = new FsDocumentPersistence(join(data.dir, 'docs'));
    const afterStop = new Y.Doc();
    for (const update of await reread.load(DOCUMENT)) Y.applyUpdate(afterStop, update);
    await reread.close();
    expect(afterStop.getText('content').toString()).toBe(final);
  }, 60_000);
});
