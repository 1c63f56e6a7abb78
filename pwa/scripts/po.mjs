// The translators' path: the message catalogues (src/i18n/<lang>.ts and
// src/i18n/staff/<lang>.ts) to PO files, which Poedit, Weblate, Crowdin,
// Lokalise and OmegaT open, and back. Plain functions over text, so
// po.test.mjs runs them without files; scripts/i18n.mjs does the files.
//
// One PO per language. Each message is one entry: its key as `msgctxt`
// (keys are unique across both catalogues), the English as `msgid`, the
// translation as `msgstr`. A counted message has the English one/other
// forms as `msgid`/`msgid_plural` and one `msgstr[i]` per CLDR plural
// category the language has, in the order the header's Plural-Forms counts
// them. `{name}` placeholders are kept as they are.
//
// Reading back refuses, naming the key, a translation that loses or adds
// a placeholder, a counted message missing a form its language needs, and
// a key the catalogues do not have; an entry left empty or marked fuzzy
// keeps the catalogue's current text, and one whose English changed since
// the export is left out (it was translated from other words).
import ts from 'typescript';

/** CLDR plural categories in gettext's order (Plural-Forms numbers them so). */
const CATEGORY_ORDER = ['zero', 'one', 'two', 'few', 'many', 'other'];

/** Plural-Forms expressions for the category sets our languages have (CLDR). */
const PLURAL_FORMS = {
  'one,other': 'nplurals=2; plural=(n != 1);',
  other: 'nplurals=1; plural=0;',
  'zero,one,two,few,many,other':
    'nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);',
};

/** The plural categories `lang` needs, in gettext's order. */
export function pluralCategories(lang) {
  const found = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
  return CATEGORY_ORDER.filter((category) => found.includes(category));
}

function pluralFormsHeader(lang) {
  const categories = pluralCategories(lang);
  const header = PLURAL_FORMS[categories.join(',')];
  if (!header) throw new Error(`no Plural-Forms for ${lang} (${categories.join(', ')}): add it to PLURAL_FORMS`);
  return header;
}

/** The `{name}` placeholders of a text, sorted. */
export function placeholders(text) {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

// ---- Reading a catalogue file (TypeScript source) without running it

/** The object literal a catalogue file exports, and its source. */
function catalogueObject(path, text) {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  let found;
  const visit = (node) => {
    if (found) return;
    if (ts.isVariableDeclaration(node) && node.initializer) {
      let init = node.initializer;
      while (ts.isAsExpression(init) || ts.isSatisfiesExpression(init) || ts.isParenthesizedExpression(init))
        init = init.expression;
      if (ts.isObjectLiteralExpression(init)) found = init;
    }
    if (!found) ts.forEachChild(node, visit);
  };
  visit(source);
  if (!found) throw new Error(`${path}: no exported object literal`);
  return { source, object: found };
}

function literalText(node, path) {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken)
    return literalText(node.left, path) + literalText(node.right, path);
  if (ts.isParenthesizedExpression(node)) return literalText(node.expression, path);
  throw new Error(`${path}: a message must be a string literal, found ${node.getText()}`);
}

function propertyValue(init, path) {
  if (!ts.isObjectLiteralExpression(init)) return literalText(init, path);
  const value = {};
  for (const form of init.properties) value[propertyName(form)] = literalText(form.initializer, path);
  return value;
}

