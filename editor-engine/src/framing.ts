// The engine's newline framing, for other processes that speak JSON-RPC one message per line (the
// extension host and the runtime inside each extension's sandbox): one framing, not two.

export type { CoalescingSender } from './coalesce.js';
export { coalescingSender } from './coalesce.js';
export { LineSplitter } from './StdioTransport.js';
