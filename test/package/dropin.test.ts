/**
 * The drop-in, dist/rtk-stage.min.js, built once here from the sources with the build's own
 * rollup config (in memory): its size against the budget, that it is one self-contained
 * module, and that it works in headless Chromium: on its own with a local room, and as the
 * README's drop-in and app examples show it, against a real stage server.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { filter, firstValueFrom } from 'rxjs';
import ts from 'typescript';
import { connectStage, type StageController } from '../../src/index.js';
import { createStageServer, signToken, type StageServer } from '../../src/server/index.js';
import {
  DROP_IN_BUDGET_GZ,
  buildBundle,
  byOrigin,
  dropInConfig,
  type BundleResult,
} from '../../scripts/size.mjs';
import { ROOT, launchChromium, readmeBlock, serveFiles, watch } from './support.js';

const SECRET = 'drop-in-test-secret-of-some-length';
const STEP = { timeout: 10_000 };
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

/** Every tag custom-elements.json documents. */
const TAGS: string[] = (
  JSON.parse(readFileSync(path.join(ROOT, 'custom-elements.json'), 'utf8')) as {
    modules: { declarations?: { tagName?: string; name: string }[] }[];
  }
).modules.flatMap((m) => (m.declarations ?? []).flatMap((d) => (d.tagName ? [d.tagName] : [])));

let dropIn: BundleResult;
/** What the static server serves; the tests add their pages. */
const files = new Map<string, { type: string; body: string }>();
let stage: StageServer;
let web: Awaited<ReturnType<typeof serveFiles>>;
let browser: Browser;
const controllers: StageController[] = [];
let hostToken = '';

