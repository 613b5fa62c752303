// Tests of the sync-server's log under a chatty /yjs room: repeated presence warnings are rate-limited
// per connection instead of one per echo.
import { afterEach, describe, expect, it } from 'vitest';
import type { WebsocketProvider } from 'y-websocket';
import type { Logger, SyncServer } from '../src/index.js';
import { connect, startTestServer, synced, tempDir, waitFor } from '../src/testing.js';

describe('the log under a chatty room', () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('twenty presence changes among six stock clients write a handful of warnings, not one per echo', async () => {
    const lines: string[] = [];
    const logger: Logger = {
      info: () => {},
      warn: (message) => lines.push(message),
      error: (message) => lines.push(message),
    };
    const data = await tempDir();
    const server: SyncServer = await startTestServer({ dataDir: data.dir }, { logger });
    cleanups.push(data.cleanup, () => server.close());
    const providers: WebsocketProvider[] = [];
    for (let i = 0; i < 6; i++) {
      const provider = connect(server, 'chatty');
      providers.push(provider);
      cleanups.push(() => provider.destroy());
      provider.awareness.setLocalStateField('user', { name: `peer ${i}`, color: '#336699' });
    }
    await Promise.all(providers.map(synced));
    const [speaker, ...listeners] = providers as [WebsocketProvider, ...WebsocketProvider[]];
    for (let i = 0; i < 20; i++) {
      // A cursor as y-codemirror.next sends it (the server relays only well-formed ones).
      const at = { type: null, tname: 'content', item: null, assoc: i };
      speaker.awareness.setLocalStateField('cursor', { anchor: at, head: at });
      await waitFor(
        () =>
          listeners.every(
            (l) =>
              (
                l.awareness.getStates().get(speaker.awareness.clientID)?.cursor as {
                  head?: { assoc?: number };
                }
              )?.head?.assoc === i,
          ),
        `presence change ${i} to reach everyone`,
      );
    }
    const repeated = lines.filter((m) => m.startsWith('dropped awareness'));
    // Each connection logs a message at most 3 times a minute.
    expect(repeated.length).toBeLessThanOrEqual(3 * providers.length);
  }, 30_000);
});
