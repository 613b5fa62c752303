/**
 * Vite puts every `VITE_*` variable into the client bundle, which anyone who opens the app can read.
 * A service-role key or the project's JWT secret there would let any reader act in every workspace,
 * so the build refuses such a value with a message that names the variable.
 */

/** The claims of a JWT, or `null` when `value` is not one. */
function jwtClaims(value: string): Record<string, unknown> | null {
  const parts = value.split('.');
  if (parts.length !== 3) return null;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    return typeof claims === 'object' && claims !== null ? (claims as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Names of the `VITE_*` variables in `env` that carry a secret, each with why. */
export function secretsInPublicEnv(env: Record<string, string | undefined>): string[] {
  const secrets = [env.SUPABASE_JWT_SECRET, env.SUPABASE_SERVICE_ROLE_KEY].filter(
    (s): s is string => typeof s === 'string' && s.length > 0,
  );
  const found: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('VITE_') || !value) continue;
    if (secrets.some((secret) => value.includes(secret))) {
      found.push(`${name} holds SUPABASE_JWT_SECRET or SUPABASE_SERVICE_ROLE_KEY`);
    } else if (jwtClaims(value)?.role === 'service_role') {
      found.push(`${name} is a service_role token`);
    }
  }
  return found;
}

/** Throws when a public variable carries a secret (called from vite.config.ts). */
export function assertNoSecretsInPublicEnv(env: Record<string, string | undefined>): void {
  const found = secretsInPublicEnv(env);
  if (found.length > 0) {
    throw new Error(
      `refusing to build: ${found.join('; ')}. VITE_* variables are readable by anyone who opens the app; ` +
        'use the anon key for VITE_SUPABASE_ANON_KEY and keep service keys on the server.',
    );
  }
}
