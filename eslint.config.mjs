// The workspace's lint rules. Each project's eslint.config.mjs spreads this array and, where its
// platform asks for it, one of the named blocks below (ESLint resolves `files` patterns from the
// folder of the config it runs with, so project-specific blocks live in the project's config).
import { builtinModules } from 'node:module';
import nx from '@nx/eslint-plugin';

/** Project dependency rules of production sources (see CONTRIBUTING.md "Boundaries"). */
const productionConstraints = [
  // Apps never import apps: an app may only depend on libs (not on the test harness).
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  // The test harness (libs/testing) builds on libs; only specs and e2e tests may import it.
  { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:lib', 'type:test'] },
  // End-to-end tests drive the built apps as processes; they import libs and the harness only.
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:test'] },
  // The contracts are the bottom of the graph: they depend on nothing of ours.
  { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: ['scope:contracts'] },
  // Platforms: browser code may use only browser-safe code; shared code (the contracts) runs in
  // both, so its npm imports are a short allow-list (Node built-ins are refused by nodeFreeSources).
  { sourceTag: 'platform:browser', onlyDependOnLibsWithTags: ['platform:browser', 'platform:shared'] },
  {
    sourceTag: 'platform:shared',
    onlyDependOnLibsWithTags: ['platform:shared'],
    allowedExternalImports: ['@sinclair/typebox', '@sinclair/typebox/*', 'ulid'],
  },
  { sourceTag: 'platform:node', onlyDependOnLibsWithTags: ['platform:node', 'platform:shared'] },
];

/** Specs may also use the test harness (real servers, clients) and Node. */
const specConstraints = [
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:test'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:test'] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:test'] },
  { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:lib', 'type:test'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:test'] },
  { sourceTag: 'scope:contracts', onlyDependOnLibsWithTags: ['scope:contracts', 'scope:testing', 'scope:shared'] },
];

const SPEC_FILES = ['**/*.spec.ts', '**/test/**/*.ts'];

/**
 * For projects whose sources must run in a browser (platform:browser, platform:shared): no Node
 * built-in module. Nx's rule cannot see built-ins (they are not in the project graph), so ESLint's
 * own rule refuses them.
 */
export const nodeFreeSources = [
  {
    files: ['**/*.ts'],
    ignores: SPEC_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)].map((name) => ({
            name,
            message: 'this project runs in browsers too: no Node built-in modules (tag platform:shared or platform:browser)',
          })),
        },
      ],
    },
  },
];

/**
 * For app and tool sources: NATS is reached through @relay/bus only, so one module knows the
 * nats.js API and every message is enveloped and validated the same way.
 */
export const busOnlyNats = [
  {
    files: ['**/*.ts'],
    ignores: SPEC_FILES,
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'nats', message: 'use @relay/bus (Bus, Subscription) instead of importing nats in an app' }] },
      ],
    },
  },
];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/node_modules', '**/tmp', '**/.nx', '**/test-output'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: true, allow: [], depConstraints: productionConstraints }],
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    // Tests of any project may use the shared test harness (real servers, clients).
    files: SPEC_FILES,
    rules: {
      '@nx/enforce-module-boundaries': ['error', { allow: [], depConstraints: specConstraints }],
    },
  },
  {
    // Developer tools and tests talk to a terminal.
    files: ['tools/**/*', '**/*.spec.ts', '**/test/**/*'],
    rules: { 'no-console': 'off' },
  },
];
