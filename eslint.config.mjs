// `npm run lint`: a small rule set, each rule catching a bug class this code base can actually have.
// Type-aware rules (no-floating-promises, no-misused-promises, switch-exhaustiveness-check) read the
// types through tsconfig.json; the whole tree lints in about ten seconds.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** Rules for every file, TypeScript or JavaScript. */
const common = {
  // `==` coerces between strings and numbers, the mix every parser here handles; `== null` stays
  // allowed as the one idiom for "null or undefined".
  eqeqeq: ['error', 'always', { null: 'ignore' }],
  // `let` should mean "this changes"; a closure that reads the binding before its one assignment
  // (cli/broker-cmd.ts `server`) keeps its `let`.
  'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
};

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', 'test-output/', '.demo/', 'coverage/', 'test/fixtures/', 'data/'] },
  {
    linterOptions: {
      // An eslint-disable comment that no longer suppresses anything is noise; say so.
      reportUnusedDisableDirectives: 'error',
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      ...common,
      // Dead imports, variables and parameters (tsconfig leaves noUnusedLocals off so that a
      // half-edited file still builds); `_name` marks a deliberate one, e.g. express's 4-argument
      // error handler or a field dropped by destructuring.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // A promise nobody awaits loses its rejection (Node 20 exits on an unhandled one) and its
      // ordering; `void p` states that it is meant to run on its own.
      '@typescript-eslint/no-floating-promises': 'error',
      // The same loss through an async callback handed to something that ignores its result
      // (an event emitter, a timer, Array#forEach), or a promise tested as if it were a boolean.
      '@typescript-eslint/no-misused-promises': 'error',
      // A new member of a union (ErrorCode, Granularity, a query kind) must get its case in every
      // switch that has no default.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // Logs are pino JSON lines and the CLI prints through process.stdout/stderr (ingest's report
      // is JSON on stdout); a stray console.log corrupts both.
      'no-console': 'error',
    },
  },
  {
    // bin/, scripts/, the page's app.js, jest's config and setup: plain JavaScript, no type information.
    files: ['**/*.js', '**/*.mjs'],
    rules: {
      ...common,
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
);
