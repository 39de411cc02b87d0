#!/usr/bin/env node
// The launcher for shell scripts: prints the command line of a private server, one word per
// line, so a script runs exactly what the tests and `npm start` run:
//   mapfile -t CMD < <(node libs/local-servers/src/cli.cjs nats --port 4333 --monitor 8333)
//   "${CMD[@]}" >nats.log 2>&1 &
// Options: --port N (required), --monitor N (nats), --dir PATH, --jetstream (nats, needs --dir),
// --durable (redis: the append-only file fsynced once a second, as `npm start` and deployments run it),
// --config FILE (nats: a configuration file, e.g. one including tools/nats-auth's auth.conf).
'use strict';
const { requireServerBinary, serverArgs } = require('./index.cjs');

function main(argv) {
  const [kind, ...rest] = argv;
  const value = (name) => {
    const i = rest.indexOf(`--${name}`);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const opts = {
    port: Number(value('port')),
    monitorPort: value('monitor') === undefined ? undefined : Number(value('monitor')),
    dir: value('dir'),
    jetstream: rest.includes('--jetstream'),
    durable: rest.includes('--durable'),
  };
  const config = value('config');
  const words = [requireServerBinary(kind), ...(config === undefined ? [] : ['-c', config]), ...serverArgs(kind, opts)];
  process.stdout.write(`${words.join('\n')}\n`);
}

try {
  main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`local-servers: ${err.message}\nusage: cli.cjs nats|redis --port N [--monitor N] [--dir PATH] [--jetstream] [--durable] [--config FILE]\n`);
  process.exit(2);
}
