import { installProcessGuards } from '@relay/service-kit';
import { buildApp } from './app';
import { readConfig } from './config';

async function main(): Promise<void> {
  const app = await buildApp(readConfig());
  installProcessGuards(app.shutdown, app.logger);
  const port = await app.listen();
  app.logger.info({ port }, 'chat-service listening');
}

main().catch((err: unknown) => {
  // The logger may not exist yet: start-up failed before it was made.
  process.stderr.write(`chat-service failed to start: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
