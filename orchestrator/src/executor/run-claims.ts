// Who executes a run: a claim file per run (`<runsDir>/<runId>.owner`) so only one process does,
// and cancellation requests between processes (`<runsDir>/<runId>.cancel`).
import { randomUUID } from 'node:crypto';
import { appendFile, link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NodeId, RunId } from '@symphony/schemas';
import { z } from 'zod';
import { parseArgs, RunClaimedError } from './errors.js';

/** A run's files: the runs folder and the run (and, to cancel one node, the node). */
const RunFileArgs = z.object({
  runsDir: z.string().min(1, 'runsDir must be the runs folder, e.g. ".symphony/runs"'),
  runId: RunId,
  nodeId: NodeId.optional(),
});

/** What a claim file holds. */
interface ClaimContent {
  readonly pid: number;
  /** Tells two executors of one process apart. */
  readonly token: string;
  readonly at: number;
}

/** Tokens of the claims this process holds (so a claim left by a closed executor of this process is stale). */
const heldTokens = new Set<string>();

/** A held claim on a run; `release` removes it (only if it is still ours). */
export interface RunClaim {
  readonly runId: RunId;
  release(): Promise<void>;
}

/** The claim file of `runId`. */
export function claimPath(runsDir: string, runId: RunId): string {
  return join(runsDir, `${runId}.owner`);
}

/** The cancellation request file of `runId`. */
export function cancelPath(runsDir: string, runId: RunId): string {
  return join(runsDir, `${runId}.cancel`);
}

/**
 * Claims `runId` for this process: creates the claim file atomically with its content (written
 * beside it, then hard-linked into place, which fails if a claim exists). A claim whose process is
 * dead (`kill(pid, 0)` gives ESRCH) or whose executor in this process has closed is stale and is
 * taken over: it is renamed away, checked to be the same stale claim, and replaced. Throws
 * {@link RunClaimedError} naming the owner's pid when a live owner holds it.
 */
export async function claimRun(runsDir: string, runId: RunId, now: number): Promise<RunClaim> {
  await mkdir(runsDir, { recursive: true });
  const path = claimPath(runsDir, runId);
  const token = randomUUID();
  const content: ClaimContent = { pid: process.pid, token, at: now };
  const temporary = `${path}.${token}.tmp`;
  await writeFile(temporary, JSON.stringify(content));
  try {
    for (let tries = 0; tries < 3; tries++) {
      if (await linkIfAbsent(temporary, path)) {
        heldTokens.add(token);
        return { runId, release: () => releaseClaim(path, token) };
      }
      const current = await readClaim(path);
      if (current !== undefined && isLive(current.content))
        throw new RunClaimedError(runId, current.content.pid);
      if (current !== undefined) await removeStale(path, current.text, token);
    }
    const current = await readClaim(path);
    throw new RunClaimedError(runId, current?.content.pid ?? 0);
  } finally {
    await unlink(temporary).catch(() => {});
  }
}

/** The pid of the live process that holds `runId`'s claim, or undefined when none does. */
export async function liveOwner(runsDir: string, runId: RunId): Promise<number | undefined> {
  const args = parseArgs('liveOwner', RunFileArgs, { runsDir, runId });
  const current = await readClaim(claimPath(args.runsDir, args.runId));
  return current !== undefined && isLive(current.content) ? current.content.pid : undefined;
}

/**
 * Asks the process executing `runId` to cancel it (or one node): appends a request line to
 * `<runsDir>/<runId>.cancel`, which the owner polls. Whether an owner is alive to read it is the
 * caller's to check (`liveOwner`); `Executor.cancel` does both.
 */
export async function requestCancel(runsDir: string, runId: RunId, nodeId?: NodeId): Promise<void> {
  const args = parseArgs('requestCancel', RunFileArgs, { runsDir, runId, nodeId });
  await mkdir(args.runsDir, { recursive: true });
  const line = `${JSON.stringify(args.nodeId === undefined ? {} : { nodeId: args.nodeId })}\n`;
  await appendFile(cancelPath(args.runsDir, args.runId), line);
}

/** Where a taken batch of `runId`'s requests waits until it is acknowledged (see {@link takeCancelBatch}). */
export function takenCancelPath(runsDir: string, runId: RunId): string {
  return `${cancelPath(runsDir, runId)}.taken`;
}

