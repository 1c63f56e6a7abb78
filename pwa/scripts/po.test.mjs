// The translators' path (scripts/po.mjs): catalogues to PO and back, and
// what reading a PO file refuses.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parsePo, RefusedTranslation, readCatalogue, readTranslations, rewriteCatalogue, writePo } from './po.mjs';

const PWA = join(dirname(fileURLToPath(import.meta.url)), '..');

const EN = `export const en = {
  // ---- Sending
  saved: 'Saved',
  sent_of: '{sent} of {total} sent',
  quoted: 'Tap “Send now”, it\\'s \\\\ safe',
  waiting: { one: '{n} record waiting', other: '{n} records waiting' },
} as const;
`;
const AR = `import type { Messages } from './messages';

export const ar: Messages = {
  // ---- Sending
  saved: 'حُفظ',
  sent_of: 'أُرسل {sent} من {total}',
  quoted: 'اضغط «أرسل الآن»',
  waiting: {
    zero: 'لا سجلات',
    one: 'سجل واحد',
    two: 'سجلان',
    few: '{n} سجلات',
    many: '{n} سجلًا',
    other: '{n} سجل',
  },
};
`;
const english = readCatalogue('en.ts', EN);
const po = (text = AR) =>
  writePo('ar', [{ path: 'src/i18n/ar.ts', english, translated: readCatalogue('ar.ts', text) }]);

/** The PO of the test catalogue with one entry's lines changed by `edit`. */
function withEntry(key, edit) {
  return po()
    .split('\n\n')
    .map((block) => (block.includes(`msgctxt "${key}"`) ? edit(block) : block))
    .join('\n\n');
}

const refusal = (text) => {
  try {
    readTranslations('ar', text, english);
  } catch (error) {
    expect(error).toBeInstanceOf(RefusedTranslation);
    return error.message;
  }
  throw new Error('not refused');
};

describe('exporting to PO', () => {
  it('writes English as msgid, the key as msgctxt, plurals as msgid_plural and one msgstr per Arabic form', () => {
    const text = po();
    expect(text).toContain('"Plural-Forms: nplurals=6;');
    expect(text).toContain('msgctxt "sent_of"\nmsgid "{sent} of {total} sent"\nmsgstr "أُرسل {sent} من {total}"');
    expect(text).toContain(
      'msgctxt "waiting"\nmsgid "{n} record waiting"\nmsgid_plural "{n} records waiting"\nmsgstr[0] "لا سجلات"\nmsgstr[1] "سجل واحد"\nmsgstr[2] "سجلان"\nmsgstr[3] "{n} سجلات"\nmsgstr[4] "{n} سجلًا"\nmsgstr[5] "{n} سجل"',
    );
    expect(text).toContain('msgid "Tap “Send now”, it\'s \\\\ safe"');
    expect(text).toContain('#. Sending\n#. placeholders: {sent} {total}');
  });

  it('gives Sorani two forms, as its plural rules have', () => {
    const text = writePo('ckb', [{ path: 'ckb.ts', english, translated: [] }]);
    expect(text).toContain('"Plural-Forms: nplurals=2; plural=(n != 1);\\n"');
    expect(text).toContain('msgstr[0] ""\nmsgstr[1] ""\n');
    expect(text).not.toContain('msgstr[2]');
  });
});

describe('a round trip', () => {
  it('PO and back changes nothing; a changed translation lands in its place, the rest untouched', () => {
    const unchanged = readTranslations('ar', po(), english);
    expect(unchanged.untranslated).toEqual([]);
    expect(rewriteCatalogue('ar.ts', AR, unchanged.translations)).toBe(AR);

    const edited = withEntry('sent_of', (b) => b.replace(/msgstr ".*"/, 'msgstr "تم إرسال {sent} من أصل {total}"'));
    const { translations } = readTranslations('ar', edited, english);
    const rewritten = rewriteCatalogue('ar.ts', AR, translations);
    expect(rewritten).toBe(AR.replace("'أُرسل {sent} من {total}'", "'تم إرسال {sent} من أصل {total}'"));
    expect(readCatalogue('ar.ts', rewritten).find((m) => m.key === 'waiting').value.few).toBe('{n} سجلات');
  });

  it('quotes, backslashes and line breaks survive, and strings a tool wrapped over lines are joined', () => {
    const edited = withEntry('quoted', (b) =>
      b.replace(/msgstr ".*"/, 'msgstr ""\n"اضغط \\"أرسل\\" \\\\ "\n"ثم انتظر\\nسطر"'),
    );
    const { translations } = readTranslations('ar', edited, english);
    expect(translations.get('quoted')).toBe('اضغط "أرسل" \\ ثم انتظر\nسطر');
    const rewritten = rewriteCatalogue('ar.ts', AR, translations);
    expect(readCatalogue('ar.ts', rewritten).find((m) => m.key === 'quoted').value).toBe(
      'اضغط "أرسل" \\ ثم انتظر\nسطر',
    );
  });

  it('the real catalogues go to PO and back unchanged, both parts of every language', () => {
    for (const lang of ['ar', 'ckb']) {
      const parts = ['src/i18n', 'src/i18n/staff'].map((dir) => {
        const path = `${dir}/${lang}.ts`;
        return {
          path,
          text: readFileSync(join(PWA, path), 'utf8'),
          english: readCatalogue('en.ts', readFileSync(join(PWA, dir, 'en.ts'), 'utf8')),
        };
      });
      const text = writePo(
        lang,
        parts.map((p) => ({ ...p, translated: readCatalogue(p.path, p.text) })),
      );
      const { translations, untranslated, stale } = readTranslations(
        lang,
        text,
        parts.flatMap((p) => p.english),
      );
      expect([untranslated, stale]).toEqual([[], []]);
      expect(translations.size).toBe(parts.reduce((n, p) => n + p.english.length, 0));
      for (const p of parts) expect(rewriteCatalogue(p.path, p.text, translations)).toBe(p.text);
    }
  });
});

