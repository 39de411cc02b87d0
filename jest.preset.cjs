// One Jest config for every project: swc for speed (typecheck runs tsc separately),
// path aliases mapped to lib sources, and the summary reporter that feeds the final
// "N passed, N failed" line of `npm test`.
const path = require('node:path');

function jestConfig(projectDir, overrides = {}) {
  const root = path.resolve(__dirname);
  return {
    displayName: path.basename(projectDir),
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/**/*.spec.ts', '<rootDir>/**/*.test.ts'],
    transform: {
      '^.+\\.[tj]s$': [
        '@swc/jest',
        { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
      ],
    },
    moduleFileExtensions: ['ts', 'js', 'cjs', 'json'],
    moduleNameMapper: {
      '^@relay/(bus|client|contracts|service-kit|testing)$': `${root}/libs/$1/src/index.ts`,
      // CommonJS, so .mjs tools and shell scripts load it without a build (libs/local-servers).
      '^@relay/local-servers$': `${root}/libs/local-servers/src/index.cjs`,
    },
    reporters: ['default', `${root}/tools/ci/jest-summary-reporter.cjs`],
    testTimeout: 30000,
    // A project whose tests are still to come must not fail the run; test.mjs counts tests, not projects.
    passWithNoTests: true,
    ...overrides,
  };
}

module.exports = { jestConfig };
