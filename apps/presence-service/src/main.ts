import { installProcessGuards } from '@relay/service-kit';
import { buildApp } from './app';
import { readConfig } from './config';

async function main(): Promise<void> {
  const config = readConfig();
  const app = await buildApp(config);
  installProcessGuards(app.shutdown, app.runtime.logger);
  const port = await app.listen();
  app.runtime.logger.info({ port, leaseMs: config.gatewayLeaseMs, sweepIntervalMs: config.sweepIntervalMs }, 'presence-service listening');
}

main().catch((err: unknown) => {
  // The logger may not exist yet: start-up failed before it was made.
  process.stderr.write(`presence-service failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
