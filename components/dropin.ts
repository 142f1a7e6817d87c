// The drop-in file, dist/rtk-stage.min.js: one self-contained ES module (Lit, RxJS and
// @lit/context bundled in) for a plain page's <script type="module">. Loading it registers every
// element; its exports are the package's core (createLocalStage, connectStage, presets,
// StageError, ...) and the element classes, so a page needs no bundler and no import map.
export * from '../src/index.js';
export * from './index.js';
