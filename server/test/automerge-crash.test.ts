// The composed process against SIGKILL on /automerge: edits the real bin received a second before
// it was killed are served, heads and all, after a restart on the same data.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { next as A } from '@automerge/automerge';
import { type DocHandle, Repo } from '@automerge/automerge-repo';
import { WebSocketClientAdapter } from '@automerge/automerge-repo-network-websocket';
import { serverHas, tempDir, waitFor } from '@symphony/sync-server/testing';
import { describe, expect, it } from 'vitest';
import { BIN } from '../src/testing.js';

type Notes = {
  items: string[];
};

/** A stock automerge-repo client, as a Node app would run it (no storage). */
function client(port: number): Repo {
  return new Repo({ network: [new WebSocketClientAdapter(`ws://127.0.0.1:${port}/automerge`, 200)] });
}

const headsOf = (handle: DocHandle<Notes>) => A.getHeads(handle.doc());

describe('/automerge durability against SIGKILL', () => {
  it('keeps edits the server received a second before it was killed', async () => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run \`npm run build\` first`);
    const data = await tempDir('symphony-automerge-kill-');
    const spawnServer = async (): Promise<{ child: ChildProcess; port: number }> => {
      const child = spawn(process.execPath, [BIN, '--port', '0', '--data-dir', data.dir, '--storage', 'fs'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const match = /running at http:\/\/[^:]+:(\d+)/.exec(out);
          if (match) resolve(Number(match[1]));
        });
        child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening`)));
      });
      return { child, port };
    };
    const kill = (child: ChildProcess) =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });

    let server = await spawnServer();
    const writer = client(server.port);
    const observer = client(server.port);
    try {
      const handle = writer.create<Notes>({ items: [] });
      await serverHas(writer, handle);
      const seen = await observer.find<Notes>(handle.url);
      for (let i = 0; i < 200; i++) handle.change((d) => void d.items.push(`edit ${i}`));
      await waitFor(() => seen.doc().items.length === 200, 'the server to relay every edit');
      await new Promise((r) => setTimeout(r, 1000));
      await kill(server.child);
      await Promise.all([writer.shutdown(), observer.shutdown()]);

      server = await spawnServer();
      const fresh = client(server.port);
      try {
        const found = await fresh.find<Notes>(handle.url);
        expect(headsOf(found)).toEqual(headsOf(handle));
        expect(found.doc().items).toHaveLength(200);
      } finally {
        await fresh.shutdown();
      }
    } finally {
      if (server.child.exitCode === null && server.child.signalCode === null) await kill(server.child);
      await data.cleanup();
    }
  });
});
