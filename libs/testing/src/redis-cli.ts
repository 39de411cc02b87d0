/** redis-cli for fixtures that set up clusters and sentinels (commands the client library does not cover). */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { requireServerBinary } from '@relay/local-servers';

/** redis-cli beside redis-server (both come with every Redis package). */
export function redisCliBinary(): string {
  const cli = join(dirname(requireServerBinary('redis')), 'redis-cli');
  if (!existsSync(cli)) throw new Error(`redis-cli not found beside redis-server (${cli}); install redis-tools (Debian) or redis (brew)`);
  return cli;
}

/** Runs redis-cli; resolves with stdout, rejects with stderr and stdout in the message. */
export function redisCli(cli: string, args: string[], timeoutMs = 20000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cli, args, { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`redis-cli ${args.join(' ')} failed: ${err.message}\n${stderr}\n${stdout}`));
      else resolve(stdout);
    });
  });
}
