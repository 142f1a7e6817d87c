// Types of scripts/size.mjs, for test/package/dropin.test.ts.
import type { OutputOptions, RollupOptions, SourceMap } from 'rollup';

export type BundleConfig = RollupOptions & { output: OutputOptions };

export interface BundleResult {
  readonly code: string;
  readonly map: SourceMap;
  /** Static imports left in the bundle (none for a self-contained file). */
  readonly imports: readonly string[];
  /** Dynamic imports rollup could resolve (a computed `import(name)` is not one). */
  readonly dynamicImports: readonly string[];
  readonly exports: readonly string[];
  readonly bytes: number;
  readonly gzip: number;
  readonly brotli: number;
}

/** The drop-in's budget in bytes, gzipped. */
export const DROP_IN_BUDGET_GZ: number;
/** The rollup config of dist/rtk-stage.min.js. */
export function dropInConfig(): BundleConfig;
/** Bundles a config in memory. */
export function buildBundle(config: BundleConfig): Promise<BundleResult>;
export function gzipSize(code: string): number;
export function byOrigin(result: BundleResult): { name: string; share: number }[];
