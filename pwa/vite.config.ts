// Build of the phone app. The server (backend/src/http/static_files.rs)
// serves `dist/` with hashed `assets/*` cached for a year and everything
// else revalidated, under a strict Content-Security-Policy: no inline
// script or style may end up in index.html.

import preact from '@preact/preset-vite';
import type { Plugin } from 'vite';
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const THEME_COLOUR = '#0b5e55';
/** The installed app's name: neutral where a programme asks (pwa/README.md, "A neutral name and icon"). */
const APP_NAME =
  (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env.SIJIL_APP_NAME || 'Sijil';

/**
 * Background Sync's `sync` handler (src/sw/sync-handler.js), built as
 * `sw-sync.js` next to the generated worker, which loads it with
 * importScripts (same origin, so the CSP allows it). It imports and
 * exports nothing, so the chunk is a plain classic script.
 */
function backgroundSyncHandler(): Plugin {
  return {
    name: 'sijil-sw-sync',
    apply: 'build',
    buildStart() {
      this.emitFile({ type: 'chunk', id: '/src/sw/sync-handler.js', fileName: 'sw-sync.js' });
      // Web push's handlers (push, notificationclick, pushsubscriptionchange), the same way.
      this.emitFile({ type: 'chunk', id: '/src/sw/push-handler.js', fileName: 'sw-push.js' });
    },
  };
}

/**
 * Sources only staff (admins, coordinators) load: their screens and their
 * strings. Chunks of these screens are named `staff-*` so the service
 * worker can leave them out of the precache every phone downloads: a
 * dynamic import of a staff screen (its facade) with what only it uses, a
 * chunk shared by staff screens alone, and their CSS. Field code never
 * imports a staff source, so no field screen needs a `staff-*` file
 * (scripts/size.mjs fails the build's check if one does).
 */
const STAFF_SOURCE = /(^|\/)src\/(admin|coordinator|i18n\/staff)\//;
const isStaffChunk = (chunk: { facadeModuleId: string | null; moduleIds: readonly string[] }) =>
  chunk.facadeModuleId
    ? STAFF_SOURCE.test(chunk.facadeModuleId)
    : chunk.moduleIds.length > 0 && chunk.moduleIds.every((id) => STAFF_SOURCE.test(id));

export default defineConfig({
  plugins: [
    preact(),
    backgroundSyncHandler(),
    VitePWA({
      // Updates wait for the person to tap "Update" (src/sw/register.ts).
      // With 'autoUpdate' a new worker would take over and delete the old
      // precache while an old page still runs: that page's next lazy
      // import() (an admin screen, say) would ask for a chunk that no longer
      // exists anywhere. With 'prompt' the old worker keeps serving the old
      // chunks until the page reloads into the new version. Data on the
      // phone live in IndexedDB and are untouched by either.
      registerType: 'prompt',
      // Registration is imported by src/sw/register.ts, never inlined (CSP).
      injectRegister: false,
      manifestFilename: 'manifest.webmanifest',
      manifest: {
        name: APP_NAME,
        short_name: APP_NAME,
        description: 'Offline-first register for community psychosocial programmes',
        id: '/',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        orientation: 'portrait',
        background_color: '#f6f8f7',
        theme_color: THEME_COLOUR,
        lang: 'en',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        // The plugin adds the manifest and its icons to these by itself.
        globPatterns: ['**/*.{js,css,html}'],
        // …except the staff screens: a trainer's phone never opens them.
        globIgnores: ['**/staff-*'],
        // Every client-side route opens the app offline…
        navigateFallback: 'index.html',
        // …but API answers and the health check are never the app shell.
        navigateFallbackDenylist: [/^\/api/, /^\/healthz/],
        // The first page is controlled as soon as the worker activates, so
        // it works offline without a second load.
        clientsClaim: true,
        skipWaiting: false,
        cleanupOutdatedCaches: true,
        // The only runtime cache: the staff screens' chunks, kept once a
        // coordinator or admin opened them, so they open offline after that.
        // Their names carry their content's hash, so a copy is never stale.
        // Nothing under /api is ever stored by the service worker: data
        // kept for offline use live in IndexedDB.
        runtimeCaching: [
          {
            urlPattern: /\/assets\/staff-[\w-]+\.(js|css)$/,
            handler: 'CacheFirst',
            options: { cacheName: 'sijil-staff-screens', expiration: { maxEntries: 40 } },
          },
        ],
        // Background Sync: the worker asks an open page to send the outbox;
        // web push shows the server's notices and opens what they name.
        importScripts: ['sw-sync.js', 'sw-push.js'],
      },
      devOptions: { enabled: false },
    }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Read by scripts/size.mjs to tell field chunks from lazy staff chunks.
    manifest: true,
    // Chrome 94+ (2021): every Android phone with a Chrome from the Play Store;
    // class fields and top-level syntax stay native (no helpers in the bundle).
    target: 'es2022',
    // Inline nothing as data: URLs into CSS/JS that CSP would then judge.
    assetsInlineLimit: 0,
    rollupOptions: {
      output: {
        chunkFileNames: (chunk) => (isStaffChunk(chunk) ? 'assets/staff-[name]-[hash].js' : 'assets/[name]-[hash].js'),
        assetFileNames: (asset) =>
          // A chunk's CSS names the chunk's source as its origin.
          asset.originalFileNames.length > 0 && asset.originalFileNames.every((file) => STAFF_SOURCE.test(file))
            ? 'assets/staff-[name]-[hash][extname]'
            : 'assets/[name]-[hash][extname]',
      },
    },
  },
});
