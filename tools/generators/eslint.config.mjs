import base from '../../eslint.config.mjs';

export default [
  ...base,
  // The service templates are not sources of this project (they become a new app's files).
  { ignores: ['src/service/files/**'] },
  {
    files: ['**/*.ts', '**/*.cjs'],
    rules: { 'no-console': 'off' },
  },
];
