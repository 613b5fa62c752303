// The Problems panel's count and its words: errors and warnings both counted, and what is true when
// there are none.
import type { Finding } from '@symphony/schemas';

/** What the Problems badge shows. */
export interface FindingsSummary {
  readonly errors: number;
  readonly warnings: number;
  /** Every finding, errors and warnings: the badge's number. */
  readonly total: number;
  /** The badge's colour: red with an error, amber with warnings only, green with none. */
  readonly tone: 'error' | 'warning' | 'none';
  /** The count in words, for the badge's accessible name: "2 errors and 1 warning", "No problems". */
  readonly words: string;
}

/** The Problems badge for `findings`. */
export function findingsSummary(findings: readonly Finding[]): FindingsSummary {
  const errors = findings.filter((f) => f.severity === 'error').length;
  const warnings = findings.length - errors;
  const parts = [
    ...(errors > 0 ? [`${errors} ${errors === 1 ? 'error' : 'errors'}`] : []),
    ...(warnings > 0 ? [`${warnings} ${warnings === 1 ? 'warning' : 'warnings'}`] : []),
  ];
  return {
    errors,
    warnings,
    total: findings.length,
    tone: errors > 0 ? 'error' : warnings > 0 ? 'warning' : 'none',
    words: parts.length === 0 ? 'No problems' : parts.join(' and '),
  };
}
