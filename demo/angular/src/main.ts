// The Angular demo: a standalone component, zoneless change detection, no NgModule.
import { provideZonelessChangeDetection } from '@angular/core';
import { bootstrapApplication } from '@angular/platform-browser';
// Registers the elements (the package's "sideEffects" names these modules).
import 'rtk-stage/components';
import { AppComponent } from './app/app.component';

bootstrapApplication(AppComponent, {
  providers: [provideZonelessChangeDetection()],
}).catch((error: unknown) => console.error(error));