const html = (body: string, head = '') =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>rtk-stage drop-in</title><link rel="icon" href="data:,">${head}</head><body>${body}</body></html>`;

before(async () => {
  dropIn = await buildBundle(dropInConfig());
  // One seat per room, so the app example can show a failure (2007) through rtk-stage-error.
  stage = await createStageServer({ secret: SECRET, port: 0, logLevel: 'silent', maxOnStage: 1 });
  files.set('/rtk-stage.min.js', { type: 'text/javascript', body: dropIn.code });
  files.set('/rtk-stage.min.js.map', { type: 'application/json', body: dropIn.map.toString() });
  web = await serveFiles(files, (req) =>
    req.url === '/api/stage-token'
      ? { type: 'application/json', body: JSON.stringify({ token: hostToken }) }
      : undefined,
  );
  browser = await launchChromium();
});

after(async () => {
  for (const c of controllers) c.dispose();
  await browser?.close();
  await web?.close();
  await stage?.close();
});

async function open(
  pathname: string,
  body: string,
): Promise<{ page: Page; problems: string[]; logs: string[] }> {
  files.set(pathname, { type: 'text/html', body });
  const page = await browser.newPage();
  const watched = watch(page);
  await page.goto(`${web.url}${pathname}`);
  return { page, ...watched };
}

async function join(room: string, user: string, name: string, preset: 'host' | 'viewer') {
  const token = await signToken({ sub: user, room, name, preset }, SECRET);
  const controller = await connectStage({ url: stage.url, token });
  controllers.push(controller);
  return controller;
}

describe('the drop-in, dist/rtk-stage.min.js', () => {
  test(`stays within its budget of ${kb(DROP_IN_BUDGET_GZ)} gzipped`, () => {
    const origins = byOrigin(dropIn)
      .map((o) => `${o.name} ${(o.share * 100).toFixed(0)} %`)
      .join(', ');
    assert.ok(
      dropIn.gzip <= DROP_IN_BUDGET_GZ,
      `the drop-in is ${kb(dropIn.gzip)} gzipped (${kb(dropIn.bytes)} minified), over its budget of ${kb(DROP_IN_BUDGET_GZ)} by ${kb(dropIn.gzip - DROP_IN_BUDGET_GZ)}. By origin: ${origins}. \`npm run size\` prints the details.`,
    );
  });

  test('is one self-contained module: no imports left, nothing of Node', () => {
    assert.deepEqual(dropIn.imports, [], 'static imports left in the bundle');
    assert.deepEqual(dropIn.dynamicImports, [], 'resolved dynamic imports left in the bundle');
    assert.doesNotMatch(dropIn.code, /\bimport\s*\(/, 'a dynamic import()');
    assert.doesNotMatch(dropIn.code, /["'`]node:/, 'a node: specifier');
    assert.doesNotMatch(dropIn.code, /["'`]ws["'`]/, 'the ws package');
    assert.doesNotMatch(dropIn.code, /\brequire\(/, 'a require() call');
    assert.match(dropIn.code, /^\/\*! rtk-stage /, 'the licence banner');
  });

  test('exports the core and every element class', () => {
    for (const name of ['createLocalStage', 'connectStage', 'presets', 'StageError']) {
      assert.ok(dropIn.exports.includes(name), `exports ${name}`);
    }
    const classes = dropIn.exports.filter((name) => /^RtkStage[A-Z]/.test(name));
    assert.equal(classes.length, TAGS.length, `one class per element: ${classes.join(', ')}`);
  });

  test('on a page by itself: registers every element, runs a local room, Lit in production mode', async () => {
    const { page, problems, logs } = await open(
      '/local.html',
      html(
        `<rtk-stage-provider><rtk-stage-status></rtk-stage-status><rtk-stage-controls></rtk-stage-controls></rtk-stage-provider>`,
        '<script type="module" src="./rtk-stage.min.js"></script>',
      ),
    );
    // The page's script tag loaded the module; importing it again gives the same instance.
    const registered = await page.evaluate(`(async () => {
      const m = await import('./rtk-stage.min.js');
      const room = m.createLocalStage();
      window.host = room.connect({ userId: 'h1', displayName: 'Hana', preset: 'host' });
      document.querySelector('rtk-stage-provider').stage = room.connect({
        userId: 'v1', displayName: 'Vik', preset: 'viewer',
      });
      return ${JSON.stringify(TAGS)}.map((tag) => {
        const element = customElements.get(tag);
        return [tag, Boolean(element) && Object.values(m).includes(element)];
      });
    })()`);
    assert.deepEqual(
      registered,
      TAGS.map((tag) => [tag, true]),
      'each element is registered by the module and is one of its exports',
    );

    const status = page.getByRole('status');
    await status.getByText('You are off stage').waitFor(STEP);
    await page.getByRole('button', { name: 'Request to join stage', exact: true }).click(STEP);
    await status.getByText('You asked to join the stage').waitFor(STEP);
    await page.getByText('You are #1 in line').first().waitFor(STEP);
    await page.evaluate(`window.host.grantAccess(['v1'])`);
    await page.getByRole('button', { name: 'Join stage', exact: true }).click(STEP);
    await status.getByText('You are on stage').waitFor(STEP);
    assert.deepEqual(
      await page.evaluate(`new Promise((resolve) => window.host.onStage$
        .subscribe((list) => resolve(list.map((p) => p.displayName))))`),
      ['Vik'],
    );

    assert.ok(
      !logs.some((line) => line.includes('Lit is in dev mode')),
      `Lit's development build is bundled: ${logs.join('\n')}`,
    );
    assert.equal(await page.evaluate('typeof globalThis.litIssuedWarnings'), 'undefined');
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("README's drop-in example: the provider connects with url and token", async () => {
    const room = 'readme-drop-in';
    const host = await join(room, 'hana', 'Hana', 'host');
    const token = await signToken({ sub: 'ada', room, name: 'Ada', preset: 'viewer' }, SECRET);
    const example = readmeBlock('readme-test: drop-in');
    assert.equal(example.lang, 'html');
    const markup = example.code
      .replace('wss://stage.example.com/stage', stage.url)
      .replace("THE-USER'S-SIGNED-TOKEN", token);
    assert.notEqual(markup, example.code, 'the example names a url and token to fill in');
    const { page, problems } = await open('/readme-drop-in.html', html(markup));

    await page.locator('rtk-stage-provider[connection="connected"]').waitFor({
      state: 'attached',
      ...STEP,
    });
    const status = page.getByRole('status');
    await status.getByText('You are off stage').waitFor(STEP);
    await page.getByRole('button', { name: 'Request to join stage', exact: true }).click(STEP);
    const requests = await firstValueFrom(host.requests$.pipe(filter((q) => q.length > 0)));
    assert.deepEqual(
      requests.map((r) => r.displayName),
      ['Ada'],
    );
    await page.getByText('You are #1 in line').first().waitFor(STEP);
    assert.deepEqual((await host.grantAccess(['ada'])).ok, ['ada']);
    await page.getByRole('button', { name: 'Join stage', exact: true }).click(STEP);
    await status.getByText('You are on stage').waitFor(STEP);
    await page
      .getByRole('list', { name: 'On stage' })
      .getByText('Ada', { exact: true })
      .waitFor(STEP);
    assert.deepEqual(problems, []);
    await page.close();
  });

  test("README's app example: `.stage` bound, status$ rendered, rtk-stage-error heard", async () => {
    const room = 'readme-app';
    hostToken = await signToken({ sub: 'hana', room, name: 'Hana', preset: 'host' }, SECRET);
    const example = readmeBlock('readme-test: framework');
    assert.equal(example.lang, 'ts');
    const script = ts.transpileModule(
      example.code.replace('wss://stage.example.com/stage', stage.url),
      { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } },
    ).outputText;
    // An app's bundler resolves 'rtk-stage' and 'rtk-stage/components'; here an import map
    // points both at the drop-in, which exports the core and registers the elements.
    const imports = {
      'rtk-stage': '/rtk-stage.min.js',
      'rtk-stage/components': '/rtk-stage.min.js',
    };
    const { page, problems } = await open(
      '/readme-app.html',
      html(
        `<p id="status"></p><p id="error"></p>
        <rtk-stage-controls></rtk-stage-controls><rtk-stage-queue></rtk-stage-queue>
        <script type="module">${script}</script>`,
        `<script type="importmap">${JSON.stringify({ imports })}</script>`,
      ),
    );

    await page.locator('#status', { hasText: 'OFF_STAGE' }).waitFor(STEP);
    await page.getByRole('button', { name: 'Join stage', exact: true }).click(STEP);
    await page.locator('#status', { hasText: 'ON_STAGE' }).waitFor(STEP);

    // The only seat is taken: approving Vik fails with 2007, which the page shows.
    const vik = await join(room, 'vik', 'Vik', 'viewer');
    await vik.requestAccess();
    await page.getByRole('button', { name: 'Approve Vik', exact: true }).click(STEP);
    await page.locator('#error', { hasText: 'all 1 stage seats are taken' }).waitFor(STEP);
    assert.equal(vik.status, 'REQUESTED_TO_JOIN_STAGE');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
