// custom-elements.json: generated from the elements' JSDoc (@summary @fires @csspart @cssprop
// @slot) by `npx cem analyze` (part of `npm run build`). test/package/manifest.test.ts checks
// the committed file is up to date; `npm run build` or `npx cem analyze` refreshes it.

/**
 * The elements register through `define('rtk-stage-x', RtkStageX)` (guarded registration), a
 * call the analyzer does not know: record it as the custom-element definition that
 * `customElements.define('rtk-stage-x', RtkStageX)` would have given. The
 * `customElements.define(name, element)` inside `define` itself names no element: drop the
 * definition the analyzer makes of it.
 */
function guardedDefineCalls() {
  return {
    name: 'rtk-stage: define(tag, class) calls',
    analyzePhase({ ts, node, moduleDoc }) {
      if (!ts.isCallExpression(node) || !ts.isIdentifier(node.expression)) return;
      if (node.expression.text !== 'define') return;
      const [tag, element] = node.arguments;
      if (!tag || !element || !ts.isStringLiteral(tag) || !ts.isIdentifier(element)) return;
      moduleDoc.exports = [
        ...(moduleDoc.exports ?? []),
        {
          kind: 'custom-element-definition',
          name: tag.text,
          declaration: { name: element.text, module: moduleDoc.path },
        },
      ];
    },
    moduleLinkPhase({ moduleDoc }) {
      const classes = new Set(
        (moduleDoc.declarations ?? []).filter((d) => d.kind === 'class').map((d) => d.name),
      );
      moduleDoc.exports = (moduleDoc.exports ?? []).filter(
        (e) => e.kind !== 'custom-element-definition' || classes.has(e.declaration.name),
      );
    },
  };
}

/**
 * Private and protected members (`#x`, `private`, `protected`) are implementation details:
 * the analyzer keeps them with a `privacy` field; a manifest for users lists the public API.
 */
function publicMembersOnly() {
  return {
    name: 'rtk-stage: public members only',
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules) {
        for (const declaration of mod.declarations ?? []) {
          if (!declaration.members) continue;
          declaration.members = declaration.members.filter(
            (member) => !member.privacy || member.privacy === 'public',
          );
        }
      }
    },
  };
}

/** globby lists files in the order the file system answers: sort, so every run is the same. */
function modulesByPath() {
  return {
    name: 'rtk-stage: modules sorted by path',
    packageLinkPhase({ customElementsManifest }) {
      customElementsManifest.modules.sort((a, b) =>
        a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
      );
    },
  };
}

export default {
  globs: ['components/**/*.ts'],
  // The drop-in's entry only re-exports; the package's own entry is components/index.ts.
  exclude: ['components/**/*.styles.ts', 'components/dropin.ts'],
  outdir: '.',
  litelement: true,
  // package.json's "customElements" is set by hand; the analyzer must not rewrite package.json.
  packagejson: false,
  plugins: [guardedDefineCalls(), publicMembersOnly(), modulesByPath()],
};
