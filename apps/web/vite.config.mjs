// @ts-check
import { defineConfig } from 'vite';

// The API serves the built files at `/` (same origin: the refresh cookie, /api and /ws need no
// CORS). For `npx vite apps/web` during development, /api and /ws go to a local `npm start`.
const API = 'http://127.0.0.1:3000';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // Every byte of the first page is budgeted (under 200 KB of JavaScript, gzipped).
    reportCompressedSize: false,
    rolldownOptions: {
      onwarn(warning, warn) {
        // React libraries mark modules "use client" for server components, which we do not use.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/api': API,
      '/ws': { target: API, ws: true },
    },
  },
});
