import type { RoomOptions } from '../model/index.js';

/** Options of `createStageServer`; each also has an environment variable (see the README). */
export interface StageServerOptions extends RoomOptions {
  /** TCP port; 0 picks a free one. Env PORT, default 8787. */
  readonly port?: number;
  /** Interface to listen on. Env HOST, default all interfaces. */
  readonly host?: string;
  /** HS256 secret that signs tokens. Env RTK_STAGE_SECRET; required unless `dev`. */
  readonly secret?: string;
  /** Development mode: a built-in secret and a GET /dev/token endpoint. Never in production. */
  readonly dev?: boolean;
  /** Redis URL for rooms shared by several servers. Env REDIS_URL. */
  readonly redisUrl?: string;
  /** Origins allowed to open sockets (browser `Origin` header); unset allows any. Env RTK_STAGE_ALLOWED_ORIGINS (comma-separated). */
  readonly allowedOrigins?: readonly string[];
  /** Open sockets one user may have in one room. Env RTK_STAGE_MAX_CONNECTIONS_PER_USER, default 8. */
  readonly maxConnectionsPerUser?: number;
  /** Per-connection token bucket. Env RTK_STAGE_RATE_BURST, RTK_STAGE_RATE_PER_SECOND. */
  readonly rateLimit?: {
    readonly burst?: number;
    readonly perSecond?: number;
    /** Rejections within 10 s that close the socket with 1008. */
    readonly abuseLimit?: number;
  };
  /** Malformed frames within 10 s that close the socket with 1008. Default 10. */
  readonly malformedLimit?: number;
  /** How long a new socket may take to send a valid hello. Default 5000 ms. */
  readonly helloTimeoutMs?: number;
  /** pino log level ('silent' to mute). Env LOG_LEVEL, default 'info'. */
  readonly logLevel?: string;
}

export interface ResolvedServerOptions {
  readonly port: number;
  readonly host: string | undefined;
  readonly secret: string;
  readonly dev: boolean;
  readonly redisUrl: string | undefined;
  readonly allowedOrigins: readonly string[] | undefined;
  readonly maxConnectionsPerUser: number;
  readonly rateLimit: {
    readonly burst: number;
    readonly perSecond: number;
    readonly abuseLimit: number;
  };
  readonly malformedLimit: number;
  readonly helloTimeoutMs: number;
  readonly logLevel: string;
  readonly room: RoomOptions;
}

/** The secret `--dev` uses. Tokens signed with it are worthless anywhere else. */
export const DEV_SECRET = 'rtk-stage-development-secret-do-not-use-in-production';

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`rtk-stage server: ${name} must be a number >= 0, got ${String(value)}.`);
  }
  return value;
}

export function resolveOptions(o: StageServerOptions): ResolvedServerOptions {
  const dev = o.dev ?? false;
  const secret = o.secret ?? (dev ? DEV_SECRET : undefined);
  if (!secret) {
    throw new Error(
      'rtk-stage server: no secret. Set RTK_STAGE_SECRET (or the `secret` option) to the HS256 secret your tokens are signed with, or start with --dev for local development.',
    );
  }
  if (secret.length < 16 && !dev) {
    throw new Error('rtk-stage server: the secret is too short; use at least 16 characters.');
  }
  const room: RoomOptions = {
    ...(o.maxOnStage !== undefined ? { maxOnStage: o.maxOnStage } : {}),
    ...(o.requestTtlMs !== undefined ? { requestTtlMs: o.requestTtlMs } : {}),
    ...(o.acceptedTtlMs !== undefined ? { acceptedTtlMs: o.acceptedTtlMs } : {}),
    ...(o.reconnectGraceMs !== undefined ? { reconnectGraceMs: o.reconnectGraceMs } : {}),
  };
  return {
    port: positive('port', o.port, 8787),
    host: o.host,
    secret,
    dev,
    redisUrl: o.redisUrl,
    allowedOrigins: o.allowedOrigins,
    maxConnectionsPerUser: positive('maxConnectionsPerUser', o.maxConnectionsPerUser, 8),
    rateLimit: {
      burst: positive('rateLimit.burst', o.rateLimit?.burst, 40),
      perSecond: positive('rateLimit.perSecond', o.rateLimit?.perSecond, 20),
      abuseLimit: positive('rateLimit.abuseLimit', o.rateLimit?.abuseLimit, 50),
    },
    malformedLimit: positive('malformedLimit', o.malformedLimit, 10),
    helloTimeoutMs: positive('helloTimeoutMs', o.helloTimeoutMs, 5000),
    logLevel: o.logLevel ?? 'info',
    room,
  };
}

/** Reads the server's options from environment variables (the CLI's source). */
export function optionsFromEnv(env: NodeJS.ProcessEnv, dev: boolean): StageServerOptions {
  const num = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n))
      throw new RangeError(`rtk-stage server: ${name} must be a number, got "${raw}".`);
    return n;
  };
  const pick = <T>(key: string, value: T | undefined) =>
    value === undefined ? {} : { [key]: value };
  const rateLimit = {
    ...pick('burst', num('RTK_STAGE_RATE_BURST')),
    ...pick('perSecond', num('RTK_STAGE_RATE_PER_SECOND')),
  };
  return {
    dev,
    ...pick('port', num('PORT')),
    ...pick('host', env['HOST'] || undefined),
    ...pick('secret', env['RTK_STAGE_SECRET'] || undefined),
    ...pick('redisUrl', env['REDIS_URL'] || undefined),
    ...pick(
      'allowedOrigins',
      env['RTK_STAGE_ALLOWED_ORIGINS']
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    ),
    ...pick('maxConnectionsPerUser', num('RTK_STAGE_MAX_CONNECTIONS_PER_USER')),
    ...pick('maxOnStage', num('RTK_STAGE_MAX_ON_STAGE')),
    ...pick('requestTtlMs', num('RTK_STAGE_REQUEST_TTL_MS')),
    ...pick('acceptedTtlMs', num('RTK_STAGE_ACCEPTED_TTL_MS')),
    ...pick('reconnectGraceMs', num('RTK_STAGE_RECONNECT_GRACE_MS')),
    ...(Object.keys(rateLimit).length ? { rateLimit } : {}),
    ...pick('logLevel', env['LOG_LEVEL'] || undefined),
  };
}
