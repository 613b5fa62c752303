// The port for the user's secrets (provider API keys): named values kept on this machine only, never
// in a synced document, never logged and never shown back. The extension host reads them to add
// credential headers to an extension's fetches; nothing else needs their values.
import { z } from 'zod';

/** A credential's name: what `symphony credentials set <name>` and an instrument's `credential` say. */
export const CredentialName = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,63}$/,
    'credential name: lowercase letters, digits, ".", "_" and "-", at most 64, e.g. openai or anthropic-work',
  );
export type CredentialName = z.infer<typeof CredentialName>;

/** 16 KiB: longer than any provider key or token; more is a mistake (a file pasted by accident). */
export const MAX_CREDENTIAL_LENGTH = 16_384;

/** A credential's value: non-empty, one line, at most {@link MAX_CREDENTIAL_LENGTH} characters. */
export const CredentialValue = z
  .string()
  .min(1, 'a credential must not be empty')
  .max(MAX_CREDENTIAL_LENGTH, `a credential is at most ${MAX_CREDENTIAL_LENGTH} characters`)
  .refine((v) => !/[\r\n]/.test(v), 'a credential is one line (it goes in an HTTP header)');

/** Where credentials are kept. Implementations never log or echo a value. */
export interface CredentialStore {
  /** Where it keeps them, to tell the user (a path, or a description). */
  readonly location: string;
  /** The value of `name`, or undefined when none is stored. */
  get(name: string): Promise<string | undefined>;
  /** Stores `value` under `name`, replacing any earlier value. */
  set(name: string, value: string): Promise<void>;
  /** Forgets `name`; false when nothing was stored under it. */
  remove(name: string): Promise<boolean>;
  /** The names stored, sorted. */
  names(): Promise<string[]>;
}
