// A native date input shows the browser's locale, whatever the screen's
// language (English month names or Latin digits on an Arabic screen). So
// each date input has the chosen date written beside it in the screen's
// language, by the app's own formatter (pwa/src/i18n/format.ts): in Arabic
// and Sorani that text has Arabic month names and Arabic-Indic digits only.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { logIn } from './browser.mjs';
import { visit, worldForThisFile } from './helpers.mjs';

const world = worldForThisFile();
const TIMEOUT = { timeout: 180_000 };
/** The demo's passwords by login: the demo runs once, for whichever test comes first. */
let demoPasswords;
const demo = () => {
  demoPasswords ??= world.server.runDemo();
  return demoPasswords;
};

const LATIN_MONTH = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b/i;

/** The text beside each date input of the page, with the input's value and the screen's language. */
async function datesSaid(page) {
  return page.locator('input[type=date], input[type=month]').evaluateAll((inputs) =>
    inputs.map((input) => ({
      id: input.id,
      value: input.value,
      said: document.getElementById(`${input.id}-said`)?.textContent ?? null,
      describedBy: input.getAttribute('aria-describedby') ?? '',
      lang: document.documentElement.lang,
    })),
  );
}

function assertSaidInScript(dates, lang, months) {
  assert.ok(dates.length > 0, 'a date input on the screen');
  for (const date of dates) {
    assert.equal(date.lang, lang);
    assert.ok(date.said, `${date.id} (${date.value}) has its date written beside it`);
    assert.ok(date.describedBy.includes(`${date.id}-said`), `${date.id} is described by that text`);
    assert.doesNotMatch(date.said, LATIN_MONTH, `${date.id}: ${date.said}`);
    assert.doesNotMatch(date.said, /[A-Za-z0-9]/, `${date.id}: no Latin letters or digits in "${date.said}"`);
    const [year, month, day] = date.value.split('-').map(Number);
    const digits = (n) => String(n).replace(/\d/g, (d) => '٠١٢٣٤٥٦٧٨٩'[d]);
    assert.equal(date.said, `${digits(day)} ${months[month - 1]} ${digits(year)}`, `${date.id}: ${date.value}`);
  }
}

const MONTHS_AR = [
  'كانون الثاني',
  'شباط',
  'آذار',
  'نيسان',
  'أيار',
  'حزيران',
  'تموز',
  'آب',
  'أيلول',
  'تشرين الأول',
  'تشرين الثاني',
  'كانون الأول',
];
const MONTHS_CKB = [
  'کانوونی دووەم',
  'شوبات',
  'ئازار',
  'نیسان',
  'ئایار',
  'حوزەیران',
  'تەمموز',
  'ئاب',
  'ئەیلوول',
  'تشرینی یەکەم',
  'تشرینی دووەم',
  'کانوونی یەکەم',
];

describe('dates beside date inputs', () => {
  test('a trainer’s form in Arabic, then in Sorani, says its date in the screen’s language', TIMEOUT, async () => {
    const passwords = demo();
    const { page, errors } = await world.phone();
    // The demo's Mosul trainers read Arabic.
    await logIn(page, world.server.url, 'trainer-mos-01', passwords['trainer-mos-01']);
    await page.goto(`${world.server.url}/cfs`);
    await page.locator('#rec-date').waitFor();
    assertSaidInScript(await datesSaid(page), 'ar', MONTHS_AR);
    // Choosing another day says that day.
    await page.locator('#rec-date').fill('2026-03-07');
    await page.locator('#rec-date-said').getByText('٧ آذار ٢٠٢٦', { exact: true }).waitFor();
    assertSaidInScript(await datesSaid(page), 'ar', MONTHS_AR);
    await page.locator('#rec-date').scrollIntoViewIfNeeded();
    await visit(page, 'date-said-ar');

    // Sorani: chosen on the account screen (the form's draft keeps the day).
    await page.goto(`${world.server.url}/account`);
    await page.getByRole('button', { name: 'کوردی سۆرانی' }).click();
    await page.waitForFunction(() => document.documentElement.lang === 'ckb');
    await page.goto(`${world.server.url}/cfs`);
    await page.locator('#rec-date').waitFor();
    await page.locator('#rec-date').fill('2026-11-30');
    await page.locator('#rec-date-said').getByText('٣٠ تشرینی دووەم ٢٠٢٦', { exact: true }).waitFor();
    assertSaidInScript(await datesSaid(page), 'ckb', MONTHS_CKB);
    await page.locator('#rec-date').scrollIntoViewIfNeeded();
    await visit(page, 'date-said-ckb');
    assert.deepEqual(errors, []);
  });

  test('a coordinator’s chosen dates on the dashboard, in Arabic', TIMEOUT, async () => {
    const passwords = demo();
    const { page, errors } = await world.phone();
    // The demo's Mosul coordinator reads Arabic.
    await logIn(page, world.server.url, 'coord-mosul', passwords['coord-mosul']);
    await page.locator('#dash-period').selectOption('custom');
    await page.locator('#dash-from').fill('2026-01-15');
    await page.locator('#dash-to').fill('2026-06-30');
    await page.locator('#dash-to-said').getByText('٣٠ حزيران ٢٠٢٦', { exact: true }).waitFor();
    assertSaidInScript(await datesSaid(page), 'ar', MONTHS_AR);
    await page.locator('#dash-from').scrollIntoViewIfNeeded();
    await visit(page, 'date-said-dashboard-ar');
    assert.deepEqual(errors, []);
  });
});
