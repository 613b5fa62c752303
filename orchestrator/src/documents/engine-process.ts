// The editor engine as a child process of the orchestrator: its stdio bin, joined to the team
// server's documents, with a client of it and a way to tell when it is gone.
import { spawn } from 'node:child_process';
import { EditorEngineClient } from '@symphony/editor-engine';
import { engineBinPath, stdioChannel } from '@symphony/editor-engine/node';
import { greetEngine, OutputTail, type StartedEngine } from './engine-connection.js';

/** 5 s: how long a closed engine may take to exit before it is killed. */
const EXIT_GRACE_MS = 5_000;

/**
 * Starts the editor engine's stdio bin (`symphony-editor-engine --sync-url …`) as a child process
 * with this Node, and resolves once it has answered `engine.hello` (`startEngine`'s `process`
 * mode). `close()` ends it (SIGTERM, then SIGKILL after 5 s). An engine that exits on its own fails
 * every pending request and resolves `closed` with its exit status and last stderr lines. Rejects
 * with a retryable `StepError` (`document_failed`) when it cannot start.
 *
 * A SIGKILL of the orchestrator leaves this child running until it reads the end of its stdin, and
 * it still carries out what is already in the pipe: prefer the `worker` mode.
 */
export async function startEngineProcess(syncUrl: string, startTimeoutMs: number): Promise<StartedEngine> {
  const child = spawn(process.execPath, [engineBinPath, '--sync-url', syncUrl], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr = new OutputTail();
  stderr.follow(child.stderr);
  // Writing to a dead engine's stdin reports EPIPE here; the pending requests fail through `closed`.
  child.stdin?.on('error', () => {});
  let closing = false;
  let exited = false;
  const closed = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = true;
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      resolve(closing ? 'the editor engine was closed' : `the editor engine ${how}${stderr.lastWords()}`);
    });
    child.once('error', (error) => {
      exited = true;
      resolve(`the editor engine could not be started: ${error.message}`);
    });
  });
  const client = new EditorEngineClient(stdioChannel(child));
  void closed.then(() => client.close());

  const close = async (): Promise<void> => {
    closing = true;
    client.close();
    if (!exited) child.kill('SIGTERM');
    const killer = setTimeout(() => {
      if (!exited) child.kill('SIGKILL');
    }, EXIT_GRACE_MS);
    await closed;
    clearTimeout(killer);
  };

  await greetEngine({ client, closed, close }, startTimeoutMs);
  return {
    mode: 'process',
    client,
    closed,
    close,
    get pid() {
      return exited ? undefined : child.pid;
    },
  };
}