/** Cancellation requests taken for a run, kept on disk until {@link CancelBatch.acknowledge}. */
export interface CancelBatch {
  /** Each entry is a node id, or undefined for the whole run. */
  readonly requests: (NodeId | undefined)[];
  /**
   * Deletes the taken file: call it once every request is recorded durably. Until then a crash
   * loses nothing, since the next take delivers the same requests again.
   */
  acknowledge(): Promise<void>;
}

/**
 * Takes the cancellation requests waiting for `runId`, without deleting them. A batch taken
 * earlier and never acknowledged (its taker crashed, or stopped, before recording it) is delivered
 * first, alone. Otherwise the request file is renamed to `<runId>.cancel.taken` first, so a
 * request appended meanwhile lands in a new file and is read next time. Delivery is at least once:
 * a request may come again after a crash between recording it and `acknowledge`. Lines that do not
 * parse are ignored. One taker per run (the run's owner) at a time.
 */
export async function takeCancelBatch(runsDir: string, runId: RunId): Promise<CancelBatch> {
  const taken = takenCancelPath(runsDir, runId);
  let text = await readIfPresent(taken);
  if (text === undefined) {
    try {
      await rename(cancelPath(runsDir, runId), taken);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return { requests: [], acknowledge: async () => {} };
      throw error;
    }
    text = (await readIfPresent(taken)) ?? '';
  }
  return { requests: parseRequests(text), acknowledge: () => unlinkIfPresent(taken) };
}

/**
 * Takes the cancellation requests waiting for `runId` and deletes them at once (see
 * {@link takeCancelBatch}, which keeps them until they are recorded). Each entry is a node id, or
 * undefined for the whole run.
 */
export async function takeCancelRequests(runsDir: string, runId: RunId): Promise<(NodeId | undefined)[]> {
  const batch = await takeCancelBatch(runsDir, runId);
  await batch.acknowledge();
  return batch.requests;
}

/** Removes the request files (waiting and taken) left for a run that has finished. */
export async function clearCancelRequests(runsDir: string, runId: RunId): Promise<void> {
  await unlinkIfPresent(cancelPath(runsDir, runId));
  await unlinkIfPresent(takenCancelPath(runsDir, runId));
}

function parseRequests(text: string): (NodeId | undefined)[] {
  const requests: (NodeId | undefined)[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = JSON.parse(line) as { nodeId?: unknown };
      requests.push(typeof parsed.nodeId === 'string' ? (parsed.nodeId as NodeId) : undefined);
    } catch {
      // A torn line from a canceller that died mid-write: nothing was asked for.
    }
  }
  return requests;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
}

async function unlinkIfPresent(path: string): Promise<void> {
  await unlink(path).catch(() => {});
}

async function linkIfAbsent(from: string, to: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw error;
  }
}

async function readClaim(path: string): Promise<{ text: string; content: ClaimContent } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<ClaimContent>;
    if (typeof parsed.pid === 'number' && typeof parsed.token === 'string') {
      return { text, content: { pid: parsed.pid, token: parsed.token, at: Number(parsed.at ?? 0) } };
    }
  } catch {
    // fall through: a claim that does not parse belongs to nobody
  }
  return { text, content: { pid: 0, token: '', at: 0 } };
}

/** Whether the claim's owner is alive: another live process, or an open executor of this one. */
function isLive(claim: ClaimContent): boolean {
  if (claim.pid <= 0) return false;
  if (claim.pid === process.pid) return heldTokens.has(claim.token);
  try {
    process.kill(claim.pid, 0);
    return true;
  } catch (error) {
    return !isCode(error, 'ESRCH');
  }
}

/** Moves a stale claim away, unless another claimant replaced it meanwhile (then it is put back). */
async function removeStale(path: string, staleText: string, token: string): Promise<void> {
  const aside = `${path}.${token}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return;
    throw error;
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  if (moved !== staleText) await linkIfAbsent(aside, path);
  await unlink(aside).catch(() => {});
}

async function releaseClaim(path: string, token: string): Promise<void> {
  heldTokens.delete(token);
  const current = await readClaim(path);
  if (current?.content.token === token) await unlink(path).catch(() => {});
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
