// `code-format`: formats code with Prettier's standalone API and the parser of the chosen language.
// No config file is read and no plugin beyond Prettier's own is loaded: the same input always gives
// the same output. A syntax error fails the node with its line and column.
import { RunErrorCode } from '@symphony/schemas';
import type { Plugin } from 'prettier';
import { packageVersion } from './package-version.js';
import { type Step, StepError } from './Step.js';
import { stepParams, textInput } from './step-inputs.js';

/** A language `code-format` formats. */
export type CodeLanguage = 'typescript' | 'javascript' | 'json' | 'markdown' | 'css';

/** Each language's Prettier parser and the plugins it needs, loaded on first use. */
const LANGUAGES: Readonly<Record<CodeLanguage, { parser: string; plugins: () => Promise<Plugin[]> }>> = {
  typescript: {
    parser: 'typescript',
    plugins: async () => [
      await import('prettier/plugins/typescript'),
      await import('prettier/plugins/estree'),
    ],
  },
  javascript: {
    parser: 'babel',
    plugins: async () => [await import('prettier/plugins/babel'), await import('prettier/plugins/estree')],
  },
  json: {
    parser: 'json',
    plugins: async () => [await import('prettier/plugins/babel'), await import('prettier/plugins/estree')],
  },
  markdown: { parser: 'markdown', plugins: async () => [await import('prettier/plugins/markdown')] },
  css: { parser: 'css', plugins: async () => [await import('prettier/plugins/postcss')] },
};

/** Where Prettier says a syntax error is. */
interface SyntaxLocation {
  readonly line: number;
  readonly column: number;
}

function locationOf(error: unknown): SyntaxLocation | undefined {
  const start = (error as { loc?: { start?: { line?: unknown; column?: unknown } } } | null)?.loc?.start;
  if (typeof start?.line !== 'number') return undefined;
  return { line: start.line, column: typeof start.column === 'number' ? start.column : 0 };
}

/** `code` formatted as `language`; a syntax error is an `invalid_input` StepError with its line and column. */
export async function formatCode(code: string, language: CodeLanguage): Promise<string> {
  const { parser, plugins } = LANGUAGES[language];
  const prettier = await import('prettier/standalone');
  try {
    return await prettier.format(code, { parser, plugins: await plugins() });
  } catch (error) {
    const at = locationOf(error);
    if (at === undefined) throw error;
    // Prettier's message is "Expression expected. (1:14)" followed by a code frame.
    const reason = (error instanceof Error ? error.message : String(error))
      .split('\n')[0]
      ?.replace(/\s*\(\d+:\d+\)$/, '');
    throw new StepError(
      RunErrorCode.invalidInput,
      `code-format: the ${language} does not parse at line ${at.line}, column ${at.column}: ${reason}`,
      false,
      { line: at.line, column: at.column },
    );
  }
}

/** `code-format`: its `code` input, formatted, on `code`. */
export function codeFormatStep(): Step {
  return {
    type: 'code-format',
    version: `1+prettier.${packageVersion('prettier')}`,
    deterministic: true,
    async run(context) {
      const { language } = stepParams('code-format', context);
      return { code: await formatCode(textInput('code-format', context, 'code'), language) };
    },
  };
}
