export * from './types.js';
export * from './errors.js';
export * from './presets.js';
export * from './args.js';
export * from './change.js';
export { StageRoom } from './room.js';
export { SerializableRoom } from './room-data.js';
export type { RoomData } from './room-data.js';
export * from './protocol.js';
