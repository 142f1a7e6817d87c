// One rtk-stage server in its own process, for the Redis tests (StageNode in support.ts starts
// it with `node --import tsx`): REDIS_URL, RTK_STAGE_SECRET and STAGE_OPTIONS (JSON of
// createStageServer options) come from the environment; it prints `{"port":N}` on stdout once
// it listens. SIGTERM (or the parent closing stdin) closes it gracefully; SIGKILL is a crash.
import { createStageServer, type StageServerOptions } from '../../src/server/index.js';

const options = JSON.parse(process.env['STAGE_OPTIONS'] ?? '{}') as StageServerOptions;
const server = await createStageServer({
  port: 0,
  host: '127.0.0.1',
  secret: process.env['RTK_STAGE_SECRET'] ?? '',
  redisUrl: process.env['REDIS_URL'] ?? '',
  logLevel: 'silent',
  ...options,
});
process.stdout.write(`${JSON.stringify({ port: server.port })}\n`);

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  const force = setTimeout(() => process.exit(1), 5000);
  force.unref();
  void server.close().finally(() => process.exit(0));
}
process.on('SIGTERM', stop);
// The test process went away (even by a crash): do not outlive it.
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
