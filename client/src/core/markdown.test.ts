// Tests of Markdown import and export naming: titles from the first heading, safe file names.
import { describe, expect, it } from 'vitest';
import { exportFileName, firstHeading, titleForImport } from './markdown.js';

describe('titleForImport', () => {
  it('uses the first heading, ATX or setext, without inline marks', () => {
    expect(titleForImport('intro\n\n## **Plan** for _Q3_ ##\n# Later', 'f.md')).toBe('Plan for Q3');
    expect(titleForImport('Big title\n=========\n\ntext', 'f.md')).toBe('Big title');
    expect(titleForImport('\uFEFF# [Linked](http://x) title', 'f.md')).toBe('Linked title');
  });

  it('ignores headings inside fenced code', () => {
    expect(firstHeading('```\n# not a heading\n```\n# Real')).toBe('Real');
    expect(firstHeading('~~~~\n# no\n~~~\n# still code\n~~~~')).toBeNull();
  });

  it('falls back to the file name, then to Untitled', () => {
    expect(titleForImport('no headings here', 'Meeting notes.markdown')).toBe('Meeting notes');
    expect(titleForImport('#   \n', '.md')).toBe('Untitled');
  });

  it('cuts long titles to 200 characters', () => {
    expect(titleForImport(`# ${'a'.repeat(300)}`, 'f.md')).toHaveLength(200);
  });

  it('does not take a list item followed by a rule as a setext heading', () => {
    expect(firstHeading('- item\n---\n')).toBeNull();
  });
});

describe('exportFileName', () => {
  it('keeps readable titles and replaces characters file systems reject', () => {
    expect(exportFileName('Release checklist')).toBe('Release checklist.md');
    expect(exportFileName('a/b:c*d?"e"<f>|g')).toBe('a-b-c-d--e--f--g.md');
    expect(exportFileName('...')).toBe('Untitled.md');
  });
});
