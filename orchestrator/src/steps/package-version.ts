// The installed version of a package a step is built on: part of the step's version, so upgrading
// Prettier or wink-nlp changes the cache key of every node whose output it may change.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** `name`'s version from its package.json, e.g. "3.10.1". */
export function packageVersion(name: string): string {
  const manifest = require(`${name}/package.json`) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error(`${name}/package.json has no version`);
  return manifest.version;
}
