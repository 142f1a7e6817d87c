// The Vue demo, built with Vite into demo/vue/dist (`npm run build:demos`). It uses the package
// as an app would: `import ... from 'rtk-stage'` and `'rtk-stage/components'`, which the aliases
// below point at this repository's sources instead of an installed copy.
import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const repo = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative asset URLs: the build is served from /demo/vue/dist/ by `npm start`.
  base: './',
  plugins: [
    vue({
      // <rtk-stage-*> are custom elements, not Vue components.
      template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('rtk-') } },
    }),
  ],
  resolve: {
    alias: [
      { find: /^rtk-stage\/components$/, replacement: repo('components/index.ts') },
      { find: /^rtk-stage$/, replacement: repo('src/index.ts') },
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