const propertyName = (property) => (property.name.text ?? property.name.getText()).replace(/^['"]|['"]$/g, '');

/**
 * The messages of a catalogue file, in file order: key → text or plural
 * forms, with the section (the last "// ---- " comment) each sits under.
 */
export function readCatalogue(path, text) {
  const { source, object } = catalogueObject(path, text);
  const messages = [];
  let section = '';
  for (const property of object.properties) {
    if (!ts.isPropertyAssignment(property)) throw new Error(`${path}: unexpected ${property.getText()}`);
    for (const range of ts.getLeadingCommentRanges(source.text, property.getFullStart()) ?? []) {
      const comment = source.text.slice(range.pos, range.end);
      const heading = comment.match(/^\/\/ ---- (.*)$/);
      if (heading) section = heading[1].trim();
    }
    const value = propertyValue(property.initializer, path);
    messages.push({ key: propertyName(property), value, section });
  }
  return messages;
}

// ---- Writing PO

function quote(text) {
  const escaped = text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  return `"${escaped}"`;
}

/**
 * The PO file of `lang`: `catalogues` lists, for each catalogue (field,
 * staff), its file's path, the English messages and the language's own
 * (empty for a language not translated yet).
 */
export function writePo(lang, catalogues) {
  const categories = pluralCategories(lang);
  const lines = [
    '# Sijil: the app’s messages. Translate msgstr; keep every {placeholder} as it is.',
    '# Made by `npm run i18n:export`; read back by `npm run i18n:import` (pwa/README.md, "Translators").',
    'msgid ""',
    'msgstr ""',
    quote(`Language: ${lang}\n`),
    quote('MIME-Version: 1.0\n'),
    quote('Content-Type: text/plain; charset=UTF-8\n'),
    quote('Content-Transfer-Encoding: 8bit\n'),
    quote(`Plural-Forms: ${pluralFormsHeader(lang)}\n`),
    quote('X-Generator: sijil i18n:export\n'),
    '',
  ];
  for (const { path, english, translated } of catalogues) {
    const own = new Map(translated.map((m) => [m.key, m.value]));
    for (const { key, value, section } of english) {
      const mine = own.get(key);
      lines.push(`#. ${section}`);
      const names = placeholders(typeof value === 'string' ? value : value.other);
      if (names.length > 0) lines.push(`#. placeholders: ${names.map((n) => `{${n}}`).join(' ')}`);
      lines.push(`#: ${path}`);
      lines.push(`msgctxt ${quote(key)}`);
      if (typeof value === 'string') {
        lines.push(`msgid ${quote(value)}`);
        lines.push(`msgstr ${quote(typeof mine === 'string' ? mine : '')}`);
      } else {
        lines.push(`msgid ${quote(value.one ?? value.other)}`);
        lines.push(`msgid_plural ${quote(value.other)}`);
        categories.forEach((category, i) => {
          lines.push(`msgstr[${i}] ${quote(typeof mine === 'object' ? (mine[category] ?? '') : '')}`);
        });
      }
      lines.push('');
    }
  }
  return lines.join('\n');
}

// ---- Reading PO

function unquote(token, where) {
  const match = token.match(/^"(.*)"$/);
  if (!match) throw new Error(`${where}: expected a quoted string, found ${token}`);
  return match[1].replace(/\\(.)/g, (_, c) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}

/**
 * The entries of a PO file: { context, id, idPlural, str, strs, fuzzy },
 * with the strings continued over several lines joined, as tools write them.
 */
export function parsePo(text) {
  const entries = [];
  let entry = null;
  let field = null;
  const start = () => {
    entry ??= { context: null, id: null, idPlural: null, str: null, strs: [], fuzzy: false };
  };
  const finish = () => {
    if (entry && entry.id !== null) entries.push(entry);
    entry = null;
    field = null;
  };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const where = `line ${index + 1}`;
    if (line === '') {
      finish();
      return;
    }
    if (line.startsWith('#')) {
      // A comment after a message starts the next entry.
      if (entry && entry.id !== null && field !== null) finish();
      start();
      if (/^#,.*\bfuzzy\b/.test(line)) entry.fuzzy = true;
      return;
    }
    const keyword = line.match(/^(msgctxt|msgid_plural|msgid|msgstr\[(\d+)\]|msgstr)\s+(".*")$/);
    if (keyword) {
      if (keyword[1] === 'msgctxt' && entry && entry.id !== null) finish();
      start();
      const value = unquote(keyword[3], where);
      if (keyword[1] === 'msgctxt') field = ['context'];
      else if (keyword[1] === 'msgid') field = ['id'];
      else if (keyword[1] === 'msgid_plural') field = ['idPlural'];
      else if (keyword[1] === 'msgstr') field = ['str'];
      else field = ['strs', Number(keyword[2])];
      set(entry, field, value);
      return;
    }
    if (line.startsWith('"') && entry && field) {
      set(entry, field, get(entry, field) + unquote(line, where));
      return;
    }
    throw new Error(`${where}: not PO: ${line}`);
  });
  finish();
  return entries;
}

function set(entry, [name, index], value) {
  if (index === undefined) entry[name] = value;
  else entry[name][index] = value;
}
function get(entry, [name, index]) {
  return index === undefined ? entry[name] : entry[name][index];
}

/** A translation refused: the message names the key and what is wrong. */
export class RefusedTranslation extends Error {}

/**
 * The translations of `lang` read from a PO file, checked against the
 * English: key → text or plural forms, the keys left as they were (empty,
 * fuzzy) and those left out because the English changed since the export.
 * Throws RefusedTranslation on the first translation that would break a
 * screen.
 */
export function readTranslations(lang, poText, english) {
  const reference = new Map(english.map((m) => [m.key, m.value]));
  const categories = pluralCategories(lang);
  const translations = new Map();
  const untranslated = [];
  const stale = [];
  for (const entry of parsePo(poText)) {
    if (entry.id === '' && entry.context === null) continue; // the header
    const key = entry.context;
    if (key === null)
      throw new RefusedTranslation(`an entry with no msgctxt (msgid ${quote(entry.id)}): no key to put it under`);
    if (!reference.has(key)) throw new RefusedTranslation(`${key}: no such message in the catalogues (export again)`);
    const value = reference.get(key);
    const plural = typeof value !== 'string';
    if (plural !== (entry.idPlural !== null))
      throw new RefusedTranslation(
        `${key}: ${plural ? 'a counted message needs msgid_plural and msgstr[n]' : 'not a counted message, but the entry has plural forms'}`,
      );
    const englishNow = plural ? [value.one ?? value.other, value.other] : [value];
    const englishThen = plural ? [entry.id, entry.idPlural] : [entry.id];
    if (englishNow.join('\u0000') !== englishThen.join('\u0000')) {
      stale.push(key);
      continue;
    }
    const texts = plural ? entry.strs : [entry.str ?? ''];
    if (entry.fuzzy || texts.every((text) => !text)) {
      untranslated.push(key);
      continue;
    }
    if (!plural) {
      const text = entry.str;
      const want = placeholders(value);
      const have = placeholders(text);
      checkPlaceholders(key, want, have);
      translations.set(key, text);
      continue;
    }
    const forms = {};
    categories.forEach((category, i) => {
      const text = entry.strs[i];
      if (!text)
        throw new RefusedTranslation(
          `${key}: the plural form "${category}" (msgstr[${i}]) is missing; ${lang} needs ${categories.join(', ')}`,
        );
      forms[category] = text;
    });
    if (entry.strs.length > categories.length)
      throw new RefusedTranslation(
        `${key}: ${entry.strs.length} plural forms, but ${lang} has ${categories.length} (${categories.join(', ')})`,
      );
    // As i18n.test.ts: `other` carries the English placeholders; the other forms
    // may spell the number out ("one record"), but use no name English lacks.
    const want = placeholders(value.other);
    for (const [category, text] of Object.entries(forms)) {
      const have = placeholders(text);
      if (category === 'other') checkPlaceholders(`${key} (${category})`, want, have);
      else {
        const added = have.filter((name) => !want.includes(name));
        if (added.length > 0)
          throw new RefusedTranslation(
            `${key} (${category}): adds ${added.map((n) => `{${n}}`).join(' ')}, which the English does not have`,
          );
      }
    }
    translations.set(key, forms);
  }
  return { translations, untranslated, stale };
}

function checkPlaceholders(key, want, have) {
  const lost = want.filter((name) => !have.includes(name));
  const added = have.filter((name) => !want.includes(name));
  if (lost.length > 0)
    throw new RefusedTranslation(
      `${key}: loses ${lost.map((n) => `{${n}}`).join(' ')}; keep every placeholder of the English`,
    );
  if (added.length > 0)
    throw new RefusedTranslation(
      `${key}: adds ${added.map((n) => `{${n}}`).join(' ')}, which the English does not have`,
    );
}

// ---- Writing the catalogues back

/** A TypeScript string literal in the catalogues' style (single quotes). */
function literal(text) {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\t/g, '\\t')}'`;
}

function valueSource(value) {
  if (typeof value === 'string') return literal(value);
  const forms = CATEGORY_ORDER.filter((category) => value[category] !== undefined);
  return `{ ${forms.map((category) => `${category}: ${literal(value[category])}`).join(', ')} }`;
}

/**
 * The catalogue file `text` with the messages in `translations` that
 * differ replaced, everything else (comments, order, formatting, other
 * messages) as it was. Formatting of what changed is left to Biome
 * (scripts/i18n.mjs runs it on the files it writes).
 */
export function rewriteCatalogue(path, text, translations) {
  const { object } = catalogueObject(path, text);
  const edits = [];
  for (const property of object.properties) {
    const key = propertyName(property);
    if (!translations.has(key)) continue;
    const now = propertyValue(property.initializer, path);
    const next = translations.get(key);
    if (JSON.stringify(now, Object.keys(now).sort()) === JSON.stringify(next, Object.keys(next).sort())) continue;
    edits.push({
      start: property.initializer.getStart(),
      end: property.initializer.getEnd(),
      text: valueSource(translations.get(key)),
    });
  }
  let out = text;
  for (const edit of edits.sort((a, b) => b.start - a.start))
    out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return out;
}
