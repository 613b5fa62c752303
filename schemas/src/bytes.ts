/**
 * Bytes as standard base64, as OFB's functions carry them in JSON (`persist-updates`,
 * `load-document`, `automerge-*`). One implementation for OFB, the sync-server and the browser:
 * Node's Buffer when there is one (fast, no copy of the bytes), `atob`/`btoa` otherwise.
 */
interface BufferLike {
  from(data: string, encoding: 'base64'): Uint8Array;
  from(data: ArrayBufferLike, byteOffset: number, length: number): { toString(encoding: 'base64'): string };
}
const NodeBuffer = (globalThis as { Buffer?: BufferLike }).Buffer;

/** Standard base64 of `bytes`. */
export function bytesToBase64(bytes: Uint8Array): string {
  if (NodeBuffer) return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000)
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** The bytes of standard base64 `text` (validate it first: OFB's schemas use `z.base64()`). */
export function base64ToBytes(text: string): Uint8Array {
  if (NodeBuffer) {
    const buffer = NodeBuffer.from(text, 'base64');
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  }
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
