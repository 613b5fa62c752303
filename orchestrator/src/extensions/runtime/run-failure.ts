// What the runtime puts in the `data` of a failed `node.run` or `extension.init` answer, so the host
// can tell an extension's own error (with its code) from a denial or a broken module.
import { z } from 'zod';

/** JSON-RPC error codes of the runtime's answers (the implementation-defined range). */
export const RuntimeErrorCode = {
  /** `run` (or the module's import) threw. */
  threw: -32001,
  /** The module does not export `run`, or `run` returned something that is not `{ outputs }`. */
  badModule: -32002,
} as const;

/** The `data` of a runtime error answer. */
export const RunFailureData = z.object({
  /** A `RunErrorCode` the extension set on its error. */
  code: z.string().max(100).optional(),
  retryable: z.boolean().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  /** The platform refused the operation (`ERR_ACCESS_DENIED`: a folder, a process, a worker, the network). */
  denied: z.boolean().optional(),
  /** A file system error and the path it names, for the host to check against the grants. */
  fs: z.object({ code: z.string().max(64), path: z.string().max(4096) }).optional(),
});
export type RunFailureData = z.infer<typeof RunFailureData>;
