/**
 * Every message has a use: a key no code asks for is a translation kept up
 * in three languages for nothing, or a sign that a screen lost a message.
 *
 * The app's source (everything under src/ except the catalogues and the
 * tests) is read as text. A key is used when it appears there as a whole
 * string literal ('key', "key" or `key`), or when it starts with the
 * static start of a template literal that builds keys at run time, such
 * as `role_${role}`. Only template starts ending in "_" count: keys are
 * built as `<family>_<member>`, and a start like `l${x}` (an SVG path)
 * must not make every key beginning with "l" used.
 */
import { describe, expect, it } from 'vitest';
import { en } from './en';

const sources = import.meta.glob<string>(
  ['../**/*.{ts,tsx}', '!../**/*.test.ts', '!./en.ts', '!./ar.ts', '!./ckb.ts', '!./kmr.ts'],
  {
    query: '?raw',
    import: 'default',
    eager: true,
  },
);

const LITERAL = /['"`]([a-z][a-z0-9_]*)['"`]/g;
const TEMPLATE_START = /`([a-z][a-z0-9_]*_)\$\{/g;

function unusedKeys(keys: string[], texts: string[]): string[] {
  const literals = new Set<string>();
  const starts = new Set<string>();
  for (const text of texts) {
    for (const [, literal] of text.matchAll(LITERAL)) literals.add(literal);
    for (const [, start] of text.matchAll(TEMPLATE_START)) starts.add(start);
  }
  return keys.filter((key) => !literals.has(key) && ![...starts].some((start) => key.startsWith(start)));
}

describe('message keys', () => {
  it('the scanner counts literals and keys built from a template’s start, nothing else', () => {
    // Source text holding template literals, so "${" here is meant literally.
    const texts = [
      't(\'saved\'); const label = "nav_home";',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a template literal
      't(`role_${me.role}`)',
      // Neither a template start without "_" nor a key inside a longer string counts.
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the text of a template literal
      'const d = `l${x}`; const s = "not_saved here";',
    ];
    expect(unusedKeys(['saved', 'nav_home', 'role_admin', 'lang_en', 'not_saved'], texts)).toEqual([
      'lang_en',
      'not_saved',
    ]);
  });

  it('reads the app’s source', () => {
    const files = Object.keys(sources);
    expect(files).toContain('../app.tsx');
    expect(files.some((file) => file.endsWith('.test.ts') || /\/i18n\/(en|ar|ckb|kmr)\.ts$/.test(file))).toBe(false);
  });

  it('every key of the catalogues is used by the app', () => {
    expect(unusedKeys(Object.keys(en), Object.values(sources))).toEqual([]);
  });
});
