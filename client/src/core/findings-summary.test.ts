// Tests of the Problems badge: errors and warnings both counted, in words.
import type { Finding } from '@symphony/schemas';
import { describe, expect, it } from 'vitest';
import { findingsSummary } from './findings-summary.js';

const finding = (severity: Finding['severity']): Finding => ({
  code: 'empty-workflow',
  severity,
  target: { kind: 'workflow' },
  message: 'm',
  hint: 'h',
});

describe('findingsSummary', () => {
  it('counts a lone warning: the badge never says 0 while something is listed', () => {
    expect(findingsSummary([finding('warning')])).toEqual({
      errors: 0,
      warnings: 1,
      total: 1,
      tone: 'warning',
      words: '1 warning',
    });
  });

  it('counts errors and warnings together, errors setting the tone', () => {
    const s = findingsSummary([finding('error'), finding('warning'), finding('error')]);
    expect(s).toMatchObject({ total: 3, tone: 'error', words: '2 errors and 1 warning' });
  });

  it('says there are no problems when there are none', () => {
    expect(findingsSummary([])).toMatchObject({ total: 0, tone: 'none', words: 'No problems' });
  });
});
