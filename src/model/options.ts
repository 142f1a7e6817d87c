import type { RoomOptions } from './types.js';

const DEFAULTS = {
  maxOnStage: Infinity,
  requestTtlMs: 0,
  acceptedTtlMs: 0,
  reconnectGraceMs: 30_000,
};

export type Resolved = { -readonly [K in keyof typeof DEFAULTS]: number };

export function resolveOptions(options: RoomOptions): Resolved {
  const out: Resolved = { ...DEFAULTS };
  for (const key of Object.keys(DEFAULTS) as (keyof Resolved)[]) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
      throw new RangeError(`Room option ${key} must be a number >= 0, got ${String(value)}.`);
    }
    out[key] = value;
  }
  return out;
}
