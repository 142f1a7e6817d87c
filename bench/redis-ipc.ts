/**
 * What bench/redis.ts (the parent: Redis, the servers, the host sockets) tells its children and
 * hears back: the stage servers (bench/redis-node.ts, one process each) and the client process
 * (bench/redis-clients.ts). Times are on the machine's monotonic clock (`nowMs`, shared with
 * bench:server), so "sent in the parent" and "received in the client process" compare.
 */
export { nowMs } from './server-ipc.js';

// ---- parent <-> stage server process -------------------------------------------------------

export type ToNode = { readonly op: 'cpu' } | { readonly op: 'close' };

export type FromNode =
  | { readonly op: 'listening'; readonly port: number }
  /** process.cpuUsage() of the server process, in µs. */
  | { readonly op: 'cpu'; readonly us: number }
  | { readonly op: 'failed'; readonly message: string };

// ---- parent <-> client process ---------------------------------------------------------------

/** `n` sockets of a group on one server. */
export interface Target {
  readonly url: string;
  readonly n: number;
}

export type ToClients =
  /**
   * Opens and logs in the sockets of a group: user ids `${group}-${i}`, viewers, in `room`,
   * `targets[0].n` on the first server, the next ones on the next.
   */
  | {
      readonly op: 'open';
      readonly group: string;
      readonly room: string;
      readonly secret: string;
      readonly targets: readonly Target[];
    }
  /**
   * Every socket of the group loops requestAccess / cancelRequestAccess, one command in flight
   * each, for `warmupMs + windowMs`; results received within the window are counted.
   */
  | {
      readonly op: 'load';
      readonly group: string;
      readonly warmupMs: number;
      readonly windowMs: number;
    }
  | { readonly op: 'status' }
  | { readonly op: 'close'; readonly group: string }
  | { readonly op: 'exit' };

export type FromClients =
  | { readonly op: 'ready' }
  | { readonly op: 'opened'; readonly group: string; readonly ms: number }
  /**
   * Every socket of the group has received its idx-th 'pub' frame: when the last of them got
   * it, overall and per target (server).
   */
  | {
      readonly op: 'round';
      readonly group: string;
      readonly idx: number;
      readonly last: number;
      readonly lastPerTarget: readonly number[];
    }
  | {
      readonly op: 'loaded';
      readonly group: string;
      /** ok results received within the window, and its length. */
      readonly ok: number;
      readonly windowMs: number;
      /** ok results over the whole run (warm-up included), and failed ones. */
      readonly okTotal: number;
      readonly failed: number;
      readonly firstFailure?: string;
      /** Command → result latency within the window, ms. */
      readonly p50: number;
      readonly p99: number;
    }
  | {
      readonly op: 'status';
      readonly groups: Record<string, { open: number; rounds: number[] }>;
    }
  | { readonly op: 'closed'; readonly group: string }
  | { readonly op: 'lost'; readonly group: string; readonly code: number; readonly reason: string }
  | { readonly op: 'error'; readonly message: string; readonly code?: string };
