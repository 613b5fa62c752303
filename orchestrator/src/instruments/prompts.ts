// What each instrument node type asks a chat model, and how the answer becomes the node's outputs.
// Pure: params and inputs in, messages out; answer text in, output values out. Both instruments
// (OpenAI-compatible and Anthropic) share it, so a node means the same on either.
import { NodeParams, type NodeParamsOf } from '@symphony/schemas';
import { z } from 'zod';
import { InstrumentError, InstrumentInputError, malformedRetryable } from './errors.js';

/** The node types that run on a chat model. */
export const CHAT_NODE_TYPES = [
  'llm-prompt',
  'summarize',
  'classify',
  'extract-keywords',
  'translate',
  'review-code',
  'generate-tests',
] as const;
export type ChatNodeType = (typeof CHAT_NODE_TYPES)[number];

/** The node type that runs on an embeddings endpoint. */
export const EMBED_NODE_TYPE = 'embed';

/** Whether `type` is one of {@link CHAT_NODE_TYPES}. */
export function isChatNodeType(type: string): type is ChatNodeType {
  return (CHAT_NODE_TYPES as readonly string[]).includes(type);
}

/** One chat request, in terms both wire formats can carry. */
export interface ChatPrompt {
  readonly system: string;
  readonly user: string;
  readonly maxTokens: number;
  readonly temperature: number;
}

/** Input values of a call, by port, in edge order. */
export type CallInputs = Readonly<Record<string, readonly unknown[]>>;

/** The node's params parsed by its node-library schema (defaults filled in). */
export function nodeParams<T extends ChatNodeType | typeof EMBED_NODE_TYPE>(
  type: T,
  params: unknown,
): NodeParamsOf<T> {
  const parsed = NodeParams[type].safeParse(params);
  if (parsed.success) return parsed.data as NodeParamsOf<T>;
  throw new InstrumentInputError(
    `${type}: its params do not match the node type: ${z.prettifyError(parsed.error)}`,
  );
}

function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/** The one value on `port`, as text. */
export function textOf(type: string, inputs: CallInputs, port: string): string {
  const first = (inputs[port] ?? [])[0];
  if (first === undefined)
    throw new InstrumentInputError(`${type}: nothing is connected to its "${port}" input`);
  return asText(first);
}

/** A Markdown code fence around `code`, longer than any run of backticks inside it. */
function fenced(code: string): string {
  const longest = Math.max(0, ...[...code.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}\n${code}\n${fence}`;
}

const SUMMARY_LENGTH = {
  short: { words: 'in one or two sentences', maxTokens: 256 },
  medium: { words: 'in one paragraph of three to five sentences', maxTokens: 512 },
  long: { words: 'in a few paragraphs that cover every main point', maxTokens: 1500 },
} as const;

const REVIEW_FOCUS = {
  bugs: 'for bugs: wrong behaviour, unhandled edge cases and errors',
  security: 'for security problems: injection, unchecked input, leaked secrets, unsafe permissions',
  style: 'for readability and style: naming, structure, idioms, dead code',
  all: 'for bugs, security problems, and readability and style',
} as const;

const TEST_FRAMEWORK = {
  vitest: "Vitest (TypeScript; import describe, it and expect from 'vitest')",
  jest: 'Jest',
  pytest: 'pytest (Python)',
  'go-test': "Go's testing package (go test)",
} as const;

/** 4096 tokens: the most every supported model may answer in one call, and enough for a test file. */
const LONG_ANSWER_TOKENS = 4096;

/** The chat request of a node of `type` with `params` and `inputs`. */
export function chatPrompt(type: ChatNodeType, params: unknown, inputs: CallInputs): ChatPrompt {
  switch (type) {
    case 'llm-prompt': {
      const p = nodeParams(type, params);
      const contexts = (inputs.context ?? []).map(asText);
      const context = contexts
        .map((text, i) => `<context index="${i + 1}">\n${text}\n</context>`)
        .join('\n\n');
      return {
        system:
          'You are a precise assistant inside an automated workflow. Answer the request directly, without preamble.',
        user: contexts.length === 0 ? p.prompt : `${context}\n\n${p.prompt}`,
        maxTokens: p.maxTokens,
        temperature: p.temperature,
      };
    }
    case 'summarize': {
      const p = nodeParams(type, params);
      const length = SUMMARY_LENGTH[p.length];
      const focus = p.focus.trim() === '' ? '' : ` Focus on: ${p.focus.trim()}.`;
      return {
        system:
          'You summarize texts faithfully. Write only the summary: no title, no preamble, no commentary.',
        user: `Summarize the text below ${length.words}.${focus}\n\n<text>\n${textOf(type, inputs, 'text')}\n</text>`,
        maxTokens: length.maxTokens,
        temperature: 0.3,
      };
    }
    case 'classify': {
      const p = nodeParams(type, params);
      return {
        system:
          'You are a text classifier. Answer with exactly one of the given labels, spelled as given, and nothing else.',
        user: `Labels:\n${p.labels.map((l) => `- ${l}`).join('\n')}\n\n<text>\n${textOf(type, inputs, 'text')}\n</text>\n\nWhich one label fits the text best?`,
        maxTokens: 100,
        temperature: 0,
      };
    }
    case 'extract-keywords': {
      const p = nodeParams(type, params);
      return {
        system:
          'You extract the key words and phrases of a text. Answer with one keyword or short phrase per line, most important first, with no numbering, bullets or commentary.',
        user: `List at most ${p.count} keywords of the text below.\n\n<text>\n${textOf(type, inputs, 'text')}\n</text>`,
        maxTokens: 64 + p.count * 16,
        temperature: 0,
      };
    }
    case 'translate': {
      const p = nodeParams(type, params);
      return {
        system: `You are a professional translator. Translate the user's text into ${p.targetLanguage}, keeping its meaning, tone and formatting (Markdown, line breaks, code). Answer with the translation only.`,
        user: textOf(type, inputs, 'text'),
        maxTokens: LONG_ANSWER_TOKENS,
        temperature: 0.3,
      };
    }
    case 'review-code': {
      const p = nodeParams(type, params);
      return {
        system:
          'You are a senior software engineer reviewing code. Report concrete problems, most severe first, each with the line or construct it concerns, why it matters, and a fix. If there are none, say so. Use Markdown.',
        user: `Review this code ${REVIEW_FOCUS[p.focus]}.\n\n${fenced(textOf(type, inputs, 'code'))}`,
        maxTokens: 2048,
        temperature: 0.2,
      };
    }
    case 'generate-tests': {
      const p = nodeParams(type, params);
      return {
        system:
          'You write thorough, runnable unit tests. Answer with one code block holding the complete test file, and nothing else.',
        user: `Write unit tests with ${TEST_FRAMEWORK[p.framework]} for the code below. Cover its normal behaviour, its edge cases and its errors.\n\n${fenced(textOf(type, inputs, 'code'))}`,
        maxTokens: LONG_ANSWER_TOKENS,
        temperature: 0.2,
      };
    }
  }
}

