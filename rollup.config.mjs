// Two builds, in this order (the first empties dist/):
// 1. The library: ESM, one output file per source module, declarations beside them.
//    src/** lands flat in dist/ (dist/index.js, dist/index.d.ts); components/** in
//    dist/components/; the few bundled helpers (tslib's __decorate, which
//    @rollup/plugin-typescript always imports) in dist/_vendor/.
// 2. The drop-in, dist/rtk-stage.min.js: components/dropin.ts with Lit, RxJS and @lit/context
//    bundled, minified, with a source map (see dropInConfig below).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import nodeResolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import ts from 'typescript';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

// Entries: the core, the server (library and CLI) and the elements.
const input = [
  'src/index.ts',
  'src/server/index.ts',
  'src/server/cli.ts',
  'components/index.ts',
].filter((file) => existsSync(file));

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

const library = {
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
      // The drop-in's entry is bundled by dropInConfig, not part of the library (no .d.ts).
      exclude: ['components/dropin.ts'],
      // Without an absolute sourceRoot the maps' sources come out one directory too deep
      // (TypeScript computes them from dist/src/..., rollup applies them from src/...).
      compilerOptions: { sourceRoot: projectRoot },
    }),
    flattenSrcDeclarations(),
  ],
};

/**
 * CSS as a browser reads it, without what only people need: comments, indentation, line
 * breaks, spaces around braces, semicolons, commas and after colons (a colon followed by a
 * space is always a declaration's, never a selector's). Quoted strings are kept as they are.
 */
function minifyCss(text) {
  return text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split(/('[^']*'|"[^"]*")/)
    .map((part, i) =>
      i % 2
        ? part
        : part
            .replace(/\s+/g, ' ')
            .replace(/ ?([{};,]) ?/g, '$1')
            .replace(/: /g, ':'),
    )
    .join('')
    .replace(/;}/g, '}')
    .trim();
}

/**
 * A TypeScript transformer for Lit's tagged templates in the browser bundles: css`` without
 * substitutions is minified (minifyCss), and in html`` every run of whitespace that holds a
 * line break becomes one space. HTML collapses such whitespace anyway (the elements set no
 * `white-space: pre`), so what renders and what is announced stay the same; only the
 * indentation of the sources leaves the bundle.
 */
function minifyLitTemplates(context) {
  const f = context.factory;
  const squeeze = (text) => text.replace(/\s*\n\s*/g, ' ');
  const visit = (node) => {
    if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag)) {
      const t = node.template;
      let template;
      if (node.tag.text === 'css' && ts.isNoSubstitutionTemplateLiteral(t)) {
        template = f.createNoSubstitutionTemplateLiteral(minifyCss(t.text));
      } else if (node.tag.text === 'html' && ts.isNoSubstitutionTemplateLiteral(t)) {
        template = f.createNoSubstitutionTemplateLiteral(squeeze(t.text));
      } else if (node.tag.text === 'html') {
        template = f.createTemplateExpression(
          f.createTemplateHead(squeeze(t.head.text)),
          t.templateSpans.map((span) =>
            f.createTemplateSpan(
              ts.visitNode(span.expression, visit),
              ts.isTemplateTail(span.literal)
                ? f.createTemplateTail(squeeze(span.literal.text))
                : f.createTemplateMiddle(squeeze(span.literal.text)),
            ),
          ),
        );
      }
      if (template) {
        return f.updateTaggedTemplateExpression(
          node,
          node.tag,
          node.typeArguments,
          ts.setTextRange(template, t),
        );
      }
    }
    return ts.visitEachChild(node, visit, context);
  };
  return (sourceFile) => ts.visitNode(sourceFile, visit);
}

