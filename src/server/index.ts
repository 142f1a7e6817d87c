export { createStageServer } from './server.js';
export type { StageServer } from './server.js';
export type { StageServerOptions } from './options.js';
export { DEV_SECRET, optionsFromEnv } from './options.js';
export { signToken, verifyToken } from './auth.js';
export type { Identity, StageTokenClaims } from './auth.js';
