// What every browser test shares: one server and one Chromium per test
// file, phone-sized pages that record CSP violations and script errors,
// and accounts made through the server's CLI or API.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { autoUnlock, launchBrowser, phoneContext, phoneLayoutProblems, screenshot } from './browser.mjs';
import { APP_DIR, startServer } from './server.mjs';

export const PASSWORD = 'correct horse battery';

/**
 * The world of one test file: started before its first test, stopped after
 * its last. Its fields (server, phone, stop) are there once `before` ran.
 */
export function worldForThisFile() {
  const world = {};
  before(async () => {
    Object.assign(world, await startWorld());
  });
  after(async () => {
    await world.stop?.();
  });
  return world;
}

async function startWorld() {
  const server = await startServer();
  let browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await server.stop();
    throw new Error(
      `Chromium did not start from /usr/bin/chromium (apt install chromium fonts-noto-core): ${error.message}`,
    );
  }
  const contexts = [];
  return {
    server,
    /**
     * A new phone: its own profile, one page, and a list of problems the page reported.
     * The lock screen is unlocked with the test PIN whenever it stands in the way, unless
     * `{ locked: true }` (tests of the lock itself).
     */
    async phone(options = {}) {
      const context = await phoneContext(browser);
      contexts.push(context);
      const page = await context.newPage();
      if (!options.locked) await autoUnlock(page);
      const errors = [];
      page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text()))
          errors.push(`CSP: ${message.text()}`);
      });
      return { context, page, errors };
    },
    async stop() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await server.stop();
    },
  };
}

/** Screenshot plus the phone checks: no horizontal scroll, touch targets of 48 px. */
export async function visit(page, name) {
  await screenshot(page, name);
  assert.deepEqual(await phoneLayoutProblems(page), [], `layout problems on ${name}`);
}

/** Signs in through the API (no Origin header, as a script), so `context.request` carries the admin's cookie. */
export async function apiLogIn(context, url, login, password) {
  const response = await context.request.post(`${url}/api/auth/login`, { data: { login, password } });
  assert.equal(response.status(), 200, await response.text());
  return response.json();
}

export async function apiPost(context, url, path, data) {
  const response = await context.request.post(`${url}/api${path}`, { data });
  assert.ok(response.ok(), `${path}: ${response.status()} ${await response.text()}`);
  return response.json();
}

export async function dir(page) {
  return page.evaluate(() => ({ dir: document.documentElement.dir, lang: document.documentElement.lang }));
}

/** Puts one waiting record into a user's outbox, as the sync code will: what the app counts must be what is stored. */
export async function putInOutbox(page, userId) {
  await page.evaluate(
    (dbName) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open(dbName);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('outbox', 'readwrite');
          const now = new Date().toISOString();
          tx.objectStore('outbox').put({
            id: crypto.randomUUID(),
            kind: 'record',
            base_version: 0,
            data: {},
            state: 'waiting',
            created_at: now,
            updated_at: now,
            attempts: 0,
          });
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    `sijil-u${userId}`,
  );
}

/**
 * Makes the server offer a "new release" while `run` runs: the served
 * sw.js gets one more byte-different line, which is all a browser needs
 * to install a new worker. The debug binary reads pwa/dist from disk, and
 * neither Playwright routes nor CDP interception see service-worker
 * update checks, so the file itself is changed, and always restored.
 */
export async function withNewerRelease(run) {
  const swPath = join(APP_DIR, 'sw.js');
  const original = readFileSync(swPath);
  const restore = () => writeFileSync(swPath, original);
  process.once('exit', restore);
  writeFileSync(
    swPath,
    Buffer.concat([original, Buffer.from(`\n// a newer release for the update test (${Date.now()})\n`)]),
  );
  try {
    return await run();
  } finally {
    restore();
    process.removeListener('exit', restore);
  }
}
