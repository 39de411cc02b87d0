import base from '../../eslint.config.mjs';

export default [
  ...base,
  {
    // A terminal tool: printing is its job (the root config's tools/** override does not match from this folder).
    files: ['**/*.mjs', '**/*.cjs'],
    rules: { 'no-console': 'off' },
  },
];
