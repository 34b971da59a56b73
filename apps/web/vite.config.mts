import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const contracts = fileURLToPath(new URL('../../libs/contracts/src', import.meta.url));

/**
 * The browser app: built to apps/web/dist, which the api serves at `/` (no inline scripts: the CSP
 * forbids them). No source maps: the served bundle must not hand out the sources (`npm run dev:web`
 * serves the sources themselves while developing).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: { alias: [{ find: /^@bank\/contracts\/(.*)$/, replacement: `${contracts}/$1` }] },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false, modulePreload: { polyfill: false } },
  server: { proxy: { '/api': 'http://127.0.0.1:3000', '/socket.io': { target: 'ws://127.0.0.1:3000', ws: true } } },
});
