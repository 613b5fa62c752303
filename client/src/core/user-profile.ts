// This person's profile as collaborators see it (display name, cursor colour): a random first one,
// validation, and loading and saving it in localStorage.
import { lightPresenceColor, PRESENCE_COLORS, PresenceColor } from '@symphony/schemas';
import type { StringStore } from './StringStore.js';

/** How this person appears to collaborators: next to their cursor and in the presence list. */
export interface UserProfile {
  readonly name: string;
  /** A `#rrggbb` colour for their cursor and selection. */
  readonly color: string;
}

/** 40: enough for a full name, short enough to fit a cursor label. */
export const MAX_USER_NAME_LENGTH = 40;

/** Cursor colours that read well on white with white label text (the shared presence palette). */
export const USER_COLORS = PRESENCE_COLORS;

const ADJECTIVES = ['Quiet', 'Brisk', 'Bright', 'Calm', 'Clever', 'Gentle', 'Lively', 'Swift'];
const ANIMALS = ['Heron', 'Otter', 'Lynx', 'Wren', 'Fox', 'Panda', 'Falcon', 'Badger'];

/** localStorage key of the profile. */
export const USER_PROFILE_KEY = 'symphony:user';

/** A random profile for someone who has not chosen one; `random` returns values in [0, 1). */
export function randomProfile(random: () => number): UserProfile {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  return { name: `${pick(ADJECTIVES)} ${pick(ANIMALS)}`, color: pick(USER_COLORS) };
}

/** Why `name` is not a usable display name, or `null` if it is. */
export function validateUserName(name: string): string | null {
  const trimmed = name.trim();
  if (trimmed === '') return 'Name must not be empty';
  if (trimmed.length > MAX_USER_NAME_LENGTH) return `Name must be at most ${MAX_USER_NAME_LENGTH} characters`;
  return null;
}

/** Whether `color` is a `#rrggbb` colour, the only form presence carries (`PresenceColor`). */
export function isHexColor(color: unknown): color is string {
  return PresenceColor.safeParse(color).success;
}

/** The translucent variant of `color` used for selections (`#rrggbb` + alpha). */
export function lightColor(color: string): string {
  return lightPresenceColor(color);
}

/** Loads the stored profile; creates and stores a random one if there is none or it is invalid. */
export function loadUserProfile(store: StringStore, random: () => number): UserProfile {
  const raw = store.getItem(USER_PROFILE_KEY);
  if (raw !== null) {
    try {
      const parsed: unknown = JSON.parse(raw);
      if (
        typeof parsed === 'object' &&
        parsed !== null &&
        'name' in parsed &&
        'color' in parsed &&
        typeof parsed.name === 'string' &&
        typeof parsed.color === 'string' &&
        validateUserName(parsed.name) === null &&
        isHexColor(parsed.color)
      ) {
        return { name: parsed.name.trim(), color: parsed.color };
      }
    } catch {
      // A corrupt entry is replaced below.
    }
  }
  const profile = randomProfile(random);
  saveUserProfile(store, profile);
  return profile;
}

/** Stores `profile`. Throws a {@link RangeError} naming the problem if it is invalid. */
export function saveUserProfile(store: StringStore, profile: UserProfile): void {
  const problem = validateUserName(profile.name);
  if (problem !== null) throw new RangeError(`saveUserProfile(): ${problem}`);
  if (!isHexColor(profile.color)) throw new RangeError('saveUserProfile(): color must be "#rrggbb"');
  store.setItem(USER_PROFILE_KEY, JSON.stringify({ name: profile.name.trim(), color: profile.color }));
}
