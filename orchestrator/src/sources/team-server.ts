// A team server's base URL, and the websocket endpoints a run reaches on it: `/automerge` for
// workflows, `/yjs` for documents (through the editor engine).
import { z } from 'zod';
import { parseArgs } from '../executor/errors.js';

/** A team server's base URL: `http(s)://` (or `ws(s)://`) host, port and optional path prefix. */
export const TeamServerUrl = z
  .string()
  .max(2048)
  .refine((value) => {
    try {
      return ['http:', 'https:', 'ws:', 'wss:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'the team server must be an http(s):// or ws(s):// URL, e.g. http://127.0.0.1:4321');

/** The websocket endpoints of a team server. */
export interface TeamServerEndpoints {
  /** automerge-repo's endpoint, where workflows live: `ws(s)://host/automerge`. */
  readonly automerge: string;
  /** The y-websocket base the editor engine joins documents at: `ws(s)://host/yjs`. */
  readonly yjs: string;
}

/** The endpoints of the team server at `server` (see {@link TeamServerUrl}). */
export function teamServerEndpoints(server: string): TeamServerEndpoints {
  const url = new URL(parseArgs('teamServerEndpoints', TeamServerUrl, server));
  const scheme = url.protocol === 'https:' || url.protocol === 'wss:' ? 'wss:' : 'ws:';
  const base = `${scheme}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  return { automerge: `${base}/automerge`, yjs: `${base}/yjs` };
}
