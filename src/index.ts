export {
  StageError,
  StageRoom,
  presets,
  isPrivileged,
  mayBeOnStage,
  MAX_BULK_IDS,
  NO_CHANGE,
} from './model/index.js';
export type {
  CommandOutcome,
  MemberInput,
  PresetName,
  RoomChange,
  RoomOptions,
  RoomSnapshot,
  SelfView,
  StageAccess,
  StageBulkResult,
  StageCommand,
  StageErrorCode,
  StageErrorReason,
  StageEvent,
  StageEventName,
  StageEventPayloads,
  StageParticipant,
  StagePermissions,
  StageRequest,
  StageStatus,
} from './model/index.js';
export { StageController } from './controller/index.js';
export type { ConnectionState, StageEventMap, StageLink } from './controller/index.js';
export { createLocalStage } from './transports/local.js';
export { connectStage } from './transports/websocket.js';
export type {
  ConnectStageOptions,
  WebSocketConstructor,
  WebSocketLike,
} from './transports/websocket.js';
export type { LocalConnectOptions, LocalStage, LocalStageOptions } from './transports/local.js';
export type { StageClock } from './transports/clock.js';
