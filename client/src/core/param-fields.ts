// The params inspector's form fields, derived from a node type's zod schema: field kinds, reading and
// formatting their input, and per-parameter errors from the same validation as the findings.
import { DOCUMENT_ID_FORMAT, type NodeTypeSpec, paramProblems } from '@symphony/schemas';
import { z } from 'zod';

/** One input in the params inspector, derived from a node type's zod schema. */
export type ParamField =
  | (FieldBase & { readonly kind: 'string'; readonly multiline: boolean; readonly maxLength?: number })
  | (FieldBase & {
      readonly kind: 'number';
      readonly integer: boolean;
      readonly min?: number;
      readonly max?: number;
    })
  | (FieldBase & { readonly kind: 'boolean' })
  | (FieldBase & {
      readonly kind: 'enum';
      readonly options: readonly string[];
      /** What the select shows for some options (e.g. "Local (extractive, non-neural)"); others show as they are. */
      readonly optionTitles?: Readonly<Record<string, string>>;
    })
  | (FieldBase & { readonly kind: 'string-list' })
  /** A workspace document, stored by id and picked by title. */
  | (FieldBase & { readonly kind: 'document' })
  /** A parameter the inspector cannot edit (shown read-only as JSON). */
  | (FieldBase & { readonly kind: 'unsupported' });

interface FieldBase {
  /** The parameter's name in `node.params`. */
  readonly name: string;
  /** Its label: the schema's `.describe()` text, else the name. */
  readonly label: string;
  readonly required: boolean;
  readonly defaultValue?: unknown;
}

/** 200: longer strings (prompts, schemas, notes) get a multi-line text area. */
const MULTILINE_FROM_LENGTH = 200;

interface JsonSchemaProperty {
  readonly type?: string;
  readonly enum?: readonly unknown[];
  readonly description?: string;
  readonly default?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly maxLength?: number;
  readonly format?: string;
  readonly items?: JsonSchemaProperty;
  readonly optionTitles?: Readonly<Record<string, string>>;
}

/** The inspector fields for `schema` (a node type's `params`), in declaration order. */
export function paramFields(schema: z.ZodObject): ParamField[] {
  // io 'input': defaults make a parameter optional, as it is for a person filling the form in.
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchemaProperty>;
    required?: readonly string[];
  };
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([name, p]) => fieldFor(name, p, required.has(name)));
}

function fieldFor(name: string, p: JsonSchemaProperty, required: boolean): ParamField {
  const base: FieldBase = {
    name,
    label: p.description ?? name,
    required,
    ...(p.default === undefined ? {} : { defaultValue: p.default }),
  };
  if (p.enum?.every((v) => typeof v === 'string')) {
    const titles = p.optionTitles === undefined ? {} : { optionTitles: p.optionTitles };
    return { ...base, kind: 'enum', options: (p.enum ?? []) as string[], ...titles };
  }
  if (p.type === 'string' && p.format === DOCUMENT_ID_FORMAT) return { ...base, kind: 'document' };
  switch (p.type) {
    case 'string':
      return {
        ...base,
        kind: 'string',
        multiline: p.maxLength === undefined || p.maxLength >= MULTILINE_FROM_LENGTH,
        ...(p.maxLength === undefined ? {} : { maxLength: p.maxLength }),
      };
    case 'number':
    case 'integer':
      return {
        ...base,
        kind: 'number',
        integer: p.type === 'integer',
        ...(p.minimum === undefined ? {} : { min: p.minimum }),
        ...(p.maximum === undefined ? {} : { max: p.maximum }),
      };
    case 'boolean':
      return { ...base, kind: 'boolean' };
    case 'array':
      return p.items?.type === 'string' ? { ...base, kind: 'string-list' } : { ...base, kind: 'unsupported' };
    default:
      return { ...base, kind: 'unsupported' };
  }
}

/**
 * What a field's raw input means as a parameter value: `undefined` removes the parameter (an
 * empty number field), a list is one item per line. Numbers that do not parse stay strings, so
 * validation reports them rather than the inspector silently dropping them.
 */
export function readFieldInput(field: ParamField, raw: string | boolean): unknown {
  switch (field.kind) {
    case 'boolean':
      return raw === true || raw === 'true';
    case 'number': {
      const text = String(raw).trim();
      if (text === '') return undefined;
      const n = Number(text);
      return Number.isFinite(n) ? n : text;
    }
    case 'string-list':
      return String(raw)
        .split('\n')
        .map((s) => s.trim())
        .filter((s) => s !== '');
    default:
      return String(raw);
  }
}

/** How a parameter's value shows in its field. */
export function formatFieldValue(field: ParamField, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (field.kind === 'string-list' && Array.isArray(value)) return value.map(String).join('\n');
  if (field.kind === 'unsupported') return JSON.stringify(value);
  return String(value);
}

/**
 * Per-parameter errors of a node's `params` against its type: parameter name → messages, from the
 * same schema validation uses, so the inspector and the findings always agree.
 */
export function paramErrors(
  spec: NodeTypeSpec,
  params: Readonly<Record<string, unknown>>,
): Map<string, string[]> {
  const errors = new Map<string, string[]>();
  for (const problem of paramProblems(spec.params, params)) {
    const isDocument = spec.documentParams?.[problem.param] !== undefined;
    const value = params[problem.param];
    const empty = value === undefined || (typeof value === 'string' && value.trim() === '');
    const message = isDocument && empty ? 'Pick a document.' : sentence(problem.text);
    const list = errors.get(problem.param);
    if (list) list.push(message);
    else errors.set(problem.param, [message]);
  }
  return errors;
}

/** "must be at least 16" → "Must be at least 16." */
function sentence(text: string): string {
  const body = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(body) ? body : `${body}.`;
}