describe('importing refuses, naming the key', () => {
  it('a translation that loses a placeholder', () => {
    const text = withEntry('sent_of', (b) => b.replace(/msgstr ".*"/, 'msgstr "أُرسل {sent}"'));
    expect(refusal(text)).toBe('sent_of: loses {total}; keep every placeholder of the English');
  });

  it('a translation that adds a placeholder, or renames one', () => {
    const added = withEntry('saved', (b) => b.replace(/msgstr ".*"/, 'msgstr "حُفظ {when}"'));
    expect(refusal(added)).toBe('saved: adds {when}, which the English does not have');
    const renamed = withEntry('sent_of', (b) => b.replace(/msgstr ".*"/, 'msgstr "أُرسل {sent} من {all}"'));
    expect(refusal(renamed)).toBe('sent_of: loses {total}; keep every placeholder of the English');
    const pluralAdded = withEntry('waiting', (b) => b.replace('msgstr[1] "سجل واحد"', 'msgstr[1] "سجل واحد {site}"'));
    expect(refusal(pluralAdded)).toBe('waiting (one): adds {site}, which the English does not have');
    const pluralLost = withEntry('waiting', (b) => b.replace('msgstr[5] "{n} سجل"', 'msgstr[5] "سجلات"'));
    expect(refusal(pluralLost)).toBe('waiting (other): loses {n}; keep every placeholder of the English');
  });

  it('a counted message that lacks a plural form its language needs', () => {
    const text = withEntry('waiting', (b) => b.replace('msgstr[3] "{n} سجلات"', 'msgstr[3] ""'));
    expect(refusal(text)).toBe(
      'waiting: the plural form "few" (msgstr[3]) is missing; ar needs zero, one, two, few, many, other',
    );
    // A tool that wrote Sorani's two forms only, for Arabic.
    const two = withEntry('waiting', (b) => b.replace(/msgstr\[[2-5]\].*\n?/g, '').trimEnd());
    expect(refusal(two)).toBe(
      'waiting: the plural form "two" (msgstr[2]) is missing; ar needs zero, one, two, few, many, other',
    );
  });

  it('a key the catalogues do not have, and an entry without a key', () => {
    const unknown = withEntry('saved', (b) => b.replace('msgctxt "saved"', 'msgctxt "saved_old"'));
    expect(refusal(unknown)).toBe('saved_old: no such message in the catalogues (export again)');
    const keyless = withEntry('saved', (b) => b.replace('msgctxt "saved"\n', ''));
    expect(refusal(keyless)).toMatch(/^an entry with no msgctxt/);
  });

  it('and nothing of a refused file is taken', () => {
    const text = withEntry('sent_of', (b) => b.replace(/msgstr ".*"/, 'msgstr "أُرسل"')).replace('"حُفظ"', '"تم الحفظ"');
    expect(() => readTranslations('ar', text, english)).toThrow(RefusedTranslation);
  });
});

describe('importing keeps', () => {
  it('the current text where the PO leaves a message empty or fuzzy', () => {
    const empty = withEntry('saved', (b) => b.replace(/msgstr ".*"/, 'msgstr ""'));
    const fuzzy = withEntry('sent_of', (b) => `#, fuzzy\n${b.replace(/msgstr ".*"/, 'msgstr "شيء {sent} {total}"')}`);
    for (const [text, key] of [
      [empty, 'saved'],
      [fuzzy, 'sent_of'],
    ]) {
      const { translations, untranslated } = readTranslations('ar', text, english);
      expect(untranslated).toEqual([key]);
      expect(rewriteCatalogue('ar.ts', AR, translations)).toBe(AR);
    }
  });

  it('out what was translated from English that has changed since', () => {
    const changed = readCatalogue('en.ts', EN.replace("'Saved'", "'Saved on this phone'"));
    const { translations, stale } = readTranslations('ar', po(), changed);
    expect(stale).toEqual(['saved']);
    expect(translations.has('saved')).toBe(false);
  });

  it('PO comments and the header out of the messages', () => {
    const entries = parsePo(po());
    expect(entries[0]).toMatchObject({ context: null, id: '' });
    expect(entries.map((e) => e.context).slice(1)).toEqual(['saved', 'sent_of', 'quoted', 'waiting']);
  });
});
