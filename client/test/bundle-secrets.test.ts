// Tests of the built client bundle: no JWT secret, service-role key or OFB server code in it, and a
// build refused when a VITE_* variable holds a secret.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsInPublicEnv } from '../build/public-env.js';

/**
 * The client is public: anything in its bundle is readable by anyone who opens the app. It may
 * carry the anon key (public by design), never the project's JWT secret or a service-role token,
 * which would let a reader act in every workspace. The bundle is built here with both secrets set
 * in the build's environment, then searched for them.
 */
const clientRoot = fileURLToPath(new URL('..', import.meta.url));
const JWT_SECRET = 'sentinel-jwt-secret-7f3a9c1e5b2d4a60';
const SERVICE_ROLE_KEY = 'sentinel-service-role-key-0c8e6a4f2d1b9375';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

describe('the client bundle', () => {
  let outDir: string;
  let bundle: { path: string; text: string }[];
  const saved = { ...process.env };

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'symphony-bundle-'));
    Object.assign(process.env, {
      SUPABASE_JWT_SECRET: JWT_SECRET,
      SUPABASE_SERVICE_ROLE_KEY: SERVICE_ROLE_KEY,
      // Even a misnamed public variable must not carry a secret into the bundle unnoticed.
      VITE_SUPABASE_ANON_KEY: 'public-anon-key',
    });
    const { build } = await import('vite');
    await build({
      root: clientRoot,
      configFile: join(clientRoot, 'vite.config.ts'),
      logLevel: 'silent',
      build: { outDir, emptyOutDir: true },
    });
    bundle = files(outDir).map((path) => ({ path, text: readFileSync(path).toString('latin1') }));
  }, 180_000);

  afterAll(async () => {
    process.env = saved;
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  it('was built (it has the app and the service worker)', () => {
    expect(bundle.some((f) => f.path.endsWith('index.html'))).toBe(true);
    expect(bundle.some((f) => f.path.endsWith('sw.js'))).toBe(true);
    // The search below would pass on an empty bundle; make sure the app's code is in it.
    expect(bundle.some((f) => f.text.includes('symphony-app'))).toBe(true);
  });

  it('holds neither the JWT secret nor the service-role key from the build environment', () => {
    const leaks = bundle.filter((f) => f.text.includes(JWT_SECRET) || f.text.includes(SERVICE_ROLE_KEY));
    expect(leaks.map((f) => f.path)).toEqual([]);
  });

  it('holds no token that claims the service role, and no OFB server code', () => {
    const jwt = /eyJ[A-Za-z0-9_-]{10,}\.(eyJ[A-Za-z0-9_-]{10,})\.[A-Za-z0-9_-]{10,}/g;
    const serviceTokens: string[] = [];
    for (const f of bundle) {
      for (const match of f.text.matchAll(jwt)) {
        const claims = Buffer.from(match[1]!, 'base64url').toString('utf8');
        if (claims.includes('service_role')) serviceTokens.push(`${f.path}: ${match[0].slice(0, 24)}…`);
      }
    }
    expect(serviceTokens).toEqual([]);
    // OFB's secret handling (loadJwtSecret reads `.symphony/jwt-secret`) must never be bundled.
    expect(bundle.filter((f) => f.text.includes('jwt-secret')).map((f) => f.path)).toEqual([]);
  });
});

/** A JWT with these claims (unsigned: only its shape matters to the guard). */
const jwt = (claims: object) =>
  ['{"alg":"HS256","typ":"JWT"}', JSON.stringify(claims), 'signature']
    .map((part, i) => (i < 2 ? Buffer.from(part).toString('base64url') : part))
    .join('.');

describe('the build refuses a secret in a public (VITE_*) variable', () => {
  const serviceKey = jwt({ iss: 'supabase', ref: 'project', role: 'service_role', iat: 1, exp: 2 });
  const anonKey = jwt({ iss: 'supabase', ref: 'project', role: 'anon', iat: 1, exp: 2 });

  it('names a service_role token or a server secret, and lets the anon key through', () => {
    expect(secretsInPublicEnv({ VITE_SUPABASE_ANON_KEY: anonKey })).toEqual([]);
    expect(secretsInPublicEnv({ VITE_SUPABASE_ANON_KEY: serviceKey })).toEqual([
      'VITE_SUPABASE_ANON_KEY is a service_role token',
    ]);
    expect(secretsInPublicEnv({ SUPABASE_JWT_SECRET: JWT_SECRET, VITE_EXTRA: `x${JWT_SECRET}x` })).toEqual([
      'VITE_EXTRA holds SUPABASE_JWT_SECRET or SUPABASE_SERVICE_ROLE_KEY',
    ]);
    // The secret itself, in its own non-public variable, is fine.
    expect(secretsInPublicEnv({ SUPABASE_SERVICE_ROLE_KEY: serviceKey })).toEqual([]);
  });

  it('fails a real build whose VITE_SUPABASE_ANON_KEY is a service-role key, naming it', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'symphony-bundle-refused-'));
    const saved = process.env.VITE_SUPABASE_ANON_KEY;
    process.env.VITE_SUPABASE_ANON_KEY = serviceKey;
    try {
      const { build } = await import('vite');
      await expect(
        build({
          root: clientRoot,
          configFile: join(clientRoot, 'vite.config.ts'),
          logLevel: 'silent',
          build: { outDir, emptyOutDir: true },
        }),
      ).rejects.toThrow(/VITE_SUPABASE_ANON_KEY is a service_role token/);
      expect(files(outDir)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.VITE_SUPABASE_ANON_KEY;
      else process.env.VITE_SUPABASE_ANON_KEY = saved;
      await rm(outDir, { recursive: true, force: true });
    }
  }, 60_000);
});
