/**
 * The README's Node examples, run as a reader would run them (`node --import tsx example.ts`),
 * with the package's imports pointed at this repository's sources: the core example must print
 * exactly what the README says it prints; the server example starts a real server (PORT=0),
 * connects a client with a signed token, and must exit by itself. The drop-in and app examples
 * run in Chromium in dropin.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, test } from 'node:test';
import { ROOT, readmeBlock, withSourceImports } from './support.js';

// Under the repository's node_modules: the examples' own imports (rxjs) resolve from there,
// and linters and git leave it alone.
const dir = path.join(ROOT, 'node_modules', '.cache', 'rtk-stage-package', `readme-${process.pid}`);

after(() => rm(dir, { recursive: true, force: true }));

/** Writes an example to a file and runs it with tsx; resolves with its exit code and output. */
async function run(
  name: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const example = readmeBlock(`readme-test: ${name}`);
  assert.equal(example.lang, 'ts', `the ${name} example is TypeScript`);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.mts`); // ESM: no package.json of type module here
  await writeFile(file, withSourceImports(example.code));
  const child = spawn(process.execPath, ['--import', 'tsx', file], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  return { code, stdout, stderr };
}

test("README's core example prints what the README says, and exits", async () => {
  const { code, stdout, stderr } = await run('core');
  assert.equal(code, 0, `the example failed or did not exit:\n${stderr}`);
  assert.equal(stdout.trimEnd(), readmeBlock('readme-output: core').code.trimEnd());
});

test("README's server example: a real server, a signed token, a client in line, then exit", async () => {
  const { code, stdout, stderr } = await run('server', {
    PORT: '0',
    RTK_STAGE_SECRET: 'readme-test-secret-0123456789',
  });
  assert.equal(code, 0, `the example failed or did not exit:\n${stderr}`);
  const lines = stdout.split('\n').filter((line) => !line.startsWith('{')); // pino's JSON logs
  assert.deepEqual(lines.filter(Boolean), ['Ada REQUESTED_TO_JOIN_STAGE']);
});

test("README's table of server variables is the one optionsFromEnv reads", () => {
  const options = readFileSync(path.join(ROOT, 'src/server/options.ts'), 'utf8');
  const fromEnv = options.slice(options.indexOf('export function optionsFromEnv'));
  const read = new Set([...fromEnv.matchAll(/(?:env\[|num\()'([A-Z_]+)'/g)].map((m) => m[1]!));
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## The server'), readme.indexOf('## API in brief'));
  const documented = new Set(
    [...section.matchAll(/^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) \|/gm)].flatMap((m) =>
      m[1]!.split(', ').map((name) => name.slice(1, -1)),
    ),
  );
  assert.ok(read.size >= 10, 'the variables of optionsFromEnv are found');
  assert.deepEqual([...documented].sort(), [...read].sort());
});
