// `symphony token`: a dev access token (HS256) signed with the team server's JWT secret.
import { parseCommand } from './args.js';
import { UsageError } from './errors.js';
import type { CliIo } from './io.js';

/** Usage of `symphony token`. */
export const tokenUsage = `Usage: symphony token --sub ID [--email E] [--role authenticated] [--expires 1h] [--data-dir .symphony]

Prints a dev access token (HS256) signed with SUPABASE_JWT_SECRET, or with the secret in
<data-dir>/jwt-secret (generated if missing).

Options:
  --sub ID          the user id the token is for (required)
  --email E         an e-mail claim
  --role ROLE       the role claim (default authenticated)
  --expires TIME    lifetime: 3600, 30s, 15m, 1h or 2d (default 1h)
  --data-dir DIR    the team server's data folder (default .symphony)
  -h, --help        show this text`;

const spec = {
  usage: tokenUsage,
  options: {
    sub: { type: 'string' },
    email: { type: 'string' },
    role: { type: 'string', default: 'authenticated' },
    expires: { type: 'string', default: '1h' },
    'data-dir': { type: 'string', default: '.symphony' },
    help: { type: 'boolean', short: 'h' },
  },
} as const;

/** `symphony token …`: prints the token on stdout; 2 on bad usage. */
export async function tokenCommand(args: string[], io: CliIo): Promise<number> {
  const line = parseCommand(args, spec, io);
  if (line === 'help') return 0;
  const { sub, email, role, expires } = line.values;
  if (!sub) throw new UsageError('symphony token needs --sub ID (the user id the token is for)', tokenUsage);
  const { loadJwtSecret, parseDuration, TokenService } = await import('@symphony/ofb');
  let seconds: number;
  try {
    seconds = parseDuration(expires);
  } catch (error) {
    throw new UsageError(`--expires: ${(error as Error).message}`, tokenUsage);
  }
  const tokens = new TokenService(loadJwtSecret(line.values['data-dir'], io.env));
  const jwt = await tokens.sign({ sub, role, ...(email ? { email } : {}) }, seconds);
  io.stdout(`${jwt}\n`);
  return 0;
}
