// An admin imports a programme's existing list in the app: the template in
// their language, the dry run's problems by row and column, then only the
// good rows; from a CSV file and from an Excel workbook.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { logIn } from './browser.mjs';
import { apiLogIn, apiPost, PASSWORD, visit, worldForThisFile } from './helpers.mjs';
import { workbook } from './xlsx.mjs';

const world = worldForThisFile();

const TIMEOUT = { timeout: 120_000 };

const FILE = [
  'id,site_code,given_name,sex,birth_year,displacement',
  'P-1,DHK-01,Amira,female,2014,idp',
  'P-2,DHK-01,Huda,girl,2013,host',
  'P-3,NOPE,Ali,male,2010,idp',
].join('\n');

describe('importing lists in the app', () => {
  test('an admin checks a file, reads its problems by row and column, and imports the good rows', TIMEOUT, async () => {
    world.server.createUser({ login: 'import.admin', name: 'Sara Aziz', role: 'admin', password: PASSWORD });
    // Set up through the API from another browser, as a script would.
    const setup = await world.phone();
    await apiLogIn(setup.context, world.server.url, 'import.admin', PASSWORD);
    const partner = await apiPost(setup.context, world.server.url, '/partners', { name: 'Harikar' });
    await apiPost(setup.context, world.server.url, '/sites', {
      code: 'DHK-01',
      name: 'Duhok CFS',
      kind: 'community_centre',
      partner_id: partner.id,
      area_id: 15,
    });
    const admin = await world.phone();
    const page = admin.page;
    await logIn(page, world.server.url, 'import.admin', PASSWORD);

    await page.getByRole('link', { name: 'Import lists' }).click();
    await page.getByRole('heading', { name: 'Import lists' }).waitFor();
    const href = await page.getByTestId('import-template').getAttribute('href');
    assert.equal(href, '/api/imports/participants/template?language=en');
    const template = await setup.context.request.get(`${world.server.url}${href}`);
    assert.match(await template.text(), /site_code/);

    await page
      .getByLabel('The file (CSV or Excel .xlsx)')
      .setInputFiles({ name: 'list.csv', mimeType: 'text/csv', buffer: Buffer.from(FILE) });
    const problems = page.getByTestId('import-problems');
    await problems.waitFor();
    const rows = await problems.locator('tbody tr').allTextContents();
    assert.equal(rows.length, 2, rows.join(' | '));
    assert.match(rows[0], /^3Sex/);
    assert.match(rows[1], /^4Site code.*No active site has this code/);
    await page.getByText('3 rows · 1 to import · 0 already imported · 2 with problems').waitFor();
    await visit(page, 'admin-import-report');

    await page.getByRole('button', { name: 'Import the good rows' }).click();
    await page.getByTestId('import-done').getByText('Imported: 1. Already there: 0.').waitFor();
    const found = await (await setup.context.request.get(`${world.server.url}/api/participants?q=Amira`)).json();
    assert.equal(found.length, 1);

    // Staff accounts: each first password shown once, after the import.
    await page.getByLabel('What the file lists').selectOption({ label: 'Staff accounts' });
    await page.getByLabel('The file (CSV or Excel .xlsx)').setInputFiles({
      name: 'staff.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('login,display_name,role,site_codes\nlayla.hassan,Layla Hassan,trainer,DHK-01\n'),
    });
    await page.getByText('1 rows · 1 to import · 0 already imported · 0 with problems').waitFor();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByTestId('import-passwords').waitFor();
    const issued = await page.getByTestId('import-passwords').locator('tbody tr td').allTextContents();
    assert.equal(issued[0], 'layla.hassan');
    assert.equal(issued[1].length, 16);
    await visit(page, 'admin-import-passwords');

    // The same from an Excel workbook: a birth year typed as a number, a
    // blank sheet row, and the problem reported at the sheet's own row.
    await page.getByLabel('What the file lists').selectOption({ label: 'Participants' });
    const xlsxHref = await page.getByTestId('import-template-xlsx').getAttribute('href');
    assert.equal(xlsxHref, '/api/imports/participants/template?language=en&format=xlsx');
    const xlsxTemplate = await setup.context.request.get(`${world.server.url}${xlsxHref}`);
    assert.equal((await xlsxTemplate.body()).subarray(0, 2).toString(), 'PK');
    const sheet = workbook([
      ['id', 'site_code', 'given_name', 'sex', 'birth_year', 'displacement'],
      [],
      ['P-11', 'DHK-01', 'Zainab', 'female', 2012, 'idp'],
      ['P-12', 'DHK-01', 'Mina', 'x', 2011, 'host'],
    ]);
    await page.getByLabel('The file (CSV or Excel .xlsx)').setInputFiles({
      name: 'list.xlsx',
      mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      buffer: sheet,
    });
    await page.getByText('2 rows · 1 to import · 0 already imported · 1 with problems').waitFor();
    const sheetRows = await page.getByTestId('import-problems').locator('tbody tr').allTextContents();
    assert.deepEqual(sheetRows.length, 1, sheetRows.join(' | '));
    assert.match(sheetRows[0], /^4Sex/);
    await page.getByRole('button', { name: 'Import the good rows' }).click();
    await page.getByTestId('import-done').getByText('Imported: 1. Already there: 0.').waitFor();
    const zainab = await (await setup.context.request.get(`${world.server.url}/api/participants?q=Zainab`)).json();
    assert.equal(zainab.length, 1);
    assert.equal(zainab[0].birth_year, 2012);
    assert.deepEqual(admin.errors, []);
  });
});
