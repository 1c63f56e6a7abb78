// Prints the gzipped size of every JS and CSS file in dist/ and the total
// a field phone loads (the entry, what it imports, and what it loads on
// its own, like the service-worker helper), and exits non-zero when that
// total is over budget. Admin and coordinator screens are dynamic imports
// from src/admin/ and src/coordinator/; they and whatever only they import
// are counted separately, because field phones never load them (nor the
// staff catalogue, src/i18n/staff/, which only they import).
//
// A phone loads one language's catalogue (src/i18n/ar.ts or ckb.ts as their
// own chunks; English is in the entry): the field total counts the largest
// of them once, not all of them.
//
// Which file is which comes from Vite's build manifest (dist/.vite/manifest.json).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

// The first screen: 60 KB. Issues 10–13, 16 and 17 took it to 64.4 KB with
// their strings in three languages; the strings only staff screens show
// then moved to a staff catalogue (src/i18n/staff/) that field phones never
// load, and it was back under 60 KB (56.6 measured). 62 KB since the
// refusal sentences a phone shows for a refused item (55 codes, each
// translated, issue 12) joined the field catalogue: 60.4 KB measured. The
// next step down is loading them only with the refused-item screen.
const BUDGET_BYTES = 62 * 1024;
// Everything a field phone may load, forms included (the service worker
// precaches it all at install): the first screen plus the forms. 80 KB
// until issue 17 added the individual session's person picker and the
// referral screens (about 6.5 KB, each its own lazy chunk); 88 KB then;
// 82 KB since the staff strings left the field catalogue (78.9 KB measured);
// 86 KB since Kurmanji's catalogue and the refusal sentences joined
// (84.0 KB measured).
const TOTAL_BUDGET_BYTES = 86 * 1024;
// The referral staff screens (keeping the directory, the referral figures) are staff-only too.
const STAFF_ONLY = [/^src\/admin\//, /^src\/coordinator\//, /^src\/i18n\/staff\//, /^src\/referrals\/staff\//];
const CATALOGUE = /^src\/i18n\/(?!en\.ts)[a-z]+\.ts$/;

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
let manifest;
try {
  manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));
} catch {
  console.error('dist/.vite/manifest.json is missing: run `npm run build` first.');
  process.exit(2);
}

const gzipped = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/** Files loaded when `key` is loaded: its own file and CSS, and its static imports, recursively. */
function closure(key, into = new Set()) {
  const chunk = manifest[key];
  if (!chunk || into.has(chunk.file)) return into;
  into.add(chunk.file);
  for (const css of chunk.css ?? []) into.add(css);
  for (const imported of chunk.imports ?? []) closure(imported, into);
  return into;
}

const entries = Object.keys(manifest).filter((key) => manifest[key].isEntry);
const isStaffOnly = (key) => STAFF_ONLY.some((pattern) => pattern.test(manifest[key].src ?? ''));

/** The manifest keys loaded with `key`: itself and its static imports, recursively. */
function closureKeys(key, into = new Set()) {
  if (!manifest[key] || into.has(key)) return into;
  into.add(key);
  for (const imported of manifest[key].imports ?? []) closureKeys(imported, into);
  return into;
}

// What the first screen needs: the entries and their static imports.
const initial = new Set();
for (const entry of entries) closure(entry, initial);
// Field screens loaded when first opened (from the precache, so offline
// too), and the language catalogues; staff screens are counted apart.
const lazyField = new Set();
const catalogues = new Set();
const isCatalogue = (key) => CATALOGUE.test(manifest[key].src ?? '');
const visited = new Set();
function loadedLater(key) {
  if (visited.has(key)) return;
  visited.add(key);
  if (isCatalogue(key)) {
    catalogues.add(manifest[key].file);
    return;
  }
  if (isStaffOnly(key)) return;
  for (const file of closure(key)) if (!initial.has(file)) lazyField.add(file);
  for (const k of closureKeys(key)) for (const dynamic of manifest[k].dynamicImports ?? []) loadedLater(dynamic);
}
for (const entry of entries) {
  for (const k of closureKeys(entry)) for (const dynamic of manifest[k].dynamicImports ?? []) loadedLater(dynamic);
}
const field = new Set([...initial, ...lazyField]);
const staff = new Set();
for (const key of Object.keys(manifest).filter(isStaffOnly)) {
  for (const file of closure(key)) if (!field.has(file)) staff.add(file);
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [relative(dist, path)];
  });
}
const assets = walk(dist)
  .filter((file) => /\.(js|css)$/.test(file))
  .sort();

console.log('gzipped size of each file in dist/:');
for (const file of assets) {
  const group = initial.has(file)
    ? 'field, first screen'
    : lazyField.has(file)
      ? 'field, when first opened'
      : catalogues.has(file)
        ? 'one language (a phone loads its own)'
        : staff.has(file)
          ? 'staff (lazy)'
          : 'service worker / other';
  console.log(`  ${kb(gzipped(file)).padStart(9)}  ${file.padEnd(48)} ${group}`);
}
// vite.config.ts names staff chunks `staff-*` and the service worker does
// not precache them: a field screen needing one would not open offline.
const misnamed = [...field, ...catalogues].filter((file) => /(^|\/)staff-/.test(file));
if (misnamed.length > 0) {
  console.error(`\nField screens load files named as staff-only (not precached): ${misnamed.join(', ')}`);
  process.exit(1);
}
const total = (files) => [...files].reduce((sum, file) => sum + gzipped(file), 0);
const largestCatalogue = Math.max(0, ...[...catalogues].map(gzipped));
const firstScreen = total(initial) + largestCatalogue;
const fieldTotal = total(field) + largestCatalogue;
console.log(
  `\nfirst screen of a field phone (JS+CSS before it shows, with its language): ${kb(firstScreen)} of ${kb(BUDGET_BYTES)} budget`,
);
console.log(
  `all field screens (with the forms loaded when first opened):              ${kb(fieldTotal)} of ${kb(TOTAL_BUDGET_BYTES)} budget`,
);
console.log(`  of which one language's catalogue (the largest counted):              ${kb(largestCatalogue)}`);
console.log(`admin and coordinator screens (lazy, loaded by staff only):              ${kb(total(staff))}`);
if (firstScreen > BUDGET_BYTES || fieldTotal > TOTAL_BUDGET_BYTES) {
  console.error(
    `\nOver budget (first screen by ${kb(Math.max(0, firstScreen - BUDGET_BYTES))}, all field screens by ${kb(Math.max(0, fieldTotal - TOTAL_BUDGET_BYTES))}): move code out of the field screens or make it lazy.`,
  );
  process.exit(1);
}
