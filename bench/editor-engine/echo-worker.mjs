/** The anchor of the Worker transport: a worker that posts every message straight back. */
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (message) => parentPort.postMessage(message));
