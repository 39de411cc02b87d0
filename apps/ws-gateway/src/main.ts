import { ConfigError, installProcessGuards } from '@relay/service-kit';
import { buildApp } from './app';
import { readConfig } from './config';

async function main(): Promise<void> {
  const app = await buildApp(readConfig());
  installProcessGuards(app.shutdown, app.logger);
  const port = await app.listen();
  app.logger.info({ port }, 'ws-gateway listening');
}

main().catch((err: unknown) => {
  // The logger may not exist yet: start-up failed before it was made.
  const why = err instanceof ConfigError ? `configuration: ${err.message}` : ((err as Error).stack ?? String(err));
  process.stderr.write(`ws-gateway refuses to start: ${why}\n`);
  process.exit(1);
});
