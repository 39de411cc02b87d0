import base from '../../eslint.config.mjs';

export default [
  ...base,
  {
    // A terminal tool: printing is its job. (The root config's `tools/**` override does not match
    // when eslint runs from this folder, so it is restated here.)
    files: ['**/*.ts'],
    rules: { 'no-console': 'off' },
  },
];
