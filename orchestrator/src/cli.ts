#!/usr/bin/env node
import { main } from './main.js';

// A reader that went away (`symphony runs ls | head -1`) ends the command quietly, as it would end
// a Unix tool; an unfinished run stays resumable.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(1);
    throw error;
  });
}

// automerge-repo's throttle asks for negative delays, which Node clamps to 1 ms as it means; Node 24
// warns about each. That is no news for a person running a workflow; every other warning is shown.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name !== 'TimeoutNegativeWarning')
    process.stderr.write(`symphony: ${warning.name}: ${warning.message}\n`);
});

const code = await main(process.argv.slice(2));
// Exit as soon as the command is done, once stdout and stderr are flushed: after a second Ctrl-C an
// executor is still closing in the background, and nothing left open (a socket, a worker) may keep
// the process alive.
await Promise.all(
  [process.stdout, process.stderr].map((stream) => new Promise((resolve) => stream.write('', resolve))),
);
process.exit(code);
