// The frames of a live socket as the monitor reads them: text decoded, sizes counted before any
// decoding, a client message parsed with its schema, and a close reason cut to what a frame carries.
import { MonitorClientMessage } from '@symphony/schemas';
import type { WebSocket } from 'ws';

/** Close reasons are at most 123 bytes. */
const MAX_REASON = 120;

/** The message, or what is wrong with it. */
export function parse(text: string | undefined): MonitorClientMessage | string {
  if (text === undefined) return 'messages are JSON text, not binary';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'the message is not JSON';
  }
  const parsed = MonitorClientMessage.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  return `the message fits no monitor message: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`;
}

/** A text frame's UTF-8. */
export function rawText(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return (Buffer.isBuffer(data) ? data : Buffer.from(data)).toString('utf8');
}

/** How many bytes a frame carries (nothing is decoded). */
export function byteLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, part) => sum + part.length, 0);
  return data.byteLength;
}

/** `reason` cut to what a close frame carries. */
export function cut(reason: string): string {
  const bytes = Buffer.from(reason, 'utf8');
  if (bytes.length <= MAX_REASON) return reason;
  return bytes
    .subarray(0, MAX_REASON)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
}
