// Serves an OFB Hono app over Node's HTTP server on a local port.
import { type ServerType, serve } from '@hono/node-server';
import type { Hono } from 'hono';

/** Serves `app` on 127.0.0.1 (port 0 = any free port); resolves once listening. */
export function listen(
  app: Hono,
  port = 0,
  hostname = '127.0.0.1',
): Promise<{ server: ServerType; url: string; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info) => {
      resolve({
        server,
        url: `http://${hostname}:${info.port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
