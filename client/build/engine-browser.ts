// A Vite plugin that lets the editor engine's JSON-RPC layer (json-rpc-peer) run in the page and its
// Worker: a tiny `events` EventEmitter and a module-local `process.nextTick`, nothing else touched.
import type { Plugin } from 'vite';

/** Id of the small `events` module json-rpc-peer gets in the browser. */
const EVENTS_ID = '\0symphony-events-shim';

/**
 * The `EventEmitter` json-rpc-peer extends (it calls `EventEmitter.call(this)`, so this is a plain
 * constructor function, not a class): `on`, `removeListener` and `emit` are all it uses.
 */
const EVENTS_SOURCE = `
export function EventEmitter() { this._events = Object.create(null); }
EventEmitter.prototype.on = function (event, listener) {
  (this._events[event] || (this._events[event] = [])).push(listener);
  return this;
};
EventEmitter.prototype.addListener = EventEmitter.prototype.on;
EventEmitter.prototype.removeListener = function (event, listener) {
  var list = this._events[event];
  if (list) { var i = list.indexOf(listener); if (i >= 0) list.splice(i, 1); }
  return this;
};
EventEmitter.prototype.off = EventEmitter.prototype.removeListener;
EventEmitter.prototype.emit = function (event) {
  var list = this._events[event];
  var args = Array.prototype.slice.call(arguments, 1);
  if (!list || list.length === 0) { if (event === 'error') throw args[0]; return false; }
  list.slice().forEach(function (listener) { listener.apply(this, args); }, this);
  return true;
};
export default EventEmitter;
`;

/** json-rpc-peer binds `process.nextTick` in its constructor; a module-local stand-in, no global. */
const PROCESS_PRELUDE = `var process = (typeof globalThis.process === 'object' && globalThis.process) || {
  nextTick: function (fn) { var args = Array.prototype.slice.call(arguments, 1); queueMicrotask(function () { fn.apply(null, args); }); },
};
`;

/**
 * Lets the editor engine's JSON-RPC layer (json-rpc-peer, written for Node) run in the page and
 * its Web Worker: `require('events')` from it gets a tiny EventEmitter, and its `process.nextTick`
 * a module-local stand-in. Nothing else in the bundle is touched.
 */
export function engineBrowserShims(): Plugin {
  return {
    name: 'symphony-engine-browser-shims',
    enforce: 'pre',
    resolveId(id, importer) {
      if (id === 'events' && importer !== undefined && /[\\/]json-rpc-peer[\\/]/.test(importer))
        return EVENTS_ID;
      return null;
    },
    load(id) {
      return id === EVENTS_ID ? EVENTS_SOURCE : null;
    },
    transform(code, id) {
      if (!/[\\/]json-rpc-peer[\\/]dist[\\/]index\.js$/.test(id)) return null;
      return { code: PROCESS_PRELUDE + code, map: null };
    },
  };
}
