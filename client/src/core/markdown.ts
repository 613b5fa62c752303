// Markdown import and export of Documents: the title of an imported file (its first heading) and a safe
// download file name.
import { Title } from '@symphony/schemas';

/** 200: the longest title {@link Title} accepts. */
const MAX_TITLE_LENGTH = 200;

/** Title used when neither a heading nor a file name gives one. */
export const FALLBACK_TITLE = 'Untitled';

/**
 * The title for a Markdown file being imported: its first heading (ATX `# Heading` or setext
 * `Heading\n===`), else the file name without its extension, else {@link FALLBACK_TITLE}.
 * Always a valid {@link Title}: trimmed, and cut to 200 characters.
 */
export function titleForImport(markdown: string, fileName: string): string {
  const fromHeading = firstHeading(markdown);
  const fromFile = fileName.replace(/\.(md|markdown|mdown|mkd|txt)$/i, '').trim();
  for (const candidate of [fromHeading, fromFile]) {
    if (candidate === null) continue;
    const title = candidate.slice(0, MAX_TITLE_LENGTH).trim();
    if (Title.safeParse(title).success) return title;
  }
  return FALLBACK_TITLE;
}

/** The text of the first heading in `markdown`, outside fenced code blocks, or `null`. */
export function firstHeading(markdown: string): string | null {
  const lines = markdown.replace(/^\uFEFF/, '').split(/\r?\n/);
  let fence: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const fenceMatch = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fenceMatch?.[1] !== undefined) {
      const marker = fenceMatch[1];
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const atx = /^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (atx?.[1] !== undefined && atx[1].trim() !== '') return stripInline(atx[1]);
    const next = lines[i + 1] ?? '';
    if (line.trim() !== '' && /^ {0,3}(=+|-+)[ \t]*$/.test(next) && !/^ {0,3}[-*+>]/.test(line)) {
      return stripInline(line.trim());
    }
  }
  return null;
}

/** Removes the commonest inline Markdown marks, so `# **Plan** for _Q3_` gives `Plan for Q3`. */
function stripInline(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*|_|`|~~)(.+?)\1/g, '$2')
    .trim();
}

/**
 * A safe download file name for a document titled `title`: `<title>.md`, with characters that
 * file systems reject replaced by `-`.
 */
export function exportFileName(title: string): string {
  const base = title
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we strip
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '-')
    .replace(/\s+/g, ' ')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 120);
  return `${base === '' ? FALLBACK_TITLE : base}.md`;
}
