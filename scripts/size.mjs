#!/usr/bin/env node
// `npm run size`: what a browser downloads, minified and gzipped (level 9; brotli beside it).
// Every row is bundled in memory from the sources the way an app's bundler would (imports
// inlined, tree-shaken, Lit's production build, minified), so it needs no `npm run build`:
//   - the drop-in, dist/rtk-stage.min.js: everything, Lit and RxJS included (budget below);
//   - each package entry alone: `rtk-stage` (the core) and `rtk-stage/components`;
//   - a couple of single imports, to show what tree-shaking leaves.
// Then the drop-in split by origin. Exits 1 when the drop-in is over its budget.
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { rollup } from 'rollup';
import { DROP_IN_BUDGET_GZ, browserBundleConfig, dropInConfig } from '../rollup.config.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

export { DROP_IN_BUDGET_GZ, dropInConfig };

export const gzipSize = (code) => gzipSync(code, { level: 9 }).length;
export const brotliSize = (code) =>
  brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

/**
 * Bundles one rollup config in memory. Resolves with the chunk's code, source map, imports
 * (static and resolved dynamic ones), exports and sizes.
 */
export async function buildBundle(config) {
  const bundle = await rollup({ ...config, onwarn: () => {} });
  try {
    const { output } = await bundle.generate(config.output);
    const chunk = output.find((file) => file.type === 'chunk' && file.isEntry);
    return {
      code: chunk.code,
      map: chunk.map,
      imports: chunk.imports,
      dynamicImports: chunk.dynamicImports,
      exports: chunk.exports,
      bytes: Buffer.byteLength(chunk.code),
      gzip: gzipSize(chunk.code),
      brotli: brotliSize(chunk.code),
    };
  } finally {
    await bundle.close();
  }
}

/** A bundle of one line of source, e.g. `export { createLocalStage } from './src/index.ts'`. */
function snippetConfig(source) {
  const id = path.join(root, '__size-entry__.ts');
  const config = browserBundleConfig({ input: id, file: 'size-entry.js' });
  config.plugins.unshift({
    name: 'size-entry',
    resolveId: (source) => (source === id ? id : null),
    load: (file) => (file === id ? source : null),
  });
  return config;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** For each source file, how many bytes of the generated code its mappings cover. */
function bytesBySource(code, map) {
  const lines = code.split('\n');
  const bytes = new Map();
  let source = 0;
  map.mappings.split(';').forEach((line, lineIndex) => {
    const segments = [];
    let column = 0;
    for (const segment of line.split(',')) {
      if (!segment) continue;
      const fields = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = BASE64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += fields[0];
      if (fields.length > 1) source += fields[1];
      segments.push({ column, source: fields.length > 1 ? source : -1 });
    }
    segments.forEach((s, i) => {
      const end = segments[i + 1]?.column ?? lines[lineIndex]?.length ?? s.column;
      if (s.source >= 0) bytes.set(s.source, (bytes.get(s.source) ?? 0) + end - s.column);
    });
  });
  return [...bytes].map(([index, n]) => ({ file: map.sources[index], bytes: n }));
}

/** Which part of the project, or which package, a source file belongs to. */
function origin(file) {
  const at = file.lastIndexOf('node_modules/');
  if (at === -1) {
    if (/(^|\/)components\//.test(file)) return 'elements (components/)';
    return 'core (src/)';
  }
  const name = file.slice(at + 'node_modules/'.length).split('/');
  const pkg = name[0].startsWith('@') ? `${name[0]}/${name[1]}` : name[0];
  if (['lit', 'lit-html', 'lit-element', '@lit/reactive-element'].includes(pkg)) return 'lit';
  if (pkg === 'tslib') return 'tslib (helpers for decorators and rxjs)';
  return pkg;
}

export function byOrigin(result) {
  const groups = new Map();
  let mapped = 0;
  for (const { file, bytes } of bytesBySource(result.code, result.map)) {
    groups.set(origin(file), (groups.get(origin(file)) ?? 0) + bytes);
    mapped += bytes;
  }
  return [...groups]
    .map(([name, bytes]) => ({ name, share: bytes / mapped }))
    .sort((a, b) => b.share - a.share);
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

async function main() {
  const rows = [
    ['drop-in  dist/rtk-stage.min.js (everything)', dropInConfig()],
    ["import … from 'rtk-stage' (the core)", snippetConfig("export * from './src/index.ts';")],
    [
      "import 'rtk-stage/components' (elements + core)",
      snippetConfig("export * from './components/index.ts';"),
    ],
    [
      "import { createLocalStage } from 'rtk-stage'",
      snippetConfig("export { createLocalStage } from './src/index.ts';"),
    ],
    [
      "import { connectStage } from 'rtk-stage'",
      snippetConfig("export { connectStage } from './src/index.ts';"),
    ],
  ];
  console.log('rtk-stage sizes: bundled with Lit and RxJS, minified; gzip -9 (brotli -11)\n');
  const width = Math.max(...rows.map(([name]) => name.length));
  let dropIn;
  for (const [name, config] of rows) {
    const result = await buildBundle(config);
    dropIn ??= result;
    console.log(
      `  ${name.padEnd(width)}  ${kb(result.bytes).padStart(9)} min  ${kb(result.gzip).padStart(
        8,
      )} gz  (${kb(result.brotli)} br)`,
    );
  }
  const over = dropIn.gzip - DROP_IN_BUDGET_GZ;
  console.log(
    `\n  drop-in budget ${kb(DROP_IN_BUDGET_GZ)} gz: ${
      over > 0 ? `OVER by ${kb(over)}` : `${kb(-over)} to spare`
    }`,
  );
  console.log('\n  the drop-in by origin (share of its minified bytes, as gz):');
  for (const { name, share } of byOrigin(dropIn)) {
    console.log(
      `    ${name.padEnd(44)} ${(share * 100).toFixed(0).padStart(3)} %  ≈ ${kb(share * dropIn.gzip)}`,
    );
  }
  process.exitCode = over > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
