/**
 * relay load tester. `npm run loadtest -- --help` explains the options. The same script runs as
 * the coordinator (default) and as a forked worker (RELAY_LOADTEST_WORKER=1).
 */
import { ArgsError, parseArgs, USAGE } from './args';
import { renderChart } from './chart';
import { forkWorker, runLoad } from './coordinator';
import { ProgressPrinter } from './progress';
import { buildReport, summaryText, writeFile } from './report';
import { processChannel, runWorker } from './worker';

async function coordinate(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (err) {
    if (err instanceof ArgsError) {
      console.error(`loadtest: ${err.message}\n\n${USAGE}`);
      return 2;
    }
    throw err;
  }
  if (parsed.help) {
    console.log(USAGE);
    return 0;
  }
  const options = parsed.options;
  if (options.rate > 20) console.error(`loadtest: warning: --rate ${options.rate} is above the gateway's default limit of 20 frames/s per connection; expect RATE_LIMITED`);
  console.log(`loadtest: run ${options.prefix}: ${options.users} users, ${options.rooms} rooms, ${options.rate} msg/s, ${options.durationS} s, ramp ${options.rampS} s, ${options.workers} worker(s) -> ${options.gateways.join(', ')}`);

  const printer = new ProgressPrinter((line) => console.log(line), process.stdout.isTTY === true);
  const outcome = await runLoad(options, forkWorker(process.argv[1]), (s, changed) => printer.tick(s, changed));
  const report = buildReport(options, outcome);
  writeFile(options.out, `${JSON.stringify(report, null, 2)}\n`);
  writeFile(options.chart, renderChart(report));
  console.log(summaryText(report));
  console.log(`result: ${options.out}\nchart:  ${options.chart}`);
  return report.pass ? 0 : 1;
}

if (process.env.RELAY_LOADTEST_WORKER === '1') {
  runWorker(processChannel());
} else {
  coordinate(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`loadtest: ${(err as Error).message}`);
      process.exitCode = 3;
    },
  );
}
