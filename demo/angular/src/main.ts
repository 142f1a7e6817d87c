// The Angular demo: a standalone component, zoneless change detection, no NgModule.
import { provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
import {
  RtkStageControls,
  RtkStageList,
  RtkStageNotifications,
  RtkStageQueue,
  RtkStageStatus,
  define,
} from 'rtk-stage/components';
import { AppComponent } from './app/app.component';

// Importing `rtk-stage/components` registers the elements. Here it is imported from the
// repository's sources, which the package's "sideEffects" list does not name, so a bare
// `import 'rtk-stage/components'` would be dropped by the bundler: register them by name
// (define() leaves a name that is already registered alone).
define('rtk-stage-status', RtkStageStatus);
define('rtk-stage-controls', RtkStageControls);
define('rtk-stage-notifications', RtkStageNotifications);
define('rtk-stage-queue', RtkStageQueue);
define('rtk-stage-list', RtkStageList);

bootstrapApplication(AppComponent, {
  providers: [provideZonelessChangeDetection()],
}).catch((error: unknown) => console.error(error));
