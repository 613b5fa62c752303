// The editor engine client's channel over a MessagePort or Worker, for browsers and Node.
import type { EngineChannel } from './EditorEngineClient.js';
import { eachPortText, onPortMessage, type PortLike, portSender } from './PortTransport.js';

/**
 * A client channel over a MessagePort or a Worker (browser `Worker`, Node `worker_threads` `Worker`
 * or `MessagePort`): one JSON text per message, or an array of them for a burst.
 */
export function portChannel(port: PortLike & { terminate?(): unknown }): EngineChannel {
  return {
    // A port that is gone drops messages silently; nothing else can fail here.
    send: portSender(port, () => {}),
    onMessage: (listener) =>
      onPortMessage(port, (data) =>
        eachPortText(data, (text) => {
          if (typeof text === 'string') listener(text);
        }),
      ),
    close: () => {
      if (typeof port.terminate === 'function') void port.terminate();
      else port.close?.();
    },
  };
}
