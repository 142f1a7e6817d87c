#!/usr/bin/env node
// Runs every test/**/*.test.ts except the browser suites (test/browser/**, test/components/**)
// with Node's built-in test runner and tsx. Node 20's `node --test` does not expand globs.
// Extra arguments are passed to node (e.g. `npm run test:node -- --test-name-pattern=queue`);
// arguments naming existing files replace the default file list.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const root = 'test';
const browserDirs = ['test/browser', 'test/components'];

function findTests(dir) {
  if (!existsSync(dir)) return [];
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === 'node_modules' || browserDirs.includes(full)) continue;
      found.push(...findTests(full));
    } else if (entry.isFile() && entry.name.endsWith('.test.ts')) {
      found.push(full);
    }
  }
  return found;
}

const args = process.argv.slice(2);
const fileArgs = args.filter(
  (arg) => !arg.startsWith('-') && existsSync(arg) && statSync(arg).isFile(),
);
const nodeArgs = args.filter((arg) => !fileArgs.includes(arg));
const files = fileArgs.length > 0 ? fileArgs : findTests(root).sort();

if (files.length === 0) {
  console.error(
    `test:node: no *.test.ts files found under ${root}/ (excluding ${browserDirs.join(', ')}).`,
  );
  process.exit(1);
}

const child = spawn(
  process.execPath,
  ['--enable-source-maps', '--import', 'tsx', '--test', ...nodeArgs, ...files],
  { stdio: 'inherit' },
);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => child.kill(signal));
}
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 1 : 0));
});
