// The static file handler that serves the built client from the sync-server: index.html for deep links,
// long caching for hashed assets, paths kept inside the root.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { decodePathSegment } from './request-target.js';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Serves the built client from `root`. Unknown paths without an extension get `index.html`
 * (the app routes by hash, but a deep link must still load it). Hashed assets are cached for a
 * year; the HTML and the service worker are revalidated on every load, so updates reach users.
 * `path` is the request's path, still percent-encoded; one that does not decode (`%zz`) or holds a
 * NUL answers `'bad_path'`, one outside `root` is not taken.
 */
export function staticFiles(
  root: string,
): (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean | 'bad_path'> {
  const base = resolve(root);
  return async (req, res, path) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const pathname = decodePathSegment(path);
    if (pathname === undefined || pathname.includes('\0')) return 'bad_path';
    const relative = normalize(pathname).replace(/^([/\\])+/, '');
    let file = join(base, relative || 'index.html');
    if (file !== base && !file.startsWith(base + sep)) return false;
    let info = await stat(file).catch(() => undefined);
    if (info?.isDirectory()) {
      file = join(file, 'index.html');
      info = await stat(file).catch(() => undefined);
    }
    if (!info && extname(relative) === '') {
      file = join(base, 'index.html');
      info = await stat(file).catch(() => undefined);
    }
    if (!info?.isFile()) return false;
    const immutable = relative.startsWith('assets/');
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': info.size,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else
      createReadStream(file)
        .on('error', () => res.destroy())
        .pipe(res);
    return true;
  };
}
