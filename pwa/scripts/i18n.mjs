// `npm run i18n:export`: writes i18n/<lang>.po for every language but
// English, from src/i18n/<lang>.ts and src/i18n/staff/<lang>.ts.
// `npm run i18n:import [lang…]`: reads i18n/<lang>.po back into those
// files, or refuses, naming the key, and writes nothing (scripts/po.mjs
// says what is refused). The PO files are not committed: the catalogues
// are the one source, and a PO is made from them when a translator needs it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RefusedTranslation, readCatalogue, readTranslations, rewriteCatalogue, writePo } from './po.mjs';

const PWA = join(dirname(fileURLToPath(import.meta.url)), '..');
const PO_DIR = join(PWA, 'i18n');
/** The two catalogues of a language: every phone's, and the staff screens'. */
const CATALOGUES = ['src/i18n', 'src/i18n/staff'];

const languages = () =>
  readdirSync(join(PWA, 'src/i18n'))
    .map((file) => file.match(/^([a-z]{2,3})\.ts$/)?.[1])
    .filter((lang) => lang && lang !== 'en')
    .sort();

const read = (path) => readFileSync(join(PWA, path), 'utf8');

function catalogues(lang) {
  return CATALOGUES.map((dir) => {
    const path = `${dir}/${lang}.ts`;
    return {
      path,
      english: readCatalogue(`${dir}/en.ts`, read(`${dir}/en.ts`)),
      translated: readCatalogue(path, read(path)),
    };
  });
}

function exportAll() {
  mkdirSync(PO_DIR, { recursive: true });
  for (const lang of languages()) {
    const file = join(PO_DIR, `${lang}.po`);
    const parts = catalogues(lang);
    writeFileSync(file, writePo(lang, parts));
    const count = parts.reduce((sum, part) => sum + part.english.length, 0);
    console.log(`${relative(PWA, file)}: ${count} messages`);
  }
}

function importAll(asked) {
  const chosen = asked.length > 0 ? asked : languages().filter((lang) => existsSync(join(PO_DIR, `${lang}.po`)));
  if (chosen.length === 0) {
    console.error('i18n:import: no PO file in i18n/ (run `npm run i18n:export` first)');
    process.exit(2);
  }
  // Check every file before writing any, so a refusal leaves the catalogues as they were.
  const writes = [];
  for (const lang of chosen) {
    const poPath = join(PO_DIR, `${lang}.po`);
    if (!existsSync(poPath) || !languages().includes(lang)) {
      console.error(`i18n:import: ${relative(PWA, poPath)}: no such file, or no catalogue src/i18n/${lang}.ts`);
      process.exit(2);
    }
    const parts = catalogues(lang);
    let result;
    try {
      result = readTranslations(
        lang,
        readFileSync(poPath, 'utf8'),
        parts.flatMap((part) => part.english),
      );
    } catch (error) {
      if (!(error instanceof RefusedTranslation)) throw error;
      console.error(`i18n:import: ${relative(PWA, poPath)} refused: ${error.message}`);
      process.exit(1);
    }
    let changed = 0;
    for (const part of parts) {
      const mine = new Map(
        part.english.flatMap((m) => (result.translations.has(m.key) ? [[m.key, result.translations.get(m.key)]] : [])),
      );
      const current = new Map(part.translated.map((m) => [m.key, m.value]));
      changed += [...mine].filter(([key, value]) => JSON.stringify(current.get(key)) !== JSON.stringify(value)).length;
      writes.push({ path: part.path, text: rewriteCatalogue(part.path, read(part.path), mine) });
    }
    console.log(
      `${relative(PWA, poPath)}: ${result.translations.size} translations read, ${changed} changed; ` +
        `${result.untranslated.length} empty or fuzzy (kept as they were)` +
        (result.stale.length > 0 ? `; left out, the English changed since the export: ${result.stale.join(', ')}` : ''),
    );
  }
  for (const { path, text } of writes) writeFileSync(join(PWA, path), text);
  // The catalogues keep the project's formatting (long lines wrapped, quotes).
  const biome = spawnSync(join(PWA, 'node_modules/.bin/biome'), ['format', '--write', ...writes.map((w) => w.path)], {
    cwd: PWA,
    encoding: 'utf8',
  });
  if (biome.status !== 0) console.error(biome.stderr || biome.stdout);
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'export') exportAll();
else if (command === 'import') importAll(rest);
else {
  console.error('usage: node scripts/i18n.mjs export | import [lang…]');
  process.exit(2);
}
