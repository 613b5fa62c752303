import { describe, expect, it } from 'vitest';
import { languageFor, languages } from './index.js';

describe('languageFor', () => {
  it('finds a language by id, case-insensitively', () => {
    for (const id of ['markdown', 'javascript', 'typescript', 'json', 'jsx', 'tsx']) {
      expect(languageFor(id)?.id).toBe(id);
    }
    expect(languageFor('TypeScript')?.id).toBe('typescript');
  });

  it('finds a language by the extension of a file name or title', () => {
    expect(languageFor('notes.md')?.id).toBe('markdown');
    expect(languageFor('README.markdown')?.id).toBe('markdown');
    expect(languageFor('src/App.tsx')?.id).toBe('tsx');
    expect(languageFor('a.jsx')?.id).toBe('jsx');
    expect(languageFor('types.d.ts')?.id).toBe('typescript');
    expect(languageFor('C:\\work\\server.MJS')?.id).toBe('javascript');
    expect(languageFor('package.json')?.id).toBe('json');
    expect(languageFor('md')?.id).toBe('markdown');
    expect(languageFor('.ts')?.id).toBe('typescript');
  });

  it('answers undefined for anything it does not know', () => {
    for (const name of ['', '  ', 'Makefile', 'notes.txt', 'md.', 'archive.tar.gz', 'json.backup']) {
      expect(languageFor(name)).toBeUndefined();
    }
  });

  it('lists every language once, each with extensions', () => {
    expect(new Set(languages.map((l) => l.id)).size).toBe(languages.length);
    for (const language of languages) expect(language.extensions.length).toBeGreaterThan(0);
  });
});
