// The usage texts of `symphony runs` and its subcommands, apart from their code so that `--help`
// and the overview load nothing else.
import { dataDirHelp } from './data-dir.js';

/** Usage of `symphony runs ls`. */
export const runsLsUsage = `Usage: symphony runs ls [--json] [--data-dir DIR]

Lists the runs in the data dir, oldest first: status (running with the pid executing it, or
unfinished when nobody is and "symphony runs resume" would continue it), start, duration, nodes
finished / total, and the workflow.

Options:
  --json              one JSON object per run per line
${dataDirHelp}
  -h, --help          show this text`;

/** Usage of `symphony runs show`. */
export const runsShowUsage = `Usage: symphony runs show <run-id> [--json] [--data-dir DIR]

Shows a run: its pinned source and options, and per node its state, attempts and their
durations, error, and output artifact hashes ("symphony artifacts get <hash>").

Options:
  --json              the run as one JSON object
${dataDirHelp}
  -h, --help          show this text`;

/** Usage of `symphony runs cancel`. */
export const runsCancelUsage = `Usage: symphony runs cancel <run-id> [--node NODE] [--data-dir DIR]

Cancels a run, or one node of it (the nodes that depend on it are skipped), wherever it executes:
the process running it is asked to, and a run nobody executes is cancelled here.

Options:
  --node NODE         cancel only this node (its id, as "symphony runs show" lists it)
${dataDirHelp}
  -h, --help          show this text`;

/** Usage of `symphony runs resume`. */
export const resumeUsage = `Usage: symphony runs resume [<run-id>] [--json] [--data-dir DIR]

Continues an unfinished run from its journal (after a crash, or a second Ctrl-C), or without a
run id every unfinished run no live process is executing. Nodes that finished are never run
again; a node that was running runs again with the same attempt. Exit 0 when every resumed run
succeeded, 1 otherwise.

Options:
  --json              print NDJSON on stdout instead of lines
${dataDirHelp}
  -h, --help          show this text`;

/** Usage of `symphony runs rerun`. */
export const rerunUsage = `Usage: symphony runs rerun <run-id> [--from NODE] [--no-cache] [--json] [--data-dir DIR]

Runs a run's workflow again as it is now: the file at the run's source path is read again, or
the workflow is fetched again from its team server. With --from, that node and every node that
depends on it run; the others take the old run's outputs where they are unchanged. The new run
has the old one's options unless --no-cache is given.

Options:
  --from NODE         re-run from this node (its id, as "symphony runs show" lists it)
  --no-cache          run every node that runs, none from the cache
  --json              print NDJSON on stdout instead of lines
${dataDirHelp}
  -h, --help          show this text`;

/** Usage of `symphony runs`. */
export const runsUsage = `Usage: symphony runs <subcommand> [options]

Subcommands:
  ls                           list the runs
  show <run-id>                a run's nodes, attempts, errors and outputs
  resume [<run-id>]            continue an unfinished run, or every one nobody is executing
  cancel <run-id> [--node N]   cancel a run or one node
  rerun <run-id> [--from N]    run the workflow again as it is now, from a node

Each takes --help and --data-dir DIR.`;
