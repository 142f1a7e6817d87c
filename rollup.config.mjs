// Library build: ESM, one output file per source module, declarations beside them.
// src/** lands flat in dist/ (dist/index.js, dist/index.d.ts); components/** in dist/components/;
// the few bundled helpers (tslib's __decorate, which @rollup/plugin-typescript always imports)
// in dist/_vendor/.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import nodeResolve from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

// Entries: the core, the server (library and CLI) and the elements.
const input = ['src/index.ts', 'src/server/index.ts', 'src/server/cli.ts', 'components/index.ts'].filter(
  (file) => existsSync(file),
);

// Runtime dependencies (lit, rxjs, @lit/context, ...) and Node built-ins stay imports.
const externalPackages = [
  ...Object.keys(pkg.dependencies ?? {}),
  ...Object.keys(pkg.peerDependencies ?? {}),
  'lit-html',
  'lit-element',
  '@lit/reactive-element',
];
const builtins = new Set(builtinModules);
const isExternal = (id) =>
  id.startsWith('node:') ||
  builtins.has(id) ||
  externalPackages.some((name) => id === name || id.startsWith(`${name}/`));

const projectRoot = process.cwd();

/** Output path for a source module: src/ stripped, node_modules code under _vendor/. */
function outputFileName(chunk) {
  const id = chunk.facadeModuleId;
  if (!id || id.startsWith('\0')) return '_virtual/[name].js';
  let file = path.relative(projectRoot, id).split(path.sep).join('/');
  const vendor = file.lastIndexOf('node_modules/');
  if (vendor !== -1) file = `_vendor/${file.slice(vendor + 'node_modules/'.length)}`;
  else if (file.startsWith('src/')) file = file.slice('src/'.length);
  return file.replace(/\.[cm]?[jt]sx?$/, '') + '.js';
}

/**
 * TypeScript emits declarations mirroring the repo (dist/src/..., dist/components/...).
 * Move src/ declarations up one level so they sit beside the JavaScript rollup writes,
 * and rewrite relative specifiers in the other declarations that pointed into src/.
 */
function flattenSrcDeclarations() {
  const moved = (fileName) =>
    fileName.startsWith('src/') ? fileName.slice('src/'.length) : fileName;
  const relativeSpecifier = /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g;
  return {
    name: 'flatten-src-declarations',
    generateBundle(_options, bundle) {
      for (const [key, file] of Object.entries(bundle)) {
        if (file.type !== 'asset' || !file.fileName.endsWith('.d.ts')) continue;
        const from = file.fileName;
        const to = moved(from);
        let source = String(file.source);
        if (!from.startsWith('src/')) {
          source = source.replace(relativeSpecifier, (match, lead, quote, spec) => {
            const target = path.posix.normalize(path.posix.join(path.posix.dirname(from), spec));
            if (!target.startsWith('src/')) return match;
            let rewritten = path.posix.relative(path.posix.dirname(to), moved(target));
            if (!rewritten.startsWith('.')) rewritten = `./${rewritten}`;
            return `${lead}${quote}${rewritten}${quote}`;
          });
        }
        if (to === from && source === file.source) continue;
        delete bundle[key];
        this.emitFile({ type: 'asset', fileName: to, source });
      }
    },
  };
}

export default {
  input,
  external: isExternal,
  // Importing lit or rxjs for nothing but side effects is never needed: drop such imports.
  treeshake: { moduleSideEffects: 'no-external' },
  output: {
    dir: 'dist',
    format: 'es',
    preserveModules: true,
    entryFileNames: outputFileName,
    sourcemap: true,
  },
  plugins: [
    // Start from an empty dist/ so files of deleted modules do not linger.
    { name: 'clean-dist', buildStart: () => rmSync('dist', { recursive: true, force: true }) },
    nodeResolve(),
    // tsconfig.build.json sets noEmitOnError, so a type error fails the build.
    typescript({
      tsconfig: './tsconfig.build.json',
      // Without an absolute sourceRoot the maps' sources come out one directory too deep
      // (TypeScript computes them from dist/src/..., rollup applies them from src/...).
      compilerOptions: { sourceRoot: projectRoot },
    }),
    flattenSrcDeclarations(),
  ],
};
