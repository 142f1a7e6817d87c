import { createContext } from '@lit/context';
import type { StageController } from '../../src/index.js';

/** The stage a `<rtk-stage-provider>` gives to the elements inside it. */
export const stageContext = createContext<StageController | undefined>(Symbol('rtk-stage'));
