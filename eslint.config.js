// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Import boundaries: `core ← store, channels ← engine ← server ← cli`.
 * Each rule says why, so the person who trips it learns the design rather than fighting the linter.
 */
const nodeIo = [
  'node:fs',
  'node:fs/promises',
  'node:net',
  'node:http',
  'node:https',
  'node:child_process',
  'node:worker_threads',
  'node:crypto',
  'node:os',
  'fs',
  'net',
  'http',
  'https',
  'child_process',
  'crypto',
  'os',
  'better-sqlite3',
  'pg',
  'fastify',
];
/** @param {string} why */
const because = (why) => ({ message: why });

export default tseslint.config(
  { ignores: ['node_modules/**', '.orkestra/**', 'dist/**', 'web/dist/**', 'coverage/**', 'tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: [
            '*.js',
            'scripts/*.mjs',
            'bin/*.js',
            'src/engine/*.mjs',
            'src/store/sqlite/*.mjs',
          ],
        },
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      // Ports are async so that a server store (PostgreSQL) fits; the embedded one answers synchronously.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after'],
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeIo.map((name) => ({
            name,
            ...because(
              'src/core is pure: no I/O, no clock, no randomness of its own (ARCHITECTURE.md invariant 4). Pass what you need in as a parameter.',
            ),
          })),
          patterns: [
            {
              group: ['**/store/**', '**/engine/**', '**/server/**', '**/cli/**', '**/channels/**'],
              ...because(
                'src/core is the bottom layer: imports point core ← store, channels ← engine ← server ← cli.',
              ),
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'src/core takes a seeded random source (Random) as a parameter.',
        },
        {
          object: 'Date',
          property: 'now',
          message: 'src/core takes `now` as a parameter (EpochMs); it never reads the clock.',
        },
        { object: 'performance', property: 'now', message: 'src/core never reads the clock.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'src/core takes `now` as a parameter (EpochMs); it never reads the clock.',
        },
        {
          selector: "CallExpression[callee.name='Date']",
          message: 'src/core takes `now` as a parameter (EpochMs); it never reads the clock.',
        },
      ],
    },
  },
  {
    files: ['src/store/**/*.ts', 'src/channels/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/engine/**', '**/server/**', '**/cli/**'],
              ...because(
                'store and channels sit under the engine: imports point core ← store, channels ← engine ← server ← cli.',
              ),
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/server/**', '**/cli/**'],
              ...because(
                'the engine does not know about HTTP or the CLI: imports point engine ← server ← cli.',
              ),
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/cli/**'],
              ...because('the server is wired by the CLI, never the other way round.'),
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**', 'bin/**'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
