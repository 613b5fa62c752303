// The Vite build of the client PWA: dev proxy to a sync-server (/yjs, /automerge, OFB, /healthz),
// the editor engine's Worker and shims, Automerge's WASM, the public-env secret guard, the service worker.
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import wasm from 'vite-plugin-wasm';
import { engineBrowserShims } from './build/engine-browser.js';
import { assertNoSecretsInPublicEnv } from './build/public-env.js';

/**
 * Where `npm run dev` forwards `/yjs`, `/automerge`, `/functions/v1` (OFB) and `/healthz`: a
 * sync-server started separately.
 */
const devServer = process.env.SYMPHONY_DEV_SERVER ?? 'http://127.0.0.1:4321';

export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1024,
  },
  // The editor engine runs in a module Worker (src/engine/engine.worker.ts).
  worker: { format: 'es', plugins: () => [engineBrowserShims()] },
  // `npm run dev` pre-bundles json-rpc-peer with rolldown: give it the same shims there.
  optimizeDeps: { rolldownOptions: { plugins: [engineBrowserShims()] } },
  server: {
    proxy: {
      '/yjs': { target: devServer, ws: true },
      '/automerge': { target: devServer, ws: true },
      '/functions/v1': devServer,
      '/healthz': devServer,
    },
  },
  plugins: [
    engineBrowserShims(),
    {
      // VITE_* values end up in the bundle: refuse a service-role key or the JWT secret there.
      name: 'symphony-public-env-guard',
      configResolved: (config) => assertNoSecretsInPublicEnv({ ...process.env, ...config.env }),
    },
    // The dev server needs it for Automerge's WASM; the production build handles the import itself.
    wasm(),
    VitePWA({
      strategies: 'generateSW',
      registerType: 'autoUpdate',
      injectRegister: false,
      includeAssets: ['icon.svg'],
      manifest: {
        name: 'Symphony',
        short_name: 'Symphony',
        description: 'A local-first collaborative workspace',
        theme_color: '#4f46e5',
        background_color: '#f6f7f9',
        display: 'standalone',
        start_url: '/',
        icons: [{ src: 'icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' }],
      },
      workbox: {
        // The Automerge WASM (about 3.5 MB) is precached too, so workflows open offline.
        globPatterns: ['**/*.{js,css,html,svg,webmanifest,wasm}'],
        maximumFileSizeToCacheInBytes: 8 * 1024 * 1024,
        navigateFallback: 'index.html',
        // The sync endpoints belong to the server, never to the offline app shell.
        navigateFallbackDenylist: [/^\/yjs(\/|$)/, /^\/automerge(\/|$)/, /^\/functions\//, /^\/healthz$/],
        cleanupOutdatedCaches: true,
        clientsClaim: true,
        skipWaiting: true,
        runtimeCaching: [],
      },
      devOptions: { enabled: false },
    }),
  ],
});