/**
 * A TypeScript transformer that writes Lit's `@property()` and `@state()` decorators (from
 * `lit/decorators.js`) on class fields out as what they do: the legacy decorator calls
 * `createProperty(name, options)` on the class as it is defined (`@state(options)` with
 * `{ ...options, state: true, attribute: false }`). The calls go, in the fields' order, into
 * a static block at the end of the class, which runs where TypeScript's `__decorate` calls
 * would (after the class body, before the next statement). Without decorators left, neither
 * tslib's `__decorate` nor Lit's decorator modules are bundled. Fields with any other
 * decorator keep all of theirs.
 */
function litDecoratorsAsCalls(context) {
  const f = context.factory;
  return (sourceFile) => {
    const kinds = new Map(); // local name -> 'property' | 'state'
    for (const statement of sourceFile.statements) {
      if (!ts.isImportDeclaration(statement)) continue;
      const from = statement.moduleSpecifier.text;
      if (!/^lit\/decorators(\.js|\/property\.js|\/state\.js)$/.test(from)) continue;
      const named = statement.importClause?.namedBindings;
      if (!named || !ts.isNamedImports(named)) continue;
      for (const spec of named.elements) {
        const imported = (spec.propertyName ?? spec.name).text;
        if (imported === 'property' || imported === 'state') kinds.set(spec.name.text, imported);
      }
    }
    if (kinds.size === 0) return sourceFile;
    const litCall = (decorator) => {
      const call = decorator.expression;
      if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression)) return undefined;
      const kind = kinds.get(call.expression.text);
      return kind && call.arguments.length <= 1 ? { kind, options: call.arguments[0] } : undefined;
    };
    const visit = (node) => {
      if (!ts.isClassDeclaration(node) && !ts.isClassExpression(node)) {
        return ts.visitEachChild(node, visit, context);
      }
      const calls = [];
      const members = node.members.map((member) => {
        const decorators = ts.canHaveDecorators(member) ? (ts.getDecorators(member) ?? []) : [];
        const lit = decorators.length === 1 ? litCall(decorators[0]) : undefined;
        if (!lit || !ts.isPropertyDeclaration(member) || !ts.isIdentifier(member.name)) {
          return ts.visitEachChild(member, visit, context);
        }
        let options = lit.options;
        if (lit.kind === 'state') {
          options = f.createObjectLiteralExpression([
            ...(options ? [f.createSpreadAssignment(options)] : []),
            f.createPropertyAssignment('state', f.createTrue()),
            f.createPropertyAssignment('attribute', f.createFalse()),
          ]);
        }
        calls.push(
          f.createExpressionStatement(
            f.createCallExpression(
              f.createPropertyAccessExpression(f.createThis(), 'createProperty'),
              undefined,
              [f.createStringLiteral(member.name.text), ...(options ? [options] : [])],
            ),
          ),
        );
        return f.updatePropertyDeclaration(
          member,
          member.modifiers?.filter((m) => !ts.isDecorator(m)),
          member.name,
          member.questionToken ?? member.exclamationToken,
          member.type,
          member.initializer,
        );
      });
      if (calls.length === 0) return ts.visitEachChild(node, visit, context);
      members.push(f.createClassStaticBlockDeclaration(f.createBlock(calls, true)));
      return ts.isClassDeclaration(node)
        ? f.updateClassDeclaration(
            node,
            node.modifiers,
            node.name,
            node.typeParameters,
            node.heritageClauses,
            members,
          )
        : f.updateClassExpression(
            node,
            node.modifiers,
            node.name,
            node.typeParameters,
            node.heritageClauses,
            members,
          );
    };
    return ts.visitNode(sourceFile, visit);
  };
}

/**
 * TypeScript to JavaScript, file by file, without type checking (the library build and
 * `npm run typecheck` check types): a few hundred ms instead of a full program, so the size
 * test can build the drop-in too. tslib's helpers are imported, not inlined per module.
 * Lit's templates lose their indentation on the way (minifyLitTemplates), and its property
 * decorators become the calls they make (litDecoratorsAsCalls).
 */
