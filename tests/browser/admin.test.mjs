// Admins set up sites and accounts in the app, and the people they set up
// see the result on their own phones.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { logIn } from './browser.mjs';
import { apiLogIn, apiPost, PASSWORD, visit, worldForThisFile } from './helpers.mjs';

const world = worldForThisFile();

const TIMEOUT = { timeout: 120_000 };

describe('administration in the app', () => {
  test(
    'an admin creates a site (with a new partner and district) and a trainer, and the trainer sees that site',
    TIMEOUT,
    async () => {
      world.server.createUser({ login: 'site.admin', name: 'Sara Aziz', role: 'admin', password: PASSWORD });
      const admin = await world.phone();
      const page = admin.page;
      await logIn(page, world.server.url, 'site.admin', PASSWORD);

      await page.getByRole('link', { name: 'Add a site' }).click();
      await page.getByRole('heading', { name: 'Add a site' }).waitFor();
      await page.getByLabel('Site code').fill('dhk-cfs-01');
      await page.getByLabel('Site name').fill('Duhok camp child-friendly space');
      await page.getByLabel('Kind of site').selectOption({ label: 'Child-friendly space' });
      await page.getByRole('button', { name: 'Add a partner' }).click();
      await page.getByLabel('Name of the partner').fill('Harikar');
      await page.getByRole('button', { name: 'Add a partner' }).click();
      await page.getByLabel('Name of the partner').waitFor({ state: 'detached' });
      assert.equal(
        await page.getByLabel('Partner', { exact: true }).locator('option:checked').textContent(),
        'Harikar',
      );
      await page.getByLabel('Governorate').selectOption({ label: 'Duhok' });
      await page.getByRole('button', { name: 'Add a district' }).click();
      await page.getByLabel('P-code of the district').fill('IQD0903');
      await page.getByLabel('Name in English').fill('Sumel');
      await page.getByLabel('Name in Arabic').fill('سميل');
      await page.getByLabel('Name in Kurdish (Sorani)').fill('سێمێل');
      await visit(page, 'admin-site-form');
      await page.getByRole('button', { name: 'Add a district' }).click();
      await page.getByLabel('P-code of the district').waitFor({ state: 'detached' });
      assert.equal(await page.getByLabel('District').locator('option:checked').textContent(), 'Sumel');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { name: 'Sites' }).waitFor();
      await page.getByText('Saved. Duhok camp child-friendly space').waitFor();
      await page.getByTestId('admin-sites').getByText('DHK-CFS-01').waitFor();
      await visit(page, 'admin-sites');

      await page.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('link', { name: 'Add a user' }).click();
      await page.getByRole('heading', { name: 'Add a user' }).waitFor();
      await page.getByLabel('Login name').fill('layla.trainer');
      await page.getByLabel('Full name').fill('Layla Hassan');
      await page.getByLabel('Role').selectOption({ label: 'Trainer' });
      await page.getByLabel('Language of the app').selectOption({ label: 'English' });
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Duhok camp child-friendly space (DHK-CFS-01)').check();
      await visit(page, 'admin-user-form');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { name: 'Users' }).waitFor();
      await page.getByTestId('admin-users').getByText('Layla Hassan').waitFor();
      await visit(page, 'admin-users');
      assert.deepEqual(admin.errors, []);

      const trainer = await world.phone();
      await logIn(trainer.page, world.server.url, 'layla.trainer', PASSWORD);
      await trainer.page.getByRole('heading', { name: 'My groups' }).waitFor();
      await trainer.page.getByTestId('my-sites').getByText('Duhok camp child-friendly space').waitFor();
      await visit(trainer.page, 'trainer-home-with-site');

      // The admin assigns a second site in the app; the trainer's phone picks it up on its next start.
      await apiLogIn(admin.context, world.server.url, 'site.admin', PASSWORD);
      const [partner] = await (await admin.context.request.get(`${world.server.url}/api/partners`)).json();
      const areas = await (await admin.context.request.get(`${world.server.url}/api/areas`)).json();
      const ninawa = areas.find((a) => a.pcode === 'IQG15');
      await apiPost(admin.context, world.server.url, '/sites', {
        code: 'MOS-WC-01',
        name: 'West Mosul women’s centre',
        kind: 'womens_centre',
        partner_id: partner.id,
        area_id: ninawa.id,
      });
      await page.goto(`${world.server.url}/users`);
      await page.getByTestId('admin-users').getByText('Layla Hassan').click();
      await page.getByRole('heading', { name: 'Edit user' }).waitFor();
      await page.getByLabel('West Mosul women’s centre (MOS-WC-01)').check();
      await visit(page, 'admin-user-edit');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { name: 'Users' }).waitFor();
      await page.getByText('2 sites').waitFor();

      await trainer.page.reload();
      await trainer.page.getByTestId('my-sites').getByText('West Mosul women’s centre').waitFor();
      assert.deepEqual(trainer.errors, []);
    },
  );

  test(
    'the admin forms say what is wrong, in the person’s language, before and after the server',
    TIMEOUT,
    async () => {
      world.server.createUser({
        login: 'strict.admin',
        name: 'Kawa Rashid',
        role: 'admin',
        password: PASSWORD,
        language: 'ar',
      });
      const { page, errors } = await world.phone();
      await logIn(page, world.server.url, 'strict.admin', PASSWORD);
      await page.goto(`${world.server.url}/users/new`);
      await page.getByRole('heading', { name: 'إضافة مستخدم' }).waitFor();
      await page.getByLabel('اسم المستخدم').fill('admin');
      await page.getByLabel('الاسم الكامل').fill('Someone');
      await page.getByLabel('كلمة المرور', { exact: true }).fill('short');
      await page.getByRole('button', { name: 'حفظ' }).click();
      await page.getByText('١٠ أحرف على الأقل.').waitFor();
      await page.getByLabel('كلمة المرور', { exact: true }).fill(PASSWORD);
      await page.getByRole('button', { name: 'حفظ' }).click();
      // The login exists already: only the server knows, and its code is translated.
      await page.getByText('اسم المستخدم هذا مستخدم من قبل.').waitFor();
      await visit(page, 'admin-user-form-errors-ar');
      assert.deepEqual(errors, []);
    },
  );
});
