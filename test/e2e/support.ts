/**
 * End-to-end harness: the real stage server, the demo pages served as `npm start` serves them,
 * and Debian's Chromium driven by playwright-core (never a downloaded browser). Used by
 * test/e2e/*.test.ts, which scripts/test-node.mjs runs with node:test (one file at a time).
 *
 *   import { after, before, test } from 'node:test';
 *   import { launchBrowser, startStack, uniqueRoom, walkFlow, withSession } from './support.js';
 *
 *   let stack: Stack, browser: Browser;
 *   before(async () => {
 *     await ensureDemo('vue'); // or ensureDropIn() for demo/plain.html
 *     [stack, browser] = await Promise.all([startStack(), launchBrowser()]); // once per file
 *   });
 *   after(async () => { await browser?.close(); await stack?.close(); });
 *
 *   test('the flow', () =>
 *     // A session opens each page in its own browser context; the test fails if any page
 *     // logged a console error, threw, or left a rejection unhandled.
 *     withSession(browser, async (session) => {
 *       const room = uniqueRoom('vue');
 *       const page = (preset: 'host' | 'viewer', name: string) =>
 *         session.open(stack.url('/demo/vue/dist/index.html', { room, preset, name }));
 *       await walkFlow({ openHost: () => page('host', 'Hana'), openViewer: () => page('viewer', 'Ada') });
 *     }));
 *
 * - `startStack(serverOptions?)` starts `createStageServer({ dev: true })` on a free port and a web-dev-server
 *   over the repository with the same plugins as `npm start` (/demo/config.json, demo/plain.html's
 *   dev token). It gives `stageUrl`, `webUrl`, `url(path, who)` (a page address with
 *   ?room=&preset=&name=), `tokenFor(user, preset, name, room)` (a signed dev token),
 *   `serve(dir)` (a static server for a built app, at its own root, also answering
 *   /demo/config.json) and `close()`.
 * - `launchBrowser()`: headless Chromium at CHROME_PATH or /usr/bin/chromium.
 * - `newSession(browser)`: `open(url, setup?)` opens a page in a new context (so two pages are
 *   two participants), watched by `watchErrors`; `errors` lists what went wrong so far;
 *   `close()` closes every context, then throws if any page logged a console error, threw, or
 *   left a promise rejection unhandled. `withSession(browser, run)` does both around `run`.
 * - `walkFlow({ openHost, openViewer, viewerName, check })` walks the stage flow by role and
 *   accessible name, as a person would, across the host's and the viewer's pages: the viewer
 *   requests; the host sees the request with the viewer's position (#1) and approves; the
 *   viewer joins; both see it on stage; the host removes it; the viewer is off stage; the
 *   viewer requests again and the host denies. A page it drives must offer what the elements
 *   offer (the same texts): buttons "Request to join stage", "Join stage", "Approve NAME",
 *   "Deny NAME", "Remove NAME from stage"; lists named "Requests to join the stage" and
 *   "On stage"; a role="status" line with "You are off stage", "You are #N in line", "You are
 *   on stage"; the notices "You were removed from the stage" and "Your request to join the
 *   stage was declined". `check(step, pages)` runs extra checks after each step.
 * - `ensureDropIn()` builds dist/rtk-stage.min.js when it is missing or older than the sources;
 *   `ensureDemo(name)` runs scripts/build-demos.mjs for a framework demo ('vue', 'angular'),
 *   which builds it only when it is missing or stale. A framework demo built into
 *   demo/NAME/dist with relative asset URLs is then at `stack.url('/demo/NAME/dist/index.html',
 *   who)`, as `npm start` serves it; it finds the stage server through /demo/config.json.
 * - E2E_DEBUG=1 logs how long each page load and flow step took.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '@web/dev-server';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { PresetName } from '../../src/index.js';
import {
  DEV_SECRET,
  createStageServer,
  signToken,
  type StageServerOptions,
} from '../../src/server/index.js';
import { configPlugin, plainPagePlugin } from '../../scripts/demo-plugins.mjs';

/** The repository's root directory. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How long one wait for the page may take (a command's round trip is a few ms). */
export const STEP_TIMEOUT = 10_000;
/** How long loading a page may take. */
export const NAVIGATION_TIMEOUT = 30_000;

const CHROME_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  // Two pages side by side: keep neither from being throttled.
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
];

/** Headless Debian Chromium (CHROME_PATH overrides /usr/bin/chromium). Close it when done. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROME_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: CHROME_ARGS,
  });
}

/** Who a demo page is for; it becomes the page's ?room=&preset=&name=(&user=). */
export interface Who {
  readonly room?: string;
  readonly preset?: PresetName;
  readonly name?: string;
  readonly user?: string;
}

