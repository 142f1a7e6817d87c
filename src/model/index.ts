export * from './types.js';
export * from './errors.js';
export * from './presets.js';
export * from './args.js';
export * from './change.js';
export { StageRoom } from './room.js';
export type { CommandOutcome, MemberInput, RoomData, RoomSnapshot } from './room.js';
export * from './protocol.js';
