import type { EngineChannel } from './EditorEngineClient.js';
import { onPortMessage, type PortLike } from './PortTransport.js';

/**
 * A client channel over a MessagePort or a Worker (browser `Worker`, Node `worker_threads` `Worker`
 * or `MessagePort`): one JSON text per message.
 */
export function portChannel(port: PortLike & { terminate?(): unknown }): EngineChannel {
  return {
    send: (text) => port.postMessage(text),
    onMessage: (listener) =>
      onPortMessage(port, (data) => {
        if (typeof data === 'string') listener(data);
      }),
    close: () => {
      if (typeof port.terminate === 'function') void port.terminate();
      else port.close?.();
    },
  };
}
