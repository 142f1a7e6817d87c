// Browser tests: test/browser/** and test/components/** in headless Debian Chromium.
// Never lets a tool download a browser: puppeteer-core drives CHROME_PATH or /usr/bin/chromium.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';

const testDirs = ['test/browser', 'test/components'];
const files = testDirs.map((dir) => `${dir}/**/*.test.ts`);

function hasTests(dir) {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { withFileTypes: true }).some((entry) =>
    entry.isDirectory()
      ? hasTests(path.join(dir, entry.name))
      : entry.isFile() && entry.name.endsWith('.test.ts'),
  );
}

// web-test-runner throws "Could not find any test files" when nothing matches; say it plainly.
if (!testDirs.some(hasTests)) {
  console.log(`test:browser: no browser test files match ${files.join(' or ')}; nothing to run.`);
  process.exit(0);
}

/**
 * Prints one plain closing line, e.g. "browser: 12 passed, 0 failed, 1 skipped", as the very
 * last output (on exit, after web-test-runner's own summary and terminal redraws).
 */
function closingLineReporter() {
  let latest = [];
  const count = (suite, totals) => {
    for (const test of suite.tests) {
      if (test.skipped) totals.skipped += 1;
      else if (test.passed) totals.passed += 1;
      else totals.failed += 1;
    }
    for (const child of suite.suites) count(child, totals);
  };
  return {
    onTestRunFinished({ sessions }) {
      latest = sessions;
    },
    stop() {
      const totals = { passed: 0, failed: 0, skipped: 0 };
      for (const session of latest) {
        const before = totals.failed;
        if (session.testResults) count(session.testResults, totals);
        // A file that failed to load or threw outside a test counts as one failure.
        if (session.passed === false && totals.failed === before) totals.failed += 1;
      }
      process.once('exit', () => {
        process.stdout.write(
          `\nbrowser: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`,
        );
      });
    },
  };
}

const chromeFlags = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // Pages run side by side (concurrency > 1): keep the unfocused ones from being throttled.
  '--disable-background-timer-throttling',
  '--disable-backgrounding-occluded-windows',
  '--disable-renderer-backgrounding',
];

export default {
  files,
  nodeResolve: true,
  // No redrawn progress bar in CI logs or pipes.
  staticLogging: Boolean(process.env.CI) || !process.stdout.isTTY,
  filterBrowserLogs: ({ args }) => !String(args[0]).startsWith('Lit is in dev mode'),
  concurrency: Number(process.env.WTR_CONCURRENCY ?? 2),
  browserStartTimeout: 60_000,
  testsStartTimeout: 60_000,
  testsFinishTimeout: 180_000,
  testFramework: { config: { timeout: 10_000 } },
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        headless: true,
        args: chromeFlags,
      },
      // One window per page: a background tab is hidden, and hidden pages get no
      // requestAnimationFrame, which stalls fixture()/axe when files run side by side.
      createPage: ({ context }) => context.newPage({ type: 'window' }),
    }),
  ],
  plugins: [
    esbuildPlugin({
      ts: true,
      target: 'es2022',
      tsconfig: fileURLToPath(new URL('./tsconfig.json', import.meta.url)),
    }),
  ],
  reporters: [defaultReporter(), closingLineReporter()],
};
