export { StageController } from './controller.js';
export type { StageEventMap } from './events.js';
export type { ConnectionState, StageLink } from './link.js';
export { select, shareList } from './select.js';
