// `npm run build`: builds the app with @angular/build's application builder (esbuild) into
// dist/, as `ng build` would, from the same angular.json, without installing @angular/cli
// (which would double this demo's dependencies). `node build.mjs development` builds
// without optimization.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = path.dirname(fileURLToPath(import.meta.url));
const configuration = process.argv[2];

let devkit;
try {
  devkit = {
    ...require('@angular-devkit/architect'),
    ...require('@angular-devkit/architect/node'),
    ...require('@angular-devkit/core'),
    ...require('@angular-devkit/core/node'),
  };
} catch (error) {
  console.error(
    `${error.message}\nInstall this demo's dependencies first: npm ci --prefix demo/angular`,
  );
  process.exit(1);
}
const {
  Architect,
  WorkspaceNodeModulesArchitectHost,
  NodeJsSyncHost,
  logging,
  schema,
  workspaces,
} = devkit;

const { workspace } = await workspaces.readWorkspace(
  path.join(root, 'angular.json'),
  workspaces.createWorkspaceHost(new NodeJsSyncHost()),
);
const registry = new schema.CoreSchemaRegistry();
registry.addPostTransform(schema.transforms.addUndefinedDefaults);
registry.useXDeprecatedProvider((message) => console.warn(message));
const architect = new Architect(new WorkspaceNodeModulesArchitectHost(workspace, root), registry);

const logger = new logging.Logger('build');
logger.subscribe((entry) =>
  (entry.level === 'error' || entry.level === 'fatal' ? console.error : console.log)(entry.message),
);
const run = await architect.scheduleTarget(
  { project: 'rtk-stage-demo', target: 'build', ...(configuration ? { configuration } : {}) },
  {},
  { logger },
);
const result = await run.lastOutput;
await run.stop();
process.exitCode = result.success ? 0 : 1;
