/**
 * Hostile: writes megabytes of junk notifications straight to fd 1, past the runtime's stdout, in
 * lines of 4,000 bytes (each written whole: under PIPE_BUF), retrying while the pipe is full.
 */
import { writeSync } from 'node:fs';

export async function run() {
  const line = `${JSON.stringify({ jsonrpc: '2.0', method: 'junk', params: 'A'.repeat(3950) })}\n`;
  for (let i = 0; i < 5000; i++) {
    for (;;) {
      try {
        writeSync(1, line);
        break;
      } catch (error) {
        if (error.code !== 'EAGAIN') throw error;
      }
    }
  }
  return { outputs: { out: 'flooded' } };
}
