// `npm start`: serves the repo root; open http://localhost:8000/demo/ (PORT and HOST override).
// Demo pages may import ../src/index.ts (or .js) directly: esbuild compiles TypeScript on the fly.
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';

const port = Number(process.env.PORT ?? 8000);
const hostname = process.env.HOST ?? 'localhost';

export default {
  rootDir: '.',
  port,
  hostname,
  nodeResolve: true,
  open: false,
  watch: false,
  plugins: [
    esbuildPlugin({
      ts: true,
      target: 'es2022',
      tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)),
    }),
    {
      name: 'announce-demo',
      serverStart() {
        console.log(`rtk-stage demo: http://${hostname}:${port}/demo/index.html`);
      },
    },
  ],
};
