#!/usr/bin/env node
// rtk-stage-server: PORT, RTK_STAGE_SECRET, REDIS_URL and the other variables in the README;
// --dev for local development (a built-in secret and a token endpoint).
import { createStageServer } from './server.js';
import { optionsFromEnv } from './options.js';

const dev = process.argv.includes('--dev');
try {
  const server = await createStageServer(optionsFromEnv(process.env, dev));
  console.log(
    `rtk-stage server: ${server.url}${dev ? ' (dev mode: GET /dev/token issues tokens)' : ''}`,
  );
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