export interface Stack {
  /** The stage server's socket, `ws://127.0.0.1:PORT/stage`. */
  readonly stageUrl: string;
  /** The stage server over HTTP (`/dev/token`, `/healthz`). */
  readonly stageHttp: string;
  /** The web server over the repository root, as `npm start` serves it. */
  readonly webUrl: string;
  /** `webUrl` + `path`, with `who` as the query. */
  url(path: string, who?: Who): string;
  /** A development token for a participant (room `demo` by default). */
  tokenFor(user: string, preset?: PresetName, name?: string, room?: string): Promise<string>;
  /** Serves a built app's directory at the root of a new port; resolves with its base URL. */
  serve(dir: string): Promise<string>;
  /** Stops the servers. */
  close(): Promise<void>;
}

/**
 * The real stage server (dev mode, in-memory rooms, on a free port; `serverOptions` may set
 * room options such as `maxOnStage`) and the demo pages' web server.
 */
export async function startStack(serverOptions: StageServerOptions = {}): Promise<Stack> {
  const stage = await createStageServer({
    logLevel: 'silent',
    ...serverOptions,
    dev: true,
    port: 0,
    host: '127.0.0.1',
  });
  const stageUrl = `ws://127.0.0.1:${stage.port}/stage`;
  const stageHttp = `http://127.0.0.1:${stage.port}`;
  const config = { stageUrl, tokenUrl: `${stageHttp}/dev/token` };
  const servers: Server[] = [];
  let web;
  try {
    web = await startDevServer({
      config: {
        rootDir: ROOT,
        port: 0,
        hostname: '127.0.0.1',
        nodeResolve: true,
        watch: false,
        plugins: [
          esbuildPlugin({ ts: true, target: 'es2022', tsconfig: path.join(ROOT, 'tsconfig.json') }),
          configPlugin(config),
          plainPagePlugin({
            stageUrl,
            mintToken: (claims) => signToken(claims, DEV_SECRET, '1h'),
          }),
        ],
      },
      readCliArgs: false,
      readFileConfig: false,
      logStartMessage: false,
    });
  } catch (error) {
    await stage.close();
    throw error;
  }
  const webUrl = `http://127.0.0.1:${(web.server!.address() as AddressInfo).port}`;
  return {
    stageUrl,
    stageHttp,
    webUrl,
    url(pathname, who = {}) {
      const query = new URLSearchParams(
        Object.entries(who).filter((entry): entry is [string, string] => entry[1] !== undefined),
      );
      return `${webUrl}${pathname}${query.size > 0 ? `?${query}` : ''}`;
    },
    tokenFor(user, preset = 'viewer', name = user, room = 'demo') {
      return signToken({ sub: user, room, name, preset }, DEV_SECRET, '1h');
    },
    async serve(dir) {
      const server = staticServer(path.resolve(ROOT, dir), JSON.stringify(config));
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close() {
      await Promise.allSettled([
        web.stop(),
        stage.close(),
        ...servers.map((s) => {
          s.closeAllConnections();
          return new Promise((resolve) => s.close(resolve));
        }),
      ]);
    },
  };
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Files of `dir`; unknown paths without an extension get index.html (client-side routes). */
function staticServer(dir: string, configJson: string): Server {
  return createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://localhost');
    if (pathname === '/demo/config.json') {
      res.writeHead(200, { 'content-type': MIME['.json']!, 'cache-control': 'no-store' });
      res.end(configJson);
      return;
    }
    let file = path.join(dir, decodeURIComponent(pathname));
    if (!file.startsWith(dir)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!existsSync(file) && path.extname(file) === '') file = path.join(dir, 'index.html');
    readFile(file).then(
      (body) => {
        const type = MIME[path.extname(file)] ?? 'application/octet-stream';
        res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
        res.end(body);
      },
      () => res.writeHead(404, { 'content-type': MIME['.txt']! }).end(`Not found: ${pathname}`),
    );
  });
}

/** A fresh room id, so tests never see each other's participants. */
export function uniqueRoom(prefix = 'e2e'): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}

/**
 * Records, into `errors`, every console error, uncaught exception and unhandled rejection of
 * the page (Chromium reports both of the latter as `pageerror`), and a crash.
 */
export function watchErrors(page: Page, label: string, errors: string[]): void {
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${label}: console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`${label}: uncaught: ${error.message}`));
  page.on('crash', () => errors.push(`${label}: the page crashed`));
}

