// OFB's credentials: the JWT secret, Supabase-compatible HS256 access tokens (with a cache of verified ones),
// scrypt password hashes, and the AuthError a refused token raises.
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { base64ToBytes, bytesToBase64, OfbErrorCode, OfbLimits } from '@symphony/schemas';
import { errors, jwtVerify, SignJWT } from 'jose';

const scryptAsync = promisify(scrypt) as (
  password: string,
  salt: Uint8Array,
  keylen: number,
) => Promise<Buffer>;

/** The claims OFB reads from a Supabase-compatible access token. */
export interface Claims {
  readonly sub: string;
  readonly role: string;
  readonly email?: string;
  readonly exp: number;
  /**
   * The session the token was minted for (sign-in, refreshed since): OFB refuses the token once the
   * session is revoked. Absent in service-role tokens and in tokens minted outside sign-in
   * (`symphony token`), which stay valid until their `exp`.
   */
  readonly sid?: string;
}

/** Why a token was refused. */
export class AuthError extends Error {
  override name = 'AuthError';
  constructor(
    readonly code:
      | typeof OfbErrorCode.missingToken
      | typeof OfbErrorCode.invalidToken
      | typeof OfbErrorCode.expiredToken
      | typeof OfbErrorCode.sessionRevoked
      | typeof OfbErrorCode.sessionExpired
      | typeof OfbErrorCode.noSession,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The HS256 secret: `SUPABASE_JWT_SECRET` when set (a real Supabase project), otherwise the one in
 * `<dataDir>/jwt-secret`, generated on first start (48 random bytes, readable by its owner only).
 */
export function loadJwtSecret(dataDir = '.symphony', env: NodeJS.ProcessEnv = process.env): string {
  if (env.SUPABASE_JWT_SECRET) return env.SUPABASE_JWT_SECRET;
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secret;
}

/** Parses `1h`, `30m`, `15s`, `2d` or a number of seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`duration "${text}" must look like 3600, 30s, 15m, 1h or 2d`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

/** How many verified tokens {@link TokenService} remembers (least recently used go first). */
const VERIFIED_CACHE_SIZE = 1024;

/** Signs and verifies Supabase-compatible HS256 access tokens. `now` is injected for tests. */
export class TokenService {
  private readonly key: Uint8Array;
  /**
   * Tokens whose signature verified, by their exact text, with their claims: the sync-server sends
   * the same service_role token with every persist, and a user's token with every access check.
   * An entry is used only while its `exp` is in the future; a refused token is never stored.
   */
  private readonly verified = new Map<string, Claims>();
  constructor(
    secret: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /** Mints a token for `sub` (of session `sid`, when given) that expires `expiresInSeconds` from now. */
  async sign(
    claims: { sub: string; email?: string; role?: string; sid?: string },
    expiresInSeconds = 3600,
  ): Promise<string> {
    const iat = Math.floor(this.now() / 1000);
    return new SignJWT({
      role: claims.role ?? 'authenticated',
      ...(claims.email ? { email: claims.email } : {}),
      ...(claims.sid ? { sid: claims.sid } : {}),
    })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.sub)
      .setIssuedAt(iat)
      .setExpirationTime(iat + expiresInSeconds)
      .sign(this.key);
  }

  /** Verifies signature and expiry (no clock tolerance: a token that expires in 0 s is already expired). */
  async verify(token: string): Promise<Claims> {
    const known = this.verified.get(token);
    if (known) {
      this.verified.delete(token);
      if (known.exp <= Math.floor(this.now() / 1000))
        throw new AuthError(OfbErrorCode.expiredToken, 'token has expired');
      this.verified.set(token, known);
      return known;
    }
    const claims = await this.verifySignature(token);
    if (this.verified.size >= VERIFIED_CACHE_SIZE) {
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, claims);
    return claims;
  }

  private async verifySignature(token: string): Promise<Claims> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        currentDate: new Date(this.now()),
        requiredClaims: ['exp'],
      });
      // A Supabase project's service-role key (`SUPABASE_SERVICE_ROLE_KEY`) carries `role:
      // service_role` and no `sub`: it acts as `service_role`. Every other token names its user.
      const serviceKey = payload.role === 'service_role' && payload.sub === undefined;
      const sub = serviceKey ? 'service_role' : payload.sub;
      if (typeof sub !== 'string' || sub.length === 0 || sub.length > OfbLimits.maxIdLength) {
        throw new AuthError(OfbErrorCode.invalidToken, 'token has no usable sub claim');
      }
      if (payload.exp! <= Math.floor(this.now() / 1000))
        throw new AuthError(OfbErrorCode.expiredToken, 'token has expired');
      return {
        sub,
        role: typeof payload.role === 'string' ? payload.role : 'authenticated',
        exp: payload.exp!,
        ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
        ...(typeof payload.sid === 'string' && payload.sid.length > 0 ? { sid: payload.sid } : {}),
      };
    } catch (error) {
      if (error instanceof AuthError) throw error;
      if (error instanceof errors.JWTExpired)
        throw new AuthError(OfbErrorCode.expiredToken, 'token has expired');
      throw new AuthError(
        OfbErrorCode.invalidToken,
        'token is not a valid HS256 JWT signed with this project secret',
      );
    }
  }
}

/** `scrypt$<salt b64>$<hash b64>`; N=16384 (node's default) keeps sign-in around 50 ms. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(password, salt, 32);
  return `scrypt$${bytesToBase64(salt)}$${bytesToBase64(hash)}`;
}

/** Compares in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = base64ToBytes(hash);
  const actual = await scryptAsync(password, base64ToBytes(salt), expected.length);
  return timingSafeEqual(actual, expected);
}
