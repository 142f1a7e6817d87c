export { createStageServer } from './server.js';
export type { StageServer } from './server.js';
export type { StageServerOptions } from './options.js';
export { DEV_SECRET, optionsFromEnv } from './options.js';
export { signToken, verifyToken } from './auth.js';
export type { Identity, StageTokenClaims } from './auth.js';
// The rules engine with save and restore, for authorities that keep rooms outside one process.
export { SerializableRoom } from '../model/index.js';
export type { RoomData } from '../model/index.js';
