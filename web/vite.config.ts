import { defineConfig } from 'vite';

// The build concordd serves from web.root: dist/index.html and dist/assets/ with hashed names.
export default defineConfig({
  build: { outDir: 'dist', assetsDir: 'assets', sourcemap: false, emptyOutDir: true },
});
