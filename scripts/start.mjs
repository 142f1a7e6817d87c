// `npm start` (after the build): the stage server in dev mode with in-memory rooms, and the
// demo pages served by web-dev-server. Ctrl+C stops both.
import { startDevServer } from '@web/dev-server';
import devServerConfig from '../web-dev-server.config.mjs';
import { createStageServer } from '../dist/server/index.js';

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

const web = await startDevServer({
  config: { ...devServerConfig, plugins: [...devServerConfig.plugins, demoConfig] },
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
