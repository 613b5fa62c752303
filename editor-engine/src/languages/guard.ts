// Crash containment for language plugins: a plugin method that throws is reported and answered empty.
import type { LanguagePlugin, OutlineLimits, TextRange } from './LanguagePlugin.js';

/** Told about a plugin that threw; `method` is the plugin method that did. */
export type LanguageErrorSink = (
  error: unknown,
  plugin: LanguagePlugin,
  method: keyof LanguagePlugin,
) => void;

/**
 * `plugin` with every method behind one guard: a throw (a grammar bug, a stack overflow on some
 * pathological text) is reported to `onError` and answered with no tokens or an empty outline, so a
 * view loses its colours for that call instead of the engine losing the request. The plugin stays
 * enabled: a failure is tied to one text, and the next edit usually parses.
 */
export function guardLanguage(plugin: LanguagePlugin, onError: LanguageErrorSink): LanguagePlugin {
  return {
    id: plugin.id,
    name: plugin.name,
    extensions: [...plugin.extensions],
    tokens(text: string, range?: TextRange) {
      try {
        return plugin.tokens(text, range);
      } catch (error) {
        onError(error, plugin, 'tokens');
        return [];
      }
    },
    outline(text: string) {
      try {
        return plugin.outline(text);
      } catch (error) {
        onError(error, plugin, 'outline');
        return [];
      }
    },
    outlineWithStatus(text: string, limits?: Partial<OutlineLimits>) {
      try {
        return plugin.outlineWithStatus(text, limits);
      } catch (error) {
        onError(error, plugin, 'outlineWithStatus');
        return { items: [], truncated: true };
      }
    },
    ...(plugin.prepare
      ? {
          async prepare(text: string, range?: TextRange) {
            try {
              await plugin.prepare?.(text, range);
            } catch (error) {
              onError(error, plugin, 'prepare');
            }
          },
        }
      : {}),
  };
}
