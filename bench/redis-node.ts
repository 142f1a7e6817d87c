/**
 * One rtk-stage server of `npm run bench:redis`, in its own process (forked by bench/redis.ts
 * with an IPC channel): in memory, or a node on the Redis at BENCH_REDIS_URL. Options
 * (createStageServer's, as JSON) come from BENCH_NODE_OPTIONS. It reports its port, answers
 * CPU-time queries, and stops when told to or when the parent goes away.
 */
import { cpuUsage } from 'node:process';
import { createStageServer } from '../src/server/index.js';
import type { StageServerOptions } from '../src/server/index.js';
import type { FromNode, ToNode } from './redis-ipc.js';

function tell(m: FromNode): void {
  if (process.connected) process.send!(m, undefined, undefined, () => {});
}

if (!process.send) {
  console.error('bench/redis-node.ts is a server process of `npm run bench:redis`; run that.');
  process.exit(2);
}

const options = JSON.parse(process.env['BENCH_NODE_OPTIONS'] ?? '{}') as StageServerOptions;
const redisUrl = process.env['BENCH_REDIS_URL'];
let server: Awaited<ReturnType<typeof createStageServer>>;
try {
  server = await createStageServer({
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    ...options,
    ...(redisUrl ? { redisUrl } : {}),
  });
} catch (error) {
  tell({ op: 'failed', message: (error as Error).message });
  process.exit(1);
}

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  // process.exit (not a signal) so that a --cpu-prof profile is written.
  setTimeout(() => process.exit(0), 3000).unref();
  void server.close().finally(() => process.exit(0));
}

process.on('message', (m: ToNode) => {
  if (m.op === 'cpu') {
    const u = cpuUsage();
    tell({ op: 'cpu', us: u.user + u.system });
  } else if (m.op === 'close') stop();
});
process.on('disconnect', stop);
process.on('SIGTERM', stop);
tell({ op: 'listening', port: server.port });
