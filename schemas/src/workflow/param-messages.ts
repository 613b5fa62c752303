// What is wrong with a node's parameter, in a person's words ("must be at least 16"), from a zod issue:
// the one wording the findings and the params inspector share.
import type { z } from 'zod';

/** One problem with one parameter of a node. */
export interface ParamProblem {
  /** The parameter's name in `node.params` ('' for the parameters as a whole). */
  readonly param: string;
  /** Its title, as the inspector labels it ("Dimensions"). */
  readonly label: string;
  /** What is wrong, to follow the label: "must be at least 16", "item 2: must not be empty". */
  readonly text: string;
}

/**
 * The problems of `params` against `schema` (a node type's `params`), one per zod issue, worded for
 * a person: the label is the parameter's title and the text says what a valid value is. Messages
 * the node library wrote itself ("give at least two labels") are kept; zod's generic ones
 * ("Too small: expected number to be >=16") are rewritten.
 */
export function paramProblems(
  schema: z.ZodObject,
  params: Readonly<Record<string, unknown>>,
): ParamProblem[] {
  const parsed = schema.safeParse(params);
  if (parsed.success) return [];
  return parsed.error.issues.map((issue) => {
    const param = issue.path.length > 0 ? String(issue.path[0]) : '';
    const field = param === '' ? undefined : (schema.shape[param] as z.ZodType | undefined);
    const label = field?.description ?? param;
    const where = issue.path.length > 1 ? `item ${Number(issue.path[1]) + 1}: ` : '';
    return { param, label, text: `${where}${issueText(issue, params[param] === undefined)}` };
  });
}

/** zod's own messages start like this; anything else was written by the node library. */
const GENERIC = /^(Too small|Too big|Invalid|Expected|Unrecognized)/;

/** What a valid value is, for one zod issue. */
function issueText(issue: z.core.$ZodIssue, absent: boolean): string {
  if (!GENERIC.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'too_small':
      return bound('at least', 'more than', issue.origin, issue.minimum, issue.inclusive);
    case 'too_big':
      return bound('at most', 'less than', issue.origin, issue.maximum, issue.inclusive);
    case 'invalid_type':
      if (absent) return 'must be set';
      if (issue.expected === 'int') return 'must be a whole number';
      return `must be ${article(String(issue.expected))}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_format':
      return `is not a valid ${issue.format}`;
    default:
      return 'is not valid';
  }
}

function bound(
  closed: string,
  open: string,
  origin: string,
  limit: number | bigint,
  inclusive: boolean | undefined,
): string {
  const n = Number(limit);
  const words = inclusive === false ? open : closed;
  if (origin === 'string') {
    if (closed === 'at least' && n === 1 && inclusive !== false) return 'must not be empty';
    return `must be ${words} ${n} ${n === 1 ? 'character' : 'characters'} long`;
  }
  if (origin === 'array' || origin === 'set') return `must have ${words} ${n} ${n === 1 ? 'item' : 'items'}`;
  return `must be ${words} ${n}`;
}

function article(type: string): string {
  const words: Record<string, string> = {
    number: 'a number',
    string: 'text',
    boolean: 'on or off',
    array: 'a list',
    object: 'a set of fields',
  };
  return words[type] ?? `a ${type}`;
}
