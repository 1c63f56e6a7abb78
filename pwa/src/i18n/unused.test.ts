/**
 * Every message has a use, and sits in the catalogue of the screens that
 * show it: a key no code asks for is a translation kept up in every
 * language for nothing, or a sign that a screen lost a message; a string
 * only staff screens show belongs in the staff catalogue (staff/), which a
 * trainer's phone never downloads; a string a field screen shows must be in
 * the field catalogue, or a trainer's phone would have no text for it.
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
import { staff } from './staff/en';

const allSources = import.meta.glob<string>(['../**/*.{ts,tsx}', '!../**/*.test.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
});
/** A catalogue file (paths are relative to this folder): one language's messages, field or staff. */
const CATALOGUE_FILE = /^\.\/(staff\/)?[a-z]{2,3}\.ts$/;
const sources = Object.fromEntries(Object.entries(allSources).filter(([file]) => !CATALOGUE_FILE.test(file)));
/** The staff screens: lazy chunks a trainer's phone never loads (app.tsx, vite.config.ts). */
const STAFF_SCREEN = /^\.\.\/(admin|coordinator)\//;
const staffTexts = Object.entries(sources)
  .filter(([file]) => STAFF_SCREEN.test(file))
  .map(([, text]) => text);
const fieldTexts = Object.entries(sources)
  .filter(([file]) => !STAFF_SCREEN.test(file))
  .map(([, text]) => text);

const LITERAL = /['"`]([a-z][a-z0-9_]*)['"`]/g;
const TEMPLATE_START = /`([a-z][a-z0-9_]*_)\$\{/g;

/** The keys of `keys` that `texts` use, as literals or by a template's start. */
function usedKeys(keys: string[], texts: string[]): string[] {
  const literals = new Set<string>();
  const starts = new Set<string>();
  for (const text of texts) {
    for (const [, literal] of text.matchAll(LITERAL)) literals.add(literal);
    for (const [, start] of text.matchAll(TEMPLATE_START)) starts.add(start);
  }
  return keys.filter((key) => literals.has(key) || [...starts].some((start) => key.startsWith(start)));
}

function unusedKeys(keys: string[], texts: string[]): string[] {
  const used = new Set(usedKeys(keys, texts));
  return keys.filter((key) => !used.has(key));
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

  it('reads the app’s source, field and staff screens apart, and no catalogue or test', () => {
    const files = Object.keys(sources);
    expect(files).toContain('../app.tsx');
    expect(files).toContain('./staff/index.ts');
    expect(files.some((file) => file.endsWith('.test.ts') || CATALOGUE_FILE.test(file))).toBe(false);
    expect(Object.keys(allSources)).toEqual(expect.arrayContaining(['./en.ts', './staff/en.ts']));
    expect(staffTexts.length).toBeGreaterThan(10);
    expect(fieldTexts.length).toBeGreaterThan(staffTexts.length);
  });

  it('every key of the field catalogue is used by the app', () => {
    expect(unusedKeys(Object.keys(en), Object.values(sources))).toEqual([]);
  });

  it('every key of the staff catalogue is used by a staff screen', () => {
    expect(unusedKeys(Object.keys(staff), staffTexts)).toEqual([]);
  });

  it('no key is in both catalogues', () => {
    expect(Object.keys(staff).filter((key) => Object.hasOwn(en, key))).toEqual([]);
  });

  it('no field screen asks for a key of the staff catalogue (a trainer’s phone would lack it)', () => {
    expect(usedKeys(Object.keys(staff), fieldTexts)).toEqual([]);
  });

  it('a key only staff screens use is in the staff catalogue, not on every trainer’s phone', () => {
    const usedByField = new Set(usedKeys(Object.keys(en), fieldTexts));
    expect(Object.keys(en).filter((key) => !usedByField.has(key))).toEqual([]);
  });
});
