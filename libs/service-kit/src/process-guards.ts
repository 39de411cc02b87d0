import type { Logger } from './logger';
import { exitOnSignals, type Shutdown } from './shutdown';

/**
 * What every service's main installs: signals run the ordered shutdown, and a promise
 * rejection nobody handled is logged with its stack instead of ending the process (Node's
 * default). An uncaught exception leaves state unknown: it is logged as fatal and the process
 * shuts down and exits non-zero so its supervisor restarts it.
 */
export function installProcessGuards(shutdown: Shutdown, logger: Logger): void {
  exitOnSignals(shutdown, logger);
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection (process keeps running)');
  });
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception: shutting down');
    void shutdown.run('uncaughtException').finally(() => process.exit(1));
  });
}
