// automerge-repo's stock websocket server adapter with the /automerge endpoint's check in front of
// every frame it receives.
import { WebSocketServerAdapter } from '@automerge/automerge-repo-network-websocket';
import WebSocket, { type WebSocketServer } from 'ws';

/** Checks one frame; calls `deliver` (now or later) with what the repo may receive. */
export type FrameCheck = (frame: Uint8Array, socket: WebSocket, deliver: (frame: Uint8Array) => void) => void;

/**
 * The stock server adapter with a gate in front: each frame is checked (`readAutomergeFrame`)
 * first, and a frame that fails closes its connection with a named code; automerge-repo never
 * sees it. Then it waits, in order, until the connection is authorized for the document it names.
 * Frames from a connection already closing are dropped.
 */
export class CheckedWebSocketServerAdapter extends WebSocketServerAdapter {
  readonly #check: FrameCheck;
  #connected!: () => void;
  /**
   * Resolves once the repo has connected the adapter (after it has read its storage id), which is
   * when the adapter starts listening for connections: a socket accepted earlier would be ignored.
   */
  readonly connected = new Promise<void>((resolve) => {
    this.#connected = resolve;
  });

  constructor(server: WebSocketServer, check: FrameCheck) {
    // isomorphic-ws declares the same `ws` class through a differently shaped module type.
    super(server as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0]);
    this.#check = check;
  }

  override connect(...args: Parameters<WebSocketServerAdapter['connect']>): void {
    super.connect(...args);
    this.#connected();
  }

  override receiveMessage(messageBytes: Uint8Array, socket: WebSocket): void {
    if (socket.readyState !== WebSocket.OPEN) return;
    this.#check(messageBytes, socket, (frame) => {
      if (socket.readyState === WebSocket.OPEN) super.receiveMessage(frame, socket);
    });
  }
}
