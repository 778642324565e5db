// ESLint (flat config) with typescript-eslint's recommended rules, over the code we write.
// Formatting is Prettier's (`npm run format:check`); layer rules are dependency-cruiser's (`npm run deps`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '.scs-data*/**',
      'test/support/esdb-test-server/generated/**',
      'test/support/scs-api.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      // Unused bindings are an error unless they say they are unused (`_name`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'max-len': [
        'error',
        { code: 120, ignoreUrls: true, ignoreStrings: true, ignoreTemplateLiterals: true, ignoreRegExpLiterals: true },
      ],
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    // Small pieces (docs/ARCHITECTURE.md, "Rules that keep it so"): a function a reader holds in their head,
    // a file that does one thing. Tests and benchmarks are excepted: a spec's describe block is long by nature.
    files: ['src/**/*.ts'],
    rules: {
      complexity: ['error', 15],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
      'max-lines': ['error', { max: 300 }],
    },
  },
  {
    // A promise nobody awaits loses its rejection: every one is awaited, returned, or marked `void` on purpose.
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    // Tests and benchmarks read untyped JSON answers: `any` is the honest type there.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: {
      sourceType: 'module',
      globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', URL: 'readonly' },
    },
  },
  {
    // The operator console runs in the browser.
    files: ['public/**/*.js'],
    languageOptions: {
      globals: Object.fromEntries(
        [
          'document',
          'window',
          'location',
          'sessionStorage',
          'fetch',
          'URLSearchParams',
          'setTimeout',
          'clearTimeout',
          'AbortController',
          'TextDecoderStream',
          'URL',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
);