/** The node's outputs from the model's whole answer; a malformed answer throws `malformed`. */
export function chatOutputs(
  type: ChatNodeType,
  params: unknown,
  answer: string,
  attempt: number,
): Record<string, unknown> {
  const text = answer.trim();
  if (text === '') throw malformed(type, 'the model answered nothing', attempt);
  switch (type) {
    case 'llm-prompt':
    case 'translate':
      return { text };
    case 'summarize':
      return { summary: text };
    case 'review-code':
      return { review: text };
    case 'generate-tests':
      return { tests: unfence(text) };
    case 'classify': {
      const { labels } = nodeParams(type, params);
      const label = matchLabel(text, labels);
      if (label === undefined) {
        throw malformed(
          type,
          `the model answered "${text.slice(0, 100)}", not one of ${labels.join(', ')}`,
          attempt,
        );
      }
      return { label };
    }
    case 'extract-keywords': {
      const { count } = nodeParams(type, params);
      const keywords = keywordList(text).slice(0, count);
      if (keywords.length === 0) throw malformed(type, 'the model listed no keywords', attempt);
      return { keywords };
    }
  }
}

function malformed(type: string, why: string, attempt: number): InstrumentError {
  return new InstrumentError('malformed', `${type}: ${why}`, { retryable: malformedRetryable(attempt) });
}

/** `text` without decoration a model adds around a one-word answer: quotes, bold, a final full stop. */
function bare(text: string): string {
  return text
    .trim()
    .replace(/^(label\s*:\s*)/i, '')
    .replace(/^[\s"'`*_]+|[\s"'`*_.!]+$/g, '')
    .toLowerCase();
}

/**
 * The label `answer` names, matched case-insensitively: the answer itself, else the one label that
 * occurs in it as a whole phrase (a model that explains itself); undefined when none or several do.
 */
export function matchLabel(answer: string, labels: readonly string[]): string | undefined {
  const wanted = bare(answer);
  const exact = labels.find((label) => bare(label) === wanted);
  if (exact !== undefined) return exact;
  const lower = answer.toLowerCase();
  const found = labels.filter((label) => {
    const escaped = label.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^\\p{L}\\p{N}])${escaped}($|[^\\p{L}\\p{N}])`, 'u').test(lower);
  });
  return found.length === 1 ? found[0] : undefined;
}

/** One keyword per line (or comma-separated on one line), without bullets, numbers or quotes, deduplicated. */
export function keywordList(answer: string): string[] {
  const lines = answer.split(/\r?\n/).filter((line) => line.trim() !== '');
  const items = lines.length === 1 ? (lines[0] ?? '').split(',') : lines;
  const seen = new Set<string>();
  const keywords: string[] = [];
  for (const item of items) {
    const keyword = item
      .replace(/^\s*(?:[-*•]|\d+[.)])\s*/, '')
      .replace(/^[\s"'`*_]+|[\s"'`*_.,;]+$/g, '')
      .trim();
    const key = keyword.toLowerCase();
    if (keyword === '' || seen.has(key)) continue;
    seen.add(key);
    keywords.push(keyword);
  }
  return keywords;
}

/** The inside of the first fenced code block of `answer`, or the whole answer when it has none. */
export function unfence(answer: string): string {
  const match = /^(`{3,})[^\n]*\n([\s\S]*?)\n\1\s*$/m.exec(answer);
  return match?.[2] ?? answer;
}
