/**
 * Shared by test/package/*.test.ts: the README's marked examples, the package's import
 * specifiers pointed at this repository's sources, a tiny static HTTP server, and headless
 * Debian Chromium through playwright-core (never a downloaded browser).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The fenced block that follows `<!-- NAME -->` in README.md, e.g. `readme-test: core` (an
 * example the tests run) or `readme-output: core` (what it prints).
 */
export function readmeBlock(marker: string): { lang: string; code: string } {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`<!-- ${marker} -->\n`);
  if (start === -1) throw new Error(`README.md has no block marked <!-- ${marker} -->.`);
  const fence = /^```(\w*)\n([\s\S]*?)\n```$/m.exec(readme.slice(start));
  if (!fence) throw new Error(`README.md: no fenced code block after <!-- ${marker} -->.`);
  return { lang: fence[1]!, code: fence[2]! };
}

const ENTRIES: Record<string, string> = {
  'rtk-stage': 'src/index.ts',
  'rtk-stage/components': 'components/index.ts',
  'rtk-stage/server': 'src/server/index.ts',
};

/** An example's `from 'rtk-stage…'` imports, pointed at the sources (for Node with tsx). */
export function withSourceImports(code: string): string {
  return code.replace(/(from\s+|import\s+)'(rtk-stage(?:\/[\w-]+)?)'/g, (match, lead, name) => {
    const file = ENTRIES[name as string];
    if (!file) throw new Error(`The README imports ${name}, which is not a package entry.`);
    return `${lead}'${pathToFileURL(path.join(ROOT, file)).href}'`;
  });
}

export type Handler = (req: IncomingMessage) => { type: string; body: string } | undefined;

/** Serves `files` (path → content) and whatever `handler` answers, on a free local port. */
export async function serveFiles(
  files: Map<string, { type: string; body: string }>,
  handler: Handler = () => undefined,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const file = files.get(pathname) ?? handler(req);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`nothing at ${pathname}`);
      return;
    }
    res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-store' }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROME_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/**
 * What a page logs (`logs`), and what goes wrong in it (`problems`): console errors, uncaught
 * exceptions and unhandled rejections.
 */
export function watch(page: Page): { problems: string[]; logs: string[] } {
  const problems: string[] = [];
  const logs: string[] = [];
  page.on('console', (message) => {
    logs.push(`${message.type()}: ${message.text()}`);
    if (message.type() === 'error') {
      problems.push(`console.${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.push(`uncaught: ${error.message}`));
  return { problems, logs };
}
