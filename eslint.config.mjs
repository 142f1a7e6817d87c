// Flat config: @eslint/js + typescript-eslint everywhere (syntax-only, fast),
// Lit, web-component and lit-a11y rules where templates live.
import js from '@eslint/js';
import { configs as litConfigs } from 'eslint-plugin-lit';
import litA11y from 'eslint-plugin-lit-a11y';
import { configs as wcConfigs } from 'eslint-plugin-wc';
import globals from 'globals';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const templateFiles = [
  'components/**/*.ts',
  'test/components/**/*.ts',
  'test/browser/**/*.ts',
  'demo/**/*.{ts,js}',
];

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      'coverage/**',
      'custom-elements.json',
      'demo/**/dist/**',
      'demo/**/build/**',
      'demo/**/.angular/**',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.browser, ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts', 'components/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-unused-expressions': 'off', // chai: expect(x).to.be.true
    },
  },
  { ...litConfigs['flat/recommended'], files: templateFiles },
  { ...wcConfigs['flat/recommended'], files: templateFiles },
  { ...litA11y.configs.recommended, files: templateFiles },
  {
    files: ['test/browser/**/*.ts', 'test/components/**/*.ts'],
    languageOptions: { globals: { ...globals.mocha } },
  },
);
