/** The TCP socket under a websocket (`request.socket`). */
export interface RawSocket {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer) => void): unknown;
  pause(): unknown;
  end(): unknown;
}

/** Frame headers and masks on top of the payload bytes an unauthorized peer may send. */
const FRAMING_SLACK = 16 * 1024;

/**
 * Counts the bytes a peer sends before its authorization settles. `ws` holds a frame whole before
 * its 'message' event, and frames may be as large as a document (16 MiB by default): limits counted
 * on frames would let a peer nobody has authorized make the server hold that much per socket. Past
 * `maxBytes` (plus framing) reading stops, `onExceeded` closes the websocket, and the socket is
 * ended once that close frame is out (the peer's answer to it is not waited for: it would only be
 * read behind the rest of the frame). Returns the function that stops counting (on authorization,
 * or when the connection ends).
 */
export function limitUnauthorizedBytes(
  raw: RawSocket | undefined,
  maxBytes: number,
  onExceeded: (received: number) => void,
): () => void {
  if (!raw) return () => {};
  let received = 0;
  const count = (chunk: Buffer) => {
    received += chunk.length;
    if (received <= maxBytes + FRAMING_SLACK) return;
    raw.off('data', count);
    raw.pause();
    onExceeded(received);
    raw.end();
  };
  raw.on('data', count);
  return () => raw.off('data', count);
}
