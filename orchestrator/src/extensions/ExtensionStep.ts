// The step port for an extension's node types: each `<id>/<name>` runs as one call on a process the
// pool lends, and the host's verdicts become the node's errors.
import { ExtensionLimits, type ExtensionManifest, RunErrorCode } from '@symphony/schemas';
import type { Step, StepContext, StepValue } from '../steps/Step.js';
import { StepError } from '../steps/Step.js';
import type { ExtensionProcess } from './ExtensionProcess.js';
import { ExtensionCallError, ExtensionThrewError } from './errors.js';

/**
 * One Step per node type of `manifest`, typed `<id>/<name>`. Each attempt borrows a process with
 * `acquire` (given the attempt's signal: a cancelled node stops waiting) and gives it back with `release(process, broken)`: `broken` when the process died or was
 * killed (the pool must not lend it again). `timeoutMs` is the manifest's limit plus the watchdog's
 * grace, so the host's own verdict (`time-limit`) arrives before the executor's timeout.
 */
export function extensionSteps(
  manifest: ExtensionManifest,
  acquire: (signal: AbortSignal) => Promise<ExtensionProcess>,
  release: (process: ExtensionProcess, broken: boolean) => void,
): Step[] {
  return manifest.nodeTypes.map((nodeType) => ({
    type: `${manifest.id}/${nodeType.name}`,
    version: manifest.version,
    deterministic: nodeType.deterministic,
    timeoutMs: manifest.limits.timeoutMs + ExtensionLimits.killGraceMs + 1_000,
    label: manifest.kind === 'instrument' ? `instrument: ${manifest.name}` : `extension: ${manifest.name}`,
    run: (context) => runOnce(nodeType.name, context, acquire, release),
  }));
}

async function runOnce(
  nodeType: string,
  context: StepContext,
  acquire: (signal: AbortSignal) => Promise<ExtensionProcess>,
  release: (process: ExtensionProcess, broken: boolean) => void,
): Promise<Readonly<Record<string, StepValue>>> {
  let process: ExtensionProcess;
  try {
    process = await acquire(context.signal);
    // An idle process can die between the pool's health checks: one that did costs no attempt.
    if (!process.alive) {
      release(process, true);
      process = await acquire(context.signal);
    }
  } catch (error) {
    throw toStepError(error);
  }
  let broken = false;
  try {
    const result = await process.call(
      {
        nodeType,
        params: { ...context.params },
        inputs: context.inputs as Record<string, unknown[]>,
        attempt: context.attempt,
        idempotencyKey: context.idempotencyKey,
      },
      { signal: context.signal, onProgress: (progress) => context.progress(progress) },
    );
    if (result.usage) context.reportUsage(result.usage);
    return result.outputs as Record<string, StepValue>;
  } catch (error) {
    broken = !process.alive;
    throw toStepError(error);
  } finally {
    release(process, broken || !process.alive);
  }
}

/** The node's error for what a call or a start rejected with. */
export function toStepError(error: unknown): unknown {
  if (error instanceof ExtensionCallError || error instanceof ExtensionThrewError) return error.toStepError();
  if (error instanceof StepError) return error;
  if (error instanceof DOMException && (error.name === 'AbortError' || error.name === 'TimeoutError'))
    return error;
  return new StepError(RunErrorCode.extensionFailed, error instanceof Error ? error.message : String(error));
}
