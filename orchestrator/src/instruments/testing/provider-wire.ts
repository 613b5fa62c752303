// The wire formats the provider test server checks and the deterministic answers it gives: request
// bodies as OpenAI and Anthropic define them, token counting, streamed deltas and test embeddings.
import { createHash } from 'node:crypto';
import * as prng from 'lib0/prng';
import { z } from 'zod';

/** Tokens of `text` as the server counts them: one per word. */
export function countTokens(text: string): number {
  return text.split(/\s+/).filter((w) => w !== '').length;
}

/** How the server streams `answer`: one delta per word with the space after it. */
export function answerDeltas(answer: string): string[] {
  return answer.match(/\s*\S+\s*/g) ?? [];
}

/** The vector the embeddings endpoint answers for `text`: seeded by its hash, L2-normalised. */
export function testEmbedding(text: string, dimensions: number): number[] {
  const seed = createHash('sha256').update(text).digest().readUInt32LE(0);
  const gen = prng.create(seed);
  const raw = Array.from({ length: dimensions }, () => prng.real53(gen) * 2 - 1);
  const norm = Math.hypot(...raw) || 1;
  return raw.map((x) => Math.fround(x / norm));
}

export const content = z.union([
  z.string(),
  z.array(z.object({ type: z.string(), text: z.string().optional() })),
]);
export const OpenAiChatBody = z.object({
  model: z.string().min(1),
  messages: z
    .array(z.object({ role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']), content }))
    .min(1),
  max_tokens: z.number().int().positive().optional(),
  max_completion_tokens: z.number().int().positive().optional(),
  temperature: z.number().min(0).max(2).optional(),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).optional(),
});
export const OpenAiEmbeddingsBody = z.object({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(z.string()).min(1)]),
  dimensions: z.number().int().positive().optional(),
  encoding_format: z.enum(['float', 'base64']).optional(),
});
export const AnthropicBody = z.object({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  system: content.optional(),
  messages: z.array(z.object({ role: z.enum(['user', 'assistant']), content })).min(1),
  temperature: z.number().min(0).max(1).optional(),
  stream: z.boolean().optional(),
});

/** The text of a message's content: a string, or text parts. */
export function textOf(value: z.infer<typeof content> | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : value.map((part) => part.text ?? '').join('');
}
