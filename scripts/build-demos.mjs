#!/usr/bin/env node
// Builds the framework demos that need a build step, each only when its output is missing or
// older than its sources (the demo's own files, src/ and components/):
//   - demo/vue: a Vue 3 app, built with Vite (demo/vue/vite.config.ts) into demo/vue/dist;
//   - demo/angular: when demo/angular/package.json exists, `npm run build` inside it (after
//     `npm install` there if it has dependencies of its own and no node_modules yet); its output
//     is any index.html under demo/angular/dist.
// Usage: node scripts/build-demos.mjs [vue|angular ...] [--force]
// `npm start` serves the results at /demo/vue/dist/index.html and under /demo/angular/dist/.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const at = (...parts) => path.join(root, ...parts);
const SKIP = new Set(['node_modules', 'dist', '.angular', '.cache', 'coverage']);

/** Newest modification time of the files under `dir` (skipping build output), 0 if none. */
function newest(dir) {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(full));
    else if (entry.isFile()) latest = Math.max(latest, statSync(full).mtimeMs);
  }
  return latest;
}

/** The first index.html under `dir` (breadth-first), or undefined. */
function findIndexHtml(dir) {
  const queue = [dir];
  while (queue.length > 0) {
    const current = queue.shift();
    if (!existsSync(current)) continue;
    const entries = readdirSync(current, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name === 'index.html')) {
      return path.join(current, 'index.html');
    }
    for (const e of entries) if (e.isDirectory()) queue.push(path.join(current, e.name));
  }
  return undefined;
}

function run(command, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      stdio: 'inherit',
      shell: process.platform === 'win32',
    });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} in ${cwd} failed (${signal ?? code})`)),
    );
  });
}

async function buildVue() {
  const { build } = await import('vite');
  await build({ configFile: at('demo/vue/vite.config.ts') });
}

async function buildAngular() {
  const dir = at('demo/angular');
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  const ownDeps = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).length > 0;
  if (ownDeps && !existsSync(path.join(dir, 'node_modules'))) {
    await run('npm', ['install', '--no-audit', '--no-fund'], dir);
  }
  await run('npm', ['run', 'build'], dir);
}

/** The demos this script knows; `present` says whether the repository has it. */
export const demos = [
  {
    name: 'vue',
    dir: 'demo/vue',
    present: () => existsSync(at('demo/vue/vite.config.ts')),
    output: () =>
      existsSync(at('demo/vue/dist/index.html')) ? at('demo/vue/dist/index.html') : undefined,
    build: buildVue,
  },
  {
    name: 'angular',
    dir: 'demo/angular',
    present: () => existsSync(at('demo/angular/package.json')),
    output: () => findIndexHtml(at('demo/angular/dist')),
    build: buildAngular,
  },
];

/** Whether a demo's output is missing or older than its sources or the package's. */
export function isStale(demo) {
  const output = demo.output();
  if (!output) return true;
  const sources = Math.max(newest(at(demo.dir)), newest(at('src')), newest(at('components')));
  return statSync(output).mtimeMs < sources;
}

/**
 * Builds the named demos (all present ones by default) that are stale, or all of them with
 * `force`. Resolves with the names it built; rejects when a build fails.
 */
export async function buildDemos({ only = [], force = false } = {}) {
  const unknown = only.filter((name) => !demos.some((d) => d.name === name));
  if (unknown.length > 0) throw new Error(`build-demos: no demo named ${unknown.join(', ')}`);
  const built = [];
  for (const demo of demos) {
    if (only.length > 0 && !only.includes(demo.name)) continue;
    if (!demo.present()) {
      if (only.includes(demo.name)) throw new Error(`build-demos: ${demo.dir} does not exist`);
      continue;
    }
    if (!force && !isStale(demo)) {
      console.log(`build-demos: ${demo.name} is up to date`);
      continue;
    }
    const started = performance.now();
    await demo.build();
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`build-demos: built ${demo.name} in ${seconds} s`);
    built.push(demo.name);
  }
  return built;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  try {
    await buildDemos({
      only: args.filter((a) => !a.startsWith('-')),
      force: args.includes('--force'),
    });
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
