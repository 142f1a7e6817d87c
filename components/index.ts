// The package's `./components` entry: importing it registers every rtk-stage element.
// The provider comes first so that it is defined before the elements that ask it for a stage.
export { RtkStageProvider } from './stage-provider/stage-provider.js';
export { RtkStageControls } from './stage-controls/stage-controls.js';
export { RtkStageQueue } from './stage-queue/stage-queue.js';
export { RtkStageList } from './stage-list/stage-list.js';
export { RtkStageStatus } from './stage-status/stage-status.js';
export { RtkStageNotifications } from './stage-notifications/stage-notifications.js';
export { stageContext } from './shared/context.js';
export { StageElement, define } from './shared/stage-element.js';
export { defaultStrings } from './shared/strings.js';
export type { StageStrings } from './shared/strings.js';
