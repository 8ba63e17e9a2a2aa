import { defineConfig } from 'vite';

// The bundle `scarscope serve --web web/dist` serves at /. Everything is bundled: no request leaves
// the origin (the server's Content-Security-Policy allows only 'self').
export default defineConfig({
  base: './',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // three.js alone is larger than the warning's default; it loads only on the 3D view.
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npm run dev` against a running `scarscope serve` on 8080.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
