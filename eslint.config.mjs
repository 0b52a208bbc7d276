/**
 * ESLint for the TypeScript and JavaScript of the npm workspace: the
 * extension (jupyterlite-ext/src) and liveimport-pyodide (js/).
 *
 * The rules are those of the JupyterLab extension template
 * (jupyterlab/extension-template, template/eslint.config.mjs.jinja): ESLint's
 * and typescript-eslint's recommended sets, @jupyter/eslint-plugin's, its
 * own rules below and Prettier (configured in package.json, as the
 * template does), with these differences, each for a reason given where it
 * is set:
 * - stricter: `no-explicit-any` and `no-unused-vars` are errors (the
 *   template turns the first off and warns on the second),
 *   `import-x/no-cycle` forbids import cycles, and the extension has no
 *   type assertions (`consistent-type-assertions`: never);
 * - `jupyter/no-untranslated-string` is off: the extension is not translated;
 * - `@typescript-eslint/quotes` is left out: typescript-eslint 8 removed it
 *   (Prettier's `singleQuote` enforces the same);
 * - js/ is plain JavaScript with hand-written types: linted too, without
 *   type information.
 * `npm run lint` at the workspace root runs it with --max-warnings 0.
 */
import js from '@eslint/js';
import jupyterPlugin from '@jupyter/eslint-plugin';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import prettierRecommended from 'eslint-plugin-prettier/recommended';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig([
  {
    // Only the two packages' sources; build output and test packages are not linted here.
    ignores: [
      '**/node_modules',
      '**/lib',
      'jupyterlite-ext/jupyterlite_liveimport',
      'js/wheels',
      'build',
      'dist',
      'target',
      'tests',
      'bench',
      'demo',
      'scripts',
      'python',
      'src',
      'autoload'
    ]
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  jupyterPlugin.configs.recommended,
  {
    files: ['**/*.ts', '**/*.mjs', '**/*.js'],
    plugins: { 'import-x': importX },
    settings: {
      // Relative imports name the .js the build emits; these map them to
      // the .ts sources and parse those, so that no-cycle sees every edge.
      'import-x/resolver-next': [createTypeScriptImportResolver()],
      'import-x/extensions': ['.ts', '.mjs', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] }
    },
    languageOptions: {
      globals: {
        ...globals.browser,
        ...globals.es2015,
        ...globals.node
      }
    },
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        {
          selector: 'interface',
          format: ['PascalCase'],
          custom: {
            regex: '^I[A-Z]',
            match: true
          }
        }
      ],
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none' }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-namespace': 'off',
      '@typescript-eslint/no-use-before-define': 'off',
      curly: ['error', 'all'],
      eqeqeq: 'error',
      'prefer-arrow-callback': 'error',
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // The extension's few strings are English only: it has no translations
      // (no ITranslator), so there is nothing to wrap them in.
      'jupyter/no-untranslated-string': 'off'
    }
  },
  {
    files: ['jupyterlite-ext/src/**/*.ts'],
    languageOptions: {
      parserOptions: {
        project: 'jupyterlite-ext/tsconfig.json',
        tsconfigRootDir: import.meta.dirname,
        sourceType: 'module'
      }
    },
    rules: {
      // Values from the kernel, the page and other tabs are parsed and
      // checked (protocol.ts, changes.ts), never asserted to a type.
      '@typescript-eslint/consistent-type-assertions': [
        'error',
        { assertionStyle: 'never' }
      ]
    }
  },
  {
    // The published types of liveimport-pyodide keep the names its users
    // import (InstallOptions, ...): JupyterLab's I-prefix is for the extension.
    files: ['js/index.d.ts'],
    rules: { '@typescript-eslint/naming-convention': 'off' }
  },
  prettierRecommended
]);