export interface Session {
  /** Opens `url` in a new browser context, watched for errors; `setup` runs before loading. */
  open(url: string, setup?: (page: Page) => void | Promise<void>): Promise<Page>;
  /** Every error the session's pages reported so far. */
  readonly errors: readonly string[];
  /** Throws if any page reported an error. */
  assertNoErrors(): void;
  /** Closes every context; then throws if any page reported an error. */
  close(): Promise<void>;
}

/** Pages for one test: each in its own context (its own participant), watched for errors. */
export function newSession(browser: Browser): Session {
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  const assertNoErrors = () => {
    if (errors.length > 0) {
      throw new Error(`the pages reported errors:\n  ${errors.join('\n  ')}`);
    }
  };
  return {
    errors,
    assertNoErrors,
    async open(url, setup) {
      const context = await browser.newContext();
      contexts.push(context);
      context.setDefaultTimeout(STEP_TIMEOUT);
      // The first load of a page compiles its TypeScript on the fly: give it longer.
      context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT);
      const page = await context.newPage();
      const query = new URL(url).searchParams;
      const label = [query.get('preset'), query.get('name')].filter(Boolean).join(' ') || url;
      watchErrors(page, label, errors);
      await setup?.(page);
      const started = performance.now();
      const response = await page.goto(url);
      if (process.env['E2E_DEBUG']) {
        console.log(`opened ${label}: ${Math.round(performance.now() - started)} ms`);
      }
      if (!response?.ok()) throw new Error(`${url} answered ${response?.status() ?? 'nothing'}`);
      return page;
    },
    async close() {
      // Errors first: closing a page is not something it should complain about.
      const found = [...errors];
      const started = performance.now();
      await Promise.allSettled(contexts.map((c) => c.close()));
      if (process.env['E2E_DEBUG']) {
        console.log(
          `closed ${contexts.length} contexts: ${Math.round(performance.now() - started)} ms`,
        );
      }
      if (found.length > 0) assertNoErrors();
    },
  };
}

/**
 * Runs `run` with a new session and closes it. Fails when `run` fails (the pages' errors are
 * added to the message) or when a page reported an error.
 */
export async function withSession<T>(
  browser: Browser,
  run: (session: Session) => Promise<T>,
): Promise<T> {
  const session = newSession(browser);
  let result: T;
  try {
    result = await run(session);
  } catch (error) {
    const reported = [...session.errors];
    await session.close().catch(() => undefined);
    const message = (error as Error).message ?? String(error);
    const missing = reported.filter((line) => !message.includes(line));
    if (missing.length === 0) throw error;
    throw new Error(`${message}\npage errors:\n  ${missing.join('\n  ')}`, { cause: error });
  }
  await session.close();
  return result;
}

export type FlowStep =
  'connected' | 'requested' | 'approved' | 'joined' | 'removed' | 'requested again' | 'denied';

export interface FlowOptions {
  /** Opens the host's page (a participant with the `host` preset). */
  openHost(): Promise<Page>;
  /** Opens the viewer's page (preset `viewer`), named `viewerName`. */
  openViewer(): Promise<Page>;
  /** The viewer's display name (default 'Ada'). */
  viewerName?: string;
  /** Extra checks after each step (e.g. a framework demo's own status line). */
  check?(step: FlowStep, pages: { host: Page; viewer: Page }): Promise<void>;
  /** Errors to report with a failing step, e.g. the session's. */
  errors?: readonly string[];
}

/** Resolves once some element matching the locator is visible. */
const shows = (locator: ReturnType<Page['locator']>) =>
  locator.first().waitFor({ state: 'visible' });
/** Resolves once no element matching the locator is visible. */
const hides = (locator: ReturnType<Page['locator']>) =>
  locator.first().waitFor({ state: 'hidden' });

/** A role="status" line containing `text`. */
const statusLine = (page: Page, text: string) => page.getByRole('status').filter({ hasText: text });
const button = (scope: Page | ReturnType<Page['locator']>, name: string) =>
  scope.getByRole('button', { name, exact: true });

