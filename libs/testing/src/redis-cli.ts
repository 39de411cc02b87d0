/** redis-cli for fixtures that set up clusters and sentinels (commands the client library does not cover). */
import { execFile } from 'node:child_process';

export const REDIS_HINT = 'apt-get install -y redis-server (Debian), brew install redis, or docker compose up -d redis';
export const REDIS_CLI_HINT = 'apt-get install -y redis-tools (Debian; redis-server brings it), brew install redis';

/** Runs redis-cli; resolves with stdout, rejects with stderr and stdout in the message. */
export function redisCli(cli: string, args: string[], timeoutMs = 20000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cli, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli ${args.join(' ')} failed: ${err.message}\n${stderr}\n${stdout}`));
      else resolve(stdout);
    });
  });
}
