// The budget an outline is built against (entries and depth, with a ceiling), and outline labels.
import { defaultOutlineLimits, type OutlineItem, type OutlineLimits } from './LanguagePlugin.js';

/** Most a caller may raise the limits to; beyond these an outline is a denial of service. */
const ceiling: OutlineLimits = { maxItems: 100_000, maxDepth: 256 };

/** Counts the entries of an outline being built against its {@link OutlineLimits}. */
export class OutlineBudget {
  readonly maxItems: number;
  readonly maxDepth: number;
  #count = 0;
  /** True once an entry was left out. */
  truncated = false;

  constructor(limits: Partial<OutlineLimits> = {}) {
    const pick = (value: number | undefined, fallback: number, max: number) =>
      typeof value === 'number' && Number.isFinite(value)
        ? Math.min(max, Math.max(0, Math.floor(value)))
        : fallback;
    this.maxItems = pick(limits.maxItems, defaultOutlineLimits.maxItems, ceiling.maxItems);
    this.maxDepth = pick(limits.maxDepth, defaultOutlineLimits.maxDepth, ceiling.maxDepth);
  }

  /** True when no more entries fit; callers stop walking then. */
  get exhausted(): boolean {
    return this.#count >= this.maxItems;
  }

  /**
   * Whether an entry at `depth` (1 = top) may be added under `parent`; counts it if so, and
   * otherwise records the cut on the budget and on `parent`.
   */
  admit(depth: number, parent: OutlineItem | undefined): boolean {
    if (depth > this.maxDepth || this.#count >= this.maxItems) {
      this.truncated = true;
      if (parent) parent.truncated = true;
      return false;
    }
    this.#count++;
    return true;
  }
}

/** At most 200 characters of whitespace-collapsed `text`: enough to recognise an entry by. */
export function outlineLabel(text: string): string {
  const label = text.slice(0, 400).replace(/\s+/g, ' ').trim();
  return label.length > 200 ? `${label.slice(0, 199)}…` : label;
}