function transpileTypeScript() {
  const { config } = ts.readConfigFile('tsconfig.json', ts.sys.readFile);
  const { options: compilerOptions } = ts.convertCompilerOptionsFromJson(
    config.compilerOptions,
    projectRoot,
  );
  const options = {
    ...compilerOptions,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    noEmit: false,
    declaration: false,
    sourceMap: true,
    inlineSources: true,
    importHelpers: true,
  };
  return {
    name: 'transpile-typescript',
    resolveId(source, importer) {
      if (!importer?.endsWith('.ts') || !source.startsWith('.') || !source.endsWith('.js'))
        return null;
      const file = path.resolve(path.dirname(importer), source.replace(/\.js$/, '.ts'));
      return existsSync(file) ? file : null;
    },
    transform(code, id) {
      if (!id.endsWith('.ts')) return null;
      const out = ts.transpileModule(code, {
        compilerOptions: options,
        fileName: id,
        transformers: { before: [litDecoratorsAsCalls, minifyLitTemplates] },
      });
      return {
        code: out.outputText.replace(/\n\/\/# sourceMappingURL=.*$/, ''),
        map: out.sourceMapText,
      };
    },
  };
}

/**
 * A dynamic import rollup cannot resolve (connectStage's `ws` fallback for Node 20 imports a
 * computed name) would stay a runtime `import()`; terser even folds the name back into
 * `import("ws")`, which a page's bundler then tries to resolve. The drop-in is for browsers,
 * which have a global WebSocket: render such an import as a rejection saying what to do.
 */
function noUnresolvedDynamicImports() {
  const message =
    'rtk-stage drop-in: this environment has no global WebSocket; pass one to connectStage({ WebSocket }).';
  return {
    name: 'no-unresolved-dynamic-imports',
    renderDynamicImport({ customResolution, targetModuleId }) {
      if (customResolution || targetModuleId) return null;
      return { left: `(async()=>{throw new Error(${JSON.stringify(message)})})(`, right: ')' };
    },
  };
}

export const DROP_IN_FILE = 'dist/rtk-stage.min.js';
/**
 * The drop-in's budget, gzipped (test/package/dropin.test.ts, `npm run size`): an order of
 * magnitude below what RealtimeKit's UI loads (~213 KB) before a stage element renders.
 */
export const DROP_IN_BUDGET_GZ = 25 * 1024;

// Licences of the code bundled into the drop-in, kept once at the top instead of one
// @license comment per Lit module.
const dropInBanner = `/*! rtk-stage ${pkg.version} (${pkg.license}) | bundles lit, lit-html, @lit/reactive-element, @lit/context (BSD-3-Clause, Copyright Google LLC) and rxjs (Apache-2.0) */`;

/**
 * One entry bundled the way a browser app's bundler would: every import resolved and inlined,
 * tree-shaken, minified. Lit's production build (the default export condition, not
 * `development`), RxJS's ES2015 modules (`es2015`; its `default` is ES5), browser builds
 * (`browser`), never the `node` ones. Used for the drop-in and by `npm run size`.
 */
export function browserBundleConfig({ input, file, banner }) {
  return {
    input,
    output: {
      file,
      format: 'es',
      sourcemap: true,
      ...(banner ? { banner } : {}),
      plugins: [
        terser({
          module: true,
          ecma: 2020,
          compress: { passes: 2 },
          format: { comments: /^!/ },
        }),
      ],
    },
    plugins: [
      nodeResolve({ browser: true, exportConditions: ['es2015', 'production'] }),
      transpileTypeScript(),
      noUnresolvedDynamicImports(),
    ],
  };
}

/**
 * The drop-in: components/dropin.ts, everything bundled. Nothing Node-only is reachable from
 * it: src/server is not imported, and connectStage's `ws` fallback is rendered as a rejection
 * (test/package/dropin.test.ts checks the file has no import of any kind).
 */
export function dropInConfig() {
  return browserBundleConfig({
    input: 'components/dropin.ts',
    file: DROP_IN_FILE,
    banner: dropInBanner,
  });
}

export default [library, dropInConfig()];
