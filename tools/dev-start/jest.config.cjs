const { jestConfig } = require('../../jest.preset.cjs');

// The start command is exercised as a real process tree (nats, redis, five apps): give it time.
module.exports = jestConfig(__dirname, { testTimeout: 120000 });
