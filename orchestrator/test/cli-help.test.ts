// Tests of the CLI's usage: --help and -h on every command and subcommand (exit 0, its own usage),
// `symphony help <command> [subcommand]`, and misuse (unknown commands, subcommands, options,
// missing or extra arguments) refused with exit 2 and the usage of the command misused.
import { afterAll, describe, expect, it } from 'vitest';
import { type CliIo, main } from '../src/main.js';
import { cli, cliEnv, removeTempDirs, tempDir } from './cli-harness.js';

afterAll(removeTempDirs);

/** Runs main() in-process with captured output and a session folder of its own. */
async function runMain(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    stderrIsTty: false,
    env: cliEnv(tempDir()),
    cwd: tempDir(),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

/** Every command and subcommand, with the start of its usage line. */
const COMMANDS: readonly (readonly [string[], string])[] = [
  [['login'], 'Usage: symphony login --server URL'],
  [['logout'], 'Usage: symphony logout'],
  [['whoami'], 'Usage: symphony whoami'],
  [['run'], 'Usage: symphony run <workflow.json | workflow-id>'],
  [['runs'], 'Usage: symphony runs <subcommand>'],
  [['runs', 'ls'], 'Usage: symphony runs ls'],
  [['runs', 'show'], 'Usage: symphony runs show <run-id>'],
  [['runs', 'resume'], 'Usage: symphony runs resume [<run-id>]'],
  [['runs', 'cancel'], 'Usage: symphony runs cancel <run-id>'],
  [['runs', 'rerun'], 'Usage: symphony runs rerun <run-id>'],
  [['artifacts'], 'Usage: symphony artifacts <subcommand>'],
  [['artifacts', 'ls'], 'Usage: symphony artifacts ls'],
  [['artifacts', 'get'], 'Usage: symphony artifacts get <hash>'],
  [['artifacts', 'verify'], 'Usage: symphony artifacts verify'],
  [['artifacts', 'search'], 'Usage: symphony artifacts search <text…>'],
  [['token'], 'Usage: symphony token --sub ID'],
  [['audit'], 'Usage: symphony audit verify'],
  [['audit', 'verify'], 'Usage: symphony audit verify [--data-dir'],
];

describe('symphony --help', () => {
  it('prints the overview, naming every command', async () => {
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const out = await runMain(argv);
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/^Usage: symphony <command>/);
      for (const name of ['login', 'logout', 'run', 'runs', 'artifacts', 'token', 'audit'])
        expect(out.stdout).toMatch(new RegExp(`^  ${name}\\b`, 'm'));
    }
  });

  it.each(COMMANDS)('%j --help and -h print its usage and exit 0', async (command, first) => {
    for (const flag of ['--help', '-h']) {
      const out = await runMain([...command, flag]);
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      expect(out.stdout.startsWith(first)).toBe(true);
    }
    const viaHelp = await runMain(['help', ...command]);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout.startsWith(first)).toBe(true);
  });

  it('asks for help even among other arguments, and not after --', async () => {
    expect((await runMain(['run', 'workflow.json', '--json', '-h'])).stdout).toMatch(/^Usage: symphony run/);
    expect((await runMain(['runs', 'show', '--', '-h'])).code).toBe(2);
  });
});

describe('misuse exits 2 with the usage of what was misused', () => {
  it.each([
    [['frobnicate'], 'unknown command "frobnicate"', 'Usage: symphony <command>'],
    [[], 'missing command', 'Usage: symphony <command>'],
    [['--bogus'], 'unknown option "--bogus" before a command', 'Usage: symphony <command>'],
    [['runs'], 'symphony runs needs a subcommand', 'Usage: symphony runs <subcommand>'],
    [['runs', 'delete'], 'unknown runs subcommand "delete"', 'Usage: symphony runs <subcommand>'],
    [['artifacts', 'rm'], 'unknown artifacts subcommand "rm"', 'Usage: symphony artifacts <subcommand>'],
    [['run'], 'missing the workflow', 'Usage: symphony run'],
    [['run', 'a.json', 'b.json'], 'too many arguments', 'Usage: symphony run'],
    [['run', 'a.json', '--cache'], "Unknown option '--cache'", 'Usage: symphony run'],
    [['run', 'a.json', '--server', 'not a url'], '--server "not a url"', 'Usage: symphony run'],
    [['runs', 'ls', '--bogus'], "Unknown option '--bogus'", 'Usage: symphony runs ls'],
    [['runs', 'show'], 'missing the run id', 'Usage: symphony runs show'],
    [['runs', 'show', 'nope'], '"nope" is not a run id', 'Usage: symphony runs show'],
    [
      ['runs', 'cancel', 'run_abcdefgh', '--node'],
      "Option '--node <value>' argument missing",
      'Usage: symphony runs cancel',
    ],
    [
      ['runs', 'rerun', 'run_abcdefgh', '--from', 'a b'],
      '--from a b: not a node id',
      'Usage: symphony runs rerun',
    ],
    [
      ['artifacts', 'ls', '--limit', '0'],
      '--limit takes a positive whole number',
      'Usage: symphony artifacts ls',
    ],
    [['artifacts', 'search'], 'missing the text to search for', 'Usage: symphony artifacts search'],
    [['login'], 'symphony login needs --server URL', 'Usage: symphony login'],
    [['logout', 'now'], 'unexpected argument "now"', 'Usage: symphony logout'],
    [['token'], 'needs --sub', 'Usage: symphony token'],
    [['token', '--sub', 'x', '--expires', 'soon'], '--expires', 'Usage: symphony token'],
    [['audit', 'check'], 'unknown audit subcommand "check"', 'Usage: symphony audit'],
    [['help', 'nothing'], 'no command "nothing" to help with', 'Usage: symphony <command>'],
    [['help', 'runs', 'nothing'], 'symphony runs has no subcommand "nothing"', 'Usage: symphony runs'],
  ])('%j', async (argv, message, usage) => {
    const out = await runMain(argv);
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toContain(message);
    expect(out.stderr).toContain(`\n\n${usage}`);
  });

  it('the built bin does the same as a real process', async () => {
    const cwd = tempDir();
    const env = cliEnv(tempDir());
    const [help, unknown, badOption] = await Promise.all([
      cli(['runs', 'ls', '--help'], { cwd, env }),
      cli(['frobnicate'], { cwd, env }),
      cli(['artifacts', 'verify', '--deep'], { cwd, env }),
    ]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: symphony runs ls/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain('Usage: symphony artifacts verify');
  });
});
