// The host's check of the `data` of a failed `node.run` or `extension.init` answer, so it can tell an
// extension's own error (with its code) from a denial or a broken module. The runtime, which builds
// that data, stays free of zod: the shape is `RunFailureData` in protocol.ts.
import { z } from 'zod';
import type { RunFailureData as RunFailureShape } from './protocol.js';

export { RuntimeErrorCode } from './protocol.js';

/** The `data` of a runtime error answer, parsed on the host (the runtime's side is untrusted). */
export const RunFailureData = z.object({
  /** A `RunErrorCode` the extension set on its error. */
  code: z.string().max(100).optional(),
  retryable: z.boolean().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  /** The platform refused the operation (`ERR_ACCESS_DENIED`: a folder, a process, a worker, the network). */
  denied: z.boolean().optional(),
  /** A file system error and the path it names, for the host to check against the grants. */
  fs: z.object({ code: z.string().max(64), path: z.string().max(4096) }).optional(),
}) satisfies z.ZodType<RunFailureShape>;
export type RunFailureData = z.infer<typeof RunFailureData>;
