/**
 * `npm run chaos`: the chaos run's entry. Parses options, runs, writes the reports and exits
 * 0 (nothing lost), 1 (loss or duplicates), 2 (bad options) or 3 (the run failed, did not fit
 * every fault in its deadline, or hit its hard deadline). Every process it started is killed on every way out: the end, an error, Ctrl-C,
 * SIGTERM and the deadline.
 */
import { resolve } from 'node:path';
import { ArgsError, parseArgs, USAGE } from './args';
import { faultPlan } from './faults';
import { markdownReport, verdictOf, writeReports } from './report';
import { runChaos, type Running } from './run';

const running: Running = { users: [] };
let cleaning: Promise<void> | undefined;

function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.allSettled(running.users.map((u) => u.close()));
    await running.stack?.close();
  })();
  return cleaning;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (err) {
    if (err instanceof ArgsError) {
      console.error(`chaos: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (parsed.help) {
    console.log(USAGE);
    return 0;
  }
  const o = parsed.options;
  try {
    faultPlan(o);
  } catch (err) {
    console.error(`chaos: ${(err as Error).message}`);
    return 2;
  }
  const command = `npm run chaos --${argv.length ? ` ${argv.join(' ')}` : ''}`;
  // The hard bound: whatever hangs, the run ends, cleans up and says so.
  const hard = setTimeout(() => {
    console.error(`chaos: hard deadline of ${o.deadlineS} s reached; cleaning up`);
    void cleanUp().finally(() => process.exit(3));
  }, o.deadlineS * 1000);
  hard.unref();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      console.error(`chaos: ${sig}; cleaning up`);
      void cleanUp().finally(() => process.exit(3));
    });
  }
  try {
    const result = await runChaos(o, running, (line) => console.log(line));
    const files = writeReports(resolve(o.out), result, command);
    console.log(`\n${markdownReport(result, command)}`);
    console.log(`chaos: reports ${files.join(', ')}`);
    const v = verdictOf(result);
    if (v.ok) return 0;
    return v.loss ? 1 : 3;
  } catch (err) {
    console.error(`chaos: the run failed: ${(err as Error).stack ?? String(err)}`);
    if (running.stack) console.error(running.stack.logs());
    return 3;
  } finally {
    await cleanUp();
    clearTimeout(hard);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    void cleanUp().finally(() => process.exit(3));
  },
);
