// `npm start` (after the build): the stage server in dev mode with in-memory rooms, and the
// demo pages served by web-dev-server. Ctrl+C stops both.
import { startDevServer } from '@web/dev-server';
import devServerConfig from '../web-dev-server.config.mjs';
import { DEV_SECRET, createStageServer, signToken } from '../dist/server/index.js';
import { plainPagePlugin } from './demo-plugins.mjs';

const stagePort = Number(process.env.STAGE_PORT ?? 8787);
const stage = await createStageServer({
  dev: true,
  port: stagePort,
  logLevel: process.env.LOG_LEVEL ?? 'warn',
}).catch((error) => {
  console.error(`Could not start the stage server on port ${stagePort}: ${error.message}`);
  console.error('Set STAGE_PORT to another port, or stop what is using it.');
  process.exit(1);
});

const host = devServerConfig.hostname === '0.0.0.0' ? 'localhost' : devServerConfig.hostname;
const stageHttp = `http://${host}:${stage.port}`;
const demoConfig = {
  name: 'demo-config',
  serve(context) {
    if (context.path !== '/demo/config.json') return undefined;
    return {
      type: 'json',
      body: JSON.stringify({
        stageUrl: `ws://${host}:${stage.port}/stage`,
        tokenUrl: `${stageHttp}/dev/token`,
      }),
    };
  },
};

// demo/plain.html has no script of its own: fill in its provider's url and a dev token.
const plainPage = plainPagePlugin({
  stageUrl: `ws://${host}:${stage.port}/stage`,
  mintToken: (claims) => signToken(claims, DEV_SECRET, '12h'),
});

const web = await startDevServer({
  config: { ...devServerConfig, plugins: [...devServerConfig.plugins, demoConfig, plainPage] },
  readCliArgs: false,
  readFileConfig: false,
  logStartMessage: false,
}).catch(async (error) => {
  console.error(`Could not serve the demo on port ${devServerConfig.port}: ${error.message}`);
  console.error('Set PORT to another port, or stop what is using it.');
  await stage.close();
  process.exit(1);
});

console.log(`rtk-stage stage server: ws://${host}:${stage.port}/stage (dev mode, rooms in memory)`);

async function stop() {
  await Promise.allSettled([web.stop(), stage.close()]);
  process.exit(0);
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
