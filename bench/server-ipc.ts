/**
 * What bench/server.ts (the parent: servers and the host) and bench/server-clients.ts (the
 * child: N client sockets) tell each other over the fork IPC channel, and their shared clock.
 */

/**
 * Milliseconds on the machine's monotonic clock. `process.hrtime` reads CLOCK_MONOTONIC (Linux),
 * mach_absolute_time (macOS) or QueryPerformanceCounter (Windows): one clock for every process
 * on the machine, so a time taken in the child compares with one taken in the parent.
 */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** 'stage': sockets to the rtk-stage server (they send a hello); 'raw': to the plain ws server. */
export type Group = 'stage' | 'raw';

export type ToChild =
  | {
      readonly op: 'open';
      readonly group: Group;
      readonly url: string;
      readonly n: number;
      /** stage only: the child signs one viewer token per socket with it. */
      readonly secret?: string;
      readonly room?: string;
    }
  /**
   * The first `count` sockets of the group each send one command frame, as fast as possible
   * (raw ones add `u`, their user id, which the raw server has no other way to know).
   */
  | { readonly op: 'command'; readonly group: Group; readonly count: number; readonly cmd: string }
  | { readonly op: 'status' }
  | { readonly op: 'close'; readonly group: Group }
  | { readonly op: 'exit' };

export type ToParent =
  | { readonly op: 'ready' }
  | { readonly op: 'opened'; readonly group: Group; readonly n: number; readonly ms: number }
  /**
   * Every socket of the group has received its idx-th tracked frame ('pub' frames: the raw
   * server sends the same bytes): when the first and the last of them got it.
   */
  | {
      readonly op: 'round';
      readonly group: Group;
      readonly idx: number;
      readonly first: number;
      readonly last: number;
    }
  /** After 'command': who sent it, and when (nowMs) each was sent. */
  | { readonly op: 'commanded'; readonly userIds: string[]; readonly times: number[] }
  | {
      readonly op: 'status';
      readonly groups: Partial<Record<Group, { open: number; rounds: number[] }>>;
    }
  | { readonly op: 'closed'; readonly group: Group }
  /** A socket of a group closed while the bench still needed it. */
  | { readonly op: 'lost'; readonly group: Group; readonly code: number; readonly reason: string }
  | { readonly op: 'error'; readonly message: string; readonly code?: string };
