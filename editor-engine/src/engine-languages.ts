// The language plugins the editor engine's bin and worker load.
import { type LanguagePlugin, languages } from './languages/index.js';

/** The language plugins the bin and the worker load: Markdown, JavaScript/JSX, TypeScript/TSX, JSON. */
export const engineLanguages: readonly LanguagePlugin[] = languages;
