/**
 * The anchor: a bare `ws` server in the benchmark's process and the bare page it serves, a grid of one
 * div per node whose `onmessage` does `JSON.parse` and sets `data-run-state` on the matching div.
 * No validation, no fold, no framework: the floor of getting a journal record's state into a
 * page's DOM over a WebSocket on this machine.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

/** The state each node record type gives, as the bare page applies it. */
const STATES = {
  'node.queued': 'queued',
  'node.running': 'running',
  'node.retrying': 'retrying',
  'node.succeeded': 'succeeded',
  'node.cached': 'cached',
  'node.failed': 'failed',
  'node.cancelled': 'cancelled',
  'node.skipped': 'skipped',
};

/** The bare page: `nodeIds` as divs in a grid `columns` wide, coloured by state. */
export function barePage(nodeIds: readonly string[], columns: number): string {
  const cells = nodeIds.map((id) => `<div data-testid="board-node" data-node-id="${id}"></div>`).join('');
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>bare echo</title><style>
body { margin: 0; font: 12px sans-serif; }
main { display: grid; grid-template-columns: repeat(${columns}, 1fr); gap: 2px; padding: 8px; }
main > div { height: 18px; border-radius: 3px; background: #e4e6eb; }
[data-run-state="queued"] { background: #c9d3e6; }
[data-run-state="running"] { background: #3b82f6; }
[data-run-state="succeeded"] { background: #16a34a; }
[data-run-state="failed"] { background: #dc2626; }
</style></head><body><main>${cells}</main><script>
const STATES = ${JSON.stringify(STATES)};
const byId = new Map();
for (const el of document.querySelectorAll('[data-node-id]')) byId.set(el.getAttribute('data-node-id'), el);
const socket = new WebSocket(location.origin.replace('http', 'ws') + '/echo');
socket.onmessage = (message) => {
  const { events } = JSON.parse(message.data);
  for (const event of events) {
    const state = STATES[event.type];
    if (state !== undefined) byId.get(event.nodeId)?.setAttribute('data-run-state', state);
  }
};
socket.onopen = () => { document.body.dataset.connected = 'true'; };
</script></body></html>`;
}

/** The bare server: `/` is the bare page, `/echo` the socket it opens. */
export class BareEchoServer {
  #page: WebSocket | undefined;
  #connected: (() => void) | undefined;

  private constructor(
    private readonly http: Server,
    private readonly sockets: WebSocketServer,
    readonly url: string,
  ) {
    sockets.on('connection', (socket) => {
      this.#page = socket;
      this.#connected?.();
    });
  }

  /** Listens on a free loopback port, serving `html`. */
  static async start(html: string): Promise<BareEchoServer> {
    const http = createServer((req, res) => {
      if (req.url !== '/') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    });
    const sockets = new WebSocketServer({ server: http, path: '/echo' });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const { port } = http.address() as AddressInfo;
    return new BareEchoServer(http, sockets, `http://127.0.0.1:${port}/`);
  }

  /** Resolves once the bare page's socket is open. */
  connected(): Promise<void> {
    if (this.#page?.readyState === WebSocket.OPEN) return Promise.resolve();
    return new Promise((resolve) => {
      this.#connected = resolve;
    });
  }

  /** Sends `text` to the page as one message. */
  send(text: string): void {
    if (this.#page === undefined) throw new Error('BareEchoServer.send: the bare page is not connected');
    this.#page.send(text);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets.clients) socket.terminate();
    await new Promise<void>((resolve) => this.sockets.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}
