// Each role's home screen, and staff screens loaded only by staff.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { logIn } from './browser.mjs';
import { apiLogIn, apiPost, PASSWORD, visit, worldForThisFile } from './helpers.mjs';

const world = worldForThisFile();

const TIMEOUT = { timeout: 120_000 };

describe('homes by role', () => {
  test(
    'a coordinator opens the dashboard of their site, loaded on demand, with nothing invented',
    TIMEOUT,
    async () => {
      const { context, page, errors } = await world.phone();
      await apiLogIn(context, world.server.url, 'admin', world.server.adminPassword);
      const partner = await apiPost(context, world.server.url, '/partners', { name: 'Emma Organisation' });
      const areas = await (await context.request.get(`${world.server.url}/api/areas`)).json();
      const erbil = areas.find((a) => a.pcode === 'IQG11');
      await apiPost(context, world.server.url, '/sites', {
        code: 'EBL-CC-01',
        name: 'Erbil community centre',
        kind: 'community_centre',
        partner_id: partner.id,
        area_id: erbil.id,
      });
      await context.request.post(`${world.server.url}/api/auth/logout`);
      world.server.createUser({
        login: 'coord.erbil',
        name: 'Dilan Saleh',
        role: 'coordinator',
        password: PASSWORD,
        sites: ['EBL-CC-01'],
      });

      const requested = [];
      page.on('request', (request) => requested.push(new URL(request.url()).pathname));
      await logIn(page, world.server.url, 'coord.erbil', PASSWORD);
      await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      // Their one site, with nothing recorded: zeros and "Never", not sample data.
      const row = page.locator('tr[data-site-code="EBL-CC-01"]');
      await row.waitFor();
      assert.deepEqual(
        await page
          .locator('tr[data-site-code]')
          .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-site-code'))),
        ['EBL-CC-01'],
      );
      assert.match(await row.textContent(), /Erbil community centre/);
      assert.match(await row.locator('td').last().textContent(), /Never/);
      assert.equal(
        (await page.locator('.headline-item[data-figure="unique_participants"] dd').textContent()).trim(),
        '0',
      );
      await page.locator('[data-silent-site="EBL-CC-01"]').waitFor();
      assert.ok(
        requested.some((path) => /\/assets\/staff-CoordinatorHome-.*\.js$/.test(path)),
        'the coordinator screen is its own chunk',
      );
      assert.ok(
        !requested.some((path) => /\/assets\/staff-AdminScreens-.*\.js$/.test(path)),
        'a coordinator never loads the admin screens',
      );
      await visit(page, 'coordinator-overview');
      assert.deepEqual(errors, []);
    },
  );

  test('a trainer never downloads the staff screens, and staff-only paths lead home', TIMEOUT, async () => {
    world.server.createUser({ login: 'plain.trainer', name: 'Sherko Ali', role: 'trainer', password: PASSWORD });
    const { page, errors } = await world.phone();
    const requested = [];
    page.on('request', (request) => requested.push(new URL(request.url()).pathname));
    await logIn(page, world.server.url, 'plain.trainer', PASSWORD);
    await page.goto(`${world.server.url}/users/new`);
    await page.getByRole('heading', { name: 'My groups' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
    assert.ok(
      !requested.some((path) => /\/assets\/staff-.*\.js$/.test(path)),
      `staff chunks were loaded: ${requested.join(', ')}`,
    );
    assert.deepEqual(errors, []);
  });
});
