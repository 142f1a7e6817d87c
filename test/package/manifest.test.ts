/**
 * custom-elements.json (generated from the elements' JSDoc by the analyzer, committed, and
 * referenced from package.json) is up to date and complete; the README's table of elements
 * is up to date with it; package.json's exports map names files the build makes.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from './support.js';

interface Named {
  name: string;
  description?: string;
}
interface Member extends Named {
  kind: string;
  attribute?: string;
  privacy?: string;
}
interface Declaration extends Named {
  kind: string;
  tagName?: string;
  customElement?: boolean;
  summary?: string;
  members?: Member[];
  attributes?: (Named & { fieldName?: string })[];
  events?: Named[];
  cssParts?: Named[];
  cssProperties?: Named[];
}
interface Manifest {
  modules: { path: string; declarations?: Declaration[] }[];
}

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const manifest = JSON.parse(read('custom-elements.json')) as Manifest;
const pkg = JSON.parse(read('package.json')) as {
  customElements?: string;
  files?: string[];
  exports: Record<string, string | Record<string, string>>;
  bin?: Record<string, string>;
  sideEffects?: string[];
};

function run(args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

/** Each element's folder (components/stage-x/) and the tag its main file registers. */
const elementFolders = readdirSync(path.join(ROOT, 'components'), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'shared')
  .map((entry) => {
    const dir = `components/${entry.name}`;
    const main = `${dir}/${entry.name}.ts`;
    const source = read(main);
    const tag = /\bdefine\(\s*'([a-z0-9-]+)'/.exec(source)?.[1];
    const all = readdirSync(path.join(ROOT, dir))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => read(`${dir}/${f}`))
      .join('\n');
    return { dir, main, tag, source, all };
  });

describe('custom-elements.json', () => {
  test('is what the analyzer makes of the current sources (`npm run build` refreshes it)', async () => {
    const outdir = path.join('node_modules', '.cache', 'rtk-stage-package', `cem-${process.pid}`);
    try {
      const cem = path.join('node_modules', '@custom-elements-manifest', 'analyzer', 'cem.js');
      const { code, output } = await run([cem, 'analyze', '--quiet', '--outdir', outdir]);
      assert.equal(code, 0, output);
      const fresh = await readFile(path.join(ROOT, outdir, 'custom-elements.json'), 'utf8');
      assert.ok(
        fresh === read('custom-elements.json'),
        'custom-elements.json is out of date with the JSDoc in components/: run `npm run build` (or `npx cem analyze`), then `npm run docs`.',
      );
    } finally {
      await rm(path.join(ROOT, outdir), { recursive: true, force: true });
    }
  });

  test('lists every element with its tag, summary, properties, events, parts and custom properties', () => {
    const declarations = manifest.modules.flatMap((m) =>
      (m.declarations ?? []).map((d) => ({ ...d, module: m.path })),
    );
    assert.ok(elementFolders.length >= 6, 'the element folders are found');
    for (const { main, tag, source, all } of elementFolders) {
      assert.ok(tag, `${main} registers an element with define('rtk-…', …)`);
      const element = declarations.find((d) => d.module === main && d.tagName === tag);
      assert.ok(element?.customElement, `${tag} is a custom element of ${main} in the manifest`);
      assert.ok(element.summary, `${tag} has a @summary`);
      assert.ok(element.description, `${tag} has a description`);

      const members = new Map((element.members ?? []).map((m) => [m.name, m]));
      for (const [, options, name] of source.matchAll(
        /@property\(([^)]*)\)\s*(?:override\s+|declare\s+|readonly\s+)*(\w+)/g,
      )) {
        const member = members.get(name!);
        assert.ok(member, `${tag}: property ${name} is listed`);
        assert.ok(member.description, `${tag}: property ${name} has a description`);
        const attribute = /attribute:\s*(false|'([^']+)')/.exec(options!);
        const expected = attribute ? (attribute[2] ?? undefined) : name!.toLowerCase();
        assert.equal(member.attribute, expected, `${tag}: property ${name}'s attribute`);
        if (expected) {
          assert.ok(
            element.attributes?.some((a) => a.name === expected && a.fieldName === name),
            `${tag}: attribute ${expected} is listed`,
          );
        }
      }
      assert.ok(members.has('stage'), `${tag}: the stage property is listed`);

      const events = new Set((element.events ?? []).map((e) => e.name));
      for (const name of events) assert.match(name, /^rtk-/, `${tag}: event ${name} is rtk-`);
      for (const [, name] of all.matchAll(/new CustomEvent(?:<[^>]*>)?\(\s*'([^']+)'/g)) {
        assert.ok(events.has(name!), `${tag}: event ${name} is listed`);
      }
      if (/\bthis\.fail\(/.test(all)) {
        assert.ok(events.has('rtk-stage-error'), `${tag}: rtk-stage-error (this.fail) is listed`);
      }
      // Events it fires itself have a description (an event it only inherits from the base
      // class, which it never fires, may have none).
      const fired = [...all.matchAll(/new CustomEvent(?:<[^>]*>)?\(\s*'([^']+)'/g)].map(
        (m) => m[1],
      );
      if (/\bthis\.fail\(/.test(all)) fired.push('rtk-stage-error');
      for (const e of element.events ?? []) {
        if (!fired.includes(e.name)) continue;
        assert.ok(e.description, `${tag}: event ${e.name} has a description`);
      }

      const parts = new Set((element.cssParts ?? []).map((p) => p.name));
      for (const [, value] of all.matchAll(/\bpart="([^"]+)"/g)) {
        for (const word of value!.split(/\s+/).filter((w) => /^[a-z][a-z-]*$/.test(w))) {
          assert.ok(parts.has(word), `${tag}: part ${word} is listed`);
        }
      }
      for (const p of element.cssParts ?? []) {
        assert.match(p.name, /^[a-z][a-z0-9-]*$/, `${tag}: part ${p.name} is kebab-case`);
        assert.ok(p.description, `${tag}: part ${p.name} has a description`);
      }

      const cssProperties = new Set((element.cssProperties ?? []).map((p) => p.name));
      for (const [, name] of all.matchAll(/var\(\s*(--rtk-stage-[a-z0-9-]+)/g)) {
        assert.ok(cssProperties.has(name!), `${tag}: custom property ${name} is listed`);
      }
      for (const p of element.cssProperties ?? []) {
        assert.match(p.name, /^--rtk-stage-[a-z0-9-]+$/, `${tag}: ${p.name} is --rtk-stage-*`);
        assert.ok(p.description, `${tag}: custom property ${p.name} has a description`);
      }
    }
  });

  test("is package.json's customElements, exported and published", () => {
    assert.equal(pkg.customElements, 'custom-elements.json');
    assert.equal(pkg.exports['./custom-elements.json'], './custom-elements.json');
    assert.ok(pkg.files?.includes('custom-elements.json'), 'listed in package.json files');
  });

  test("the README's table of elements is up to date with it (`npm run docs` writes it)", async () => {
    const { code, output } = await run(['scripts/docs.mjs', '--check']);
    assert.equal(code, 0, output);
    for (const { tag } of elementFolders) {
      assert.ok(read('README.md').includes(`| \`<${tag}>\` |`), `the README's table lists ${tag}`);
    }
  });
});

