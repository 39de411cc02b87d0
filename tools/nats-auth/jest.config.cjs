const { jestConfig } = require('../../jest.preset.cjs');

// Real nats-server processes with the generated users; a few hundred probes against them.
module.exports = jestConfig(__dirname, { testTimeout: 60000 });
