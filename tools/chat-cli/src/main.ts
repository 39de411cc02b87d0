import { createInterface } from 'node:readline';
import { parseArgs, USAGE, UsageError } from './args';
import { parseLine } from './commands';
import { CliError } from './errors';
import type { Line } from './format';
import { ChatSession } from './session';

function print(line: Line): void {
  (line.stream === 'out' ? process.stdout : process.stderr).write(`${line.text}\n`);
}

/** The whole client: parse args, connect, run stdin lines in order, exit with a code scripts can use. */
export async function main(argv: readonly string[]): Promise<number> {
  let opts;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    print({ stream: 'err', text: `error: ${err.message}\n\n${USAGE}` });
    return 2;
  }
  if (opts.help) {
    print({ stream: 'out', text: USAGE });
    return 0;
  }
  const session = new ChatSession(opts, print);
  try {
    await session.start();
    session.onLost = (err) => {
      // Idle on stdin with no way back to the gateway: nothing more can happen, say so and stop.
      print({ stream: 'err', text: `error: ${err.message}` });
      process.exit(err.exitCode);
    };
    const lines = createInterface({ input: process.stdin, terminal: false });
    for await (const line of lines) {
      if (!(await session.run(parseLine(line)))) break;
    }
    lines.close();
    await session.close();
    if (session.failures > 0) {
      print({ stream: 'err', text: `error: ${session.failures} request(s) failed` });
      return 1;
    }
    return 0;
  } catch (err) {
    await session.close();
    if (err instanceof CliError) {
      print({ stream: 'err', text: `error: ${err.message}` });
      return err.exitCode;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // stdin may still hold the event loop open (after /quit): leave explicitly once output is flushed.
    process.stdout.write('', () => process.exit(code));
  },
  (err: unknown) => {
    print({ stream: 'err', text: `error: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` });
    process.exit(1);
  },
);