describe("package.json's exports", () => {
  /** The source a dist/ file is built from (see rollup.config.mjs): src/ lands flat in dist/. */
  const sourceOf = (target: string) => {
    const file = target.replace(/^\.\/dist\//, '').replace(/\.(d\.ts|js)$/, '.ts');
    return file.startsWith('components/') ? file : `src/${file}`;
  };

  test('every subpath names types first, then the code, both built from an existing entry', () => {
    const rollupConfig = read('rollup.config.mjs');
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') {
        assert.ok(existsSync(path.join(ROOT, target)), `${subpath} → ${target} exists`);
        continue;
      }
      assert.deepEqual(Object.keys(target), ['types', 'default'], `${subpath}: types first`);
      const source = sourceOf(target['default']!);
      assert.equal(sourceOf(target['types']!), source, `${subpath}: types beside the code`);
      assert.ok(existsSync(path.join(ROOT, source)), `${subpath} is built from ${source}`);
      assert.ok(rollupConfig.includes(`'${source}'`), `${source} is an input of the build`);
    }
    for (const subpath of ['.', './components', './server', './custom-elements.json']) {
      assert.ok(subpath in pkg.exports, `exports ${subpath}`);
    }
  });

  test('the CLI and the element registrations are what bin and sideEffects name', () => {
    const cli = pkg.bin?.['rtk-stage-server'];
    assert.equal(cli, './dist/server/cli.js');
    assert.ok(existsSync(path.join(ROOT, sourceOf(cli))), 'the CLI source exists');
    const sideEffects = pkg.sideEffects ?? [];
    for (const { main } of elementFolders) {
      const built = `./dist/${main.replace(/\.ts$/, '.js')}`;
      const matches = sideEffects.some((pattern) =>
        new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`).test(built),
      );
      assert.ok(matches, `${built} registers an element: sideEffects must name it`);
    }
  });
});
