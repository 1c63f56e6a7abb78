// The app as the server ships it: installable by Chromium's own criteria,
// real PNG icons, and an index.html that lives with the strict
// Content-Security-Policy (no inline script or style).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS, PHONE, waitForServiceWorker } from './browser.mjs';
import { worldForThisFile } from './helpers.mjs';

const world = worldForThisFile();

const TIMEOUT = { timeout: 60_000 };

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(bytes) {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG file');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('the installable app', () => {
  test('Chromium finds nothing missing to install it', TIMEOUT, async () => {
    // Installing needs a real profile: Playwright's usual contexts are incognito.
    const profile = mkdtempSync(join(tmpdir(), 'sijil-profile-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: CHROMIUM_FLAGS,
      viewport: PHONE,
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(world.server.url);
      await waitForServiceWorker(page);
      const cdp = await context.newCDPSession(page);
      const { errors: manifestErrors } = await cdp.send('Page.getAppManifest');
      assert.deepEqual(manifestErrors, []);
      const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
      assert.deepEqual(installabilityErrors, []);
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });

  test(
    'the manifest names the app, starts at / standalone, and its icons are real PNGs of the stated sizes',
    TIMEOUT,
    async () => {
      const response = await fetch(`${world.server.url}/manifest.webmanifest`);
      assert.equal(response.headers.get('content-type'), 'application/manifest+json');
      const manifest = await response.json();
      assert.equal(manifest.name, 'Sijil');
      assert.equal(manifest.start_url, '/');
      assert.equal(manifest.display, 'standalone');
      assert.ok(manifest.theme_color);
      const purposes = [];
      for (const icon of manifest.icons) {
        const bytes = Buffer.from(await (await fetch(new URL(icon.src, world.server.url))).arrayBuffer());
        const [width, height] = pngSize(bytes);
        assert.equal(`${width}x${height}`, icon.sizes, icon.src);
        purposes.push(`${icon.sizes} ${icon.purpose}`);
      }
      assert.deepEqual(purposes.sort(), ['192x192 any', '512x512 any', '512x512 maskable']);
    },
  );

  test('index.html carries no inline script or style, and the server sends the strict policy', TIMEOUT, async () => {
    const response = await fetch(world.server.url);
    const html = await response.text();
    assert.match(response.headers.get('content-security-policy'), /script-src 'self';/);
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'every <script> has a src');
    assert.doesNotMatch(html, /<style|\sstyle=/i, 'no <style> element or style attribute');
  });
});
