/** Internals the engine's own tests use; not part of the public face. */

export { coalescingSender } from './coalesce.js';
export type { FindQuery, RawMatch } from './find.js';
export { compileQuery, expandReplacement, scan } from './find.js';
export type { LineLocation } from './LineIndex.js';
export { LineIndex } from './LineIndex.js';
export { LineSplitter } from './StdioTransport.js';
export { TextBuffer } from './TextBuffer.js';