/** Walks the stage flow between a host and a viewer by role and name (see the file's top). */
export async function walkFlow(options: FlowOptions): Promise<{ host: Page; viewer: Page }> {
  const name = options.viewerName ?? 'Ada';
  const step = async (label: FlowStep, run: () => Promise<unknown>) => {
    const started = performance.now();
    try {
      await run();
      await options.check?.(label, pages);
      if (process.env['E2E_DEBUG']) {
        console.log(`flow step "${label}": ${Math.round(performance.now() - started)} ms`);
      }
    } catch (error) {
      const errors = options.errors?.length
        ? `\npage errors:\n  ${options.errors.join('\n  ')}`
        : '';
      throw new Error(`flow step "${label}" failed: ${(error as Error).message}${errors}`, {
        cause: error,
      });
    }
  };

  const [host, viewer] = await Promise.all([options.openHost(), options.openViewer()]);
  const pages = { host, viewer };
  const queue = host.getByRole('list', { name: 'Requests to join the stage', exact: true });
  const queued = queue.getByRole('listitem').filter({ hasText: name });
  const onStage = (page: Page) =>
    page
      .getByRole('list', { name: 'On stage', exact: true })
      .getByRole('listitem')
      .filter({ hasText: name, hasNotText: 'not joined' });

  await step('connected', () =>
    Promise.all([
      // The host may go on stage without asking ("Join stage"); the viewer must ask.
      shows(button(host, 'Join stage')),
      shows(statusLine(host, 'You are off stage')),
      shows(button(viewer, 'Request to join stage')),
      shows(statusLine(viewer, 'You are off stage')),
    ]),
  );

  await step('requested', async () => {
    await button(viewer, 'Request to join stage').click();
    await Promise.all([
      shows(statusLine(viewer, 'You are #1 in line')),
      shows(button(viewer, 'Cancel request')),
      shows(queued.filter({ hasText: '#1' })),
    ]);
  });

  await step('approved', async () => {
    await button(queue, `Approve ${name}`).click();
    await Promise.all([hides(queued), shows(button(viewer, 'Join stage'))]);
  });

  await step('joined', async () => {
    await button(viewer, 'Join stage').click();
    await Promise.all([
      shows(statusLine(viewer, 'You are on stage')),
      shows(onStage(viewer)),
      shows(onStage(host)),
      shows(button(host, `Remove ${name} from stage`)),
    ]);
  });

  await step('removed', async () => {
    await button(host, `Remove ${name} from stage`).click();
    await Promise.all([
      shows(statusLine(viewer, 'You are off stage')),
      shows(viewer.getByText('You were removed from the stage')),
      shows(button(viewer, 'Request to join stage')),
      hides(onStage(viewer)),
      hides(onStage(host)),
    ]);
  });

  await step('requested again', async () => {
    await button(viewer, 'Request to join stage').click();
    await Promise.all([
      shows(statusLine(viewer, 'You are #1 in line')),
      shows(queued.filter({ hasText: '#1' })),
    ]);
  });

  await step('denied', async () => {
    await button(queue, `Deny ${name}`).click();
    await Promise.all([
      hides(queued),
      shows(viewer.getByText('Your request to join the stage was declined')),
      shows(statusLine(viewer, 'You are off stage')),
      shows(button(viewer, 'Request to join stage')),
    ]);
  });

  return pages;
}

// ---------------------------------------------------------------------------------------------
// Builds the tests need, each only when its output is missing or older than the sources.

function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(full));
    else if (entry.isFile()) latest = Math.max(latest, statSync(full).mtimeMs);
  }
  return latest;
}

function run(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`node ${args.join(' ')} failed (${code}):\n${output.slice(-4000)}`)),
    );
  });
}

/** The drop-in's path. */
export const DROP_IN = path.join(ROOT, 'dist/rtk-stage.min.js');

/**
 * Builds dist/rtk-stage.min.js (rollup.config.mjs's `dropInConfig()`: a few seconds, no type
 * check) when it is missing or older than src/, components/ or rollup.config.mjs.
 */
export async function ensureDropIn(): Promise<void> {
  const sources = Math.max(
    newest(path.join(ROOT, 'src')),
    newest(path.join(ROOT, 'components')),
    statSync(path.join(ROOT, 'rollup.config.mjs')).mtimeMs,
  );
  if (existsSync(DROP_IN) && statSync(DROP_IN).mtimeMs >= sources) return;
  // A module file, not `node --eval`: terser's workers would inherit `--input-type`.
  const script = path.join(ROOT, 'node_modules/.cache/rtk-stage-e2e/build-drop-in.mjs');
  await mkdir(path.dirname(script), { recursive: true });
  await writeFile(
    script,
    [
      "import { rollup } from 'rollup';",
      "import { dropInConfig } from '../../../rollup.config.mjs';",
      'const config = dropInConfig();',
      'const bundle = await rollup(config);',
      'await bundle.write(config.output);',
      'await bundle.close();',
    ].join('\n'),
  );
  await run([script]);
}

/** Builds a framework demo with scripts/build-demos.mjs, when it is missing or stale. */
export function ensureDemo(name: 'vue' | 'angular'): Promise<void> {
  return run(['scripts/build-demos.mjs', name]);
}
