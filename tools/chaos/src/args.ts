/**
 * The chaos run's command-line options: parsed strictly (an unknown flag or a bad number is a clear
 * error, exit 2) so a typo never turns into a run that silently tests something else.
 */
export interface ChaosOptions {
  users: number;
  rooms: number;
  /** Messages per second per room, spread over the room's members. */
  roomRate: number;
  /** Fewer faults and shorter pauses: the mode the project's test runs. */
  quick: boolean;
  /** 0: one nats-server; 3: a 3-node cluster (adds the node-loss fault). */
  natsCluster: number;
  /** Hard bound of the whole run, start-up and clean-up included. */
  deadlineS: number;
  /** Quiet time after each recovery, while load goes on, before the next fault. */
  recoverS: number;
  /** Time without sending before the final accounting. */
  settleS: number;
  /** Where chaos-report.json and chaos-report.md are written. */
  out: string;
  /** Only these faults (names), in this order. */
  only?: string[];
}

export const USAGE = `npm run chaos -- [options]

Starts a private Relay stack on free loopback ports, runs clients (@relay/client) that send and
reconnect, injects faults one at a time, and reports acknowledged messages lost per fault.
Exit code: 0 no loss, 1 loss or duplicates found, 2 bad options, 3 the run failed or was
incomplete (a fault did not recover, or did not fit in the deadline).

  --users N          clients (default 60)
  --rooms N          rooms, users spread evenly (default 10)
  --room-rate R      messages per second per room (default 2)
  --quick            three faults, short pauses (what the test runs)
  --nats-cluster N   run NATS as an N-node cluster (3); adds the NATS node-loss fault
  --deadline S       hard bound of the whole run in seconds (default 600, quick 240)
  --recover S        load-only seconds after each recovery (default 6, quick 3)
  --settle S         seconds without sending before the final check (default 8, quick 5)
  --only a,b         run only the named faults (see the report for names)
  --out DIR          report folder (default tmp/chaos)
  --help`;

export class ArgsError extends Error {}

function num(flag: string, raw: string | undefined, min: number, max: number): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isFinite(n) || n < min || n > max) throw new ArgsError(`${flag} needs a number from ${min} to ${max}, got ${raw ?? 'nothing'}`);
  return n;
}

export function parseArgs(argv: string[]): { help: true } | { help: false; options: ChaosOptions } {
  if (argv.includes('--help') || argv.includes('-h')) return { help: true };
  const quick = argv.includes('--quick');
  const o: ChaosOptions = {
    users: quick ? 24 : 60,
    rooms: quick ? 4 : 10,
    roomRate: 2,
    quick,
    natsCluster: 0,
    deadlineS: quick ? 240 : 600,
    recoverS: quick ? 3 : 6,
    settleS: quick ? 5 : 8,
    out: 'tmp/chaos',
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i];
    switch (flag) {
      case '--quick':
        break;
      case '--users':
        o.users = Math.floor(num(flag, value(), 2, 5000));
        break;
      case '--rooms':
        o.rooms = Math.floor(num(flag, value(), 1, 1000));
        break;
      case '--room-rate':
        o.roomRate = num(flag, value(), 0.1, 200);
        break;
      case '--nats-cluster': {
        const n = num(flag, value(), 0, 5);
        if (n !== 0 && n !== 3) throw new ArgsError('--nats-cluster takes 3 (or 0 for one server)');
        o.natsCluster = n;
        break;
      }
      case '--deadline':
        o.deadlineS = num(flag, value(), 30, 7200);
        break;
      case '--recover':
        o.recoverS = num(flag, value(), 0, 600);
        break;
      case '--settle':
        o.settleS = num(flag, value(), 1, 600);
        break;
      case '--only': {
        const v = value();
        if (!v) throw new ArgsError('--only needs a comma-separated list of fault names');
        o.only = v.split(',').map((s) => s.trim()).filter(Boolean);
        break;
      }
      case '--out': {
        const v = value();
        if (!v) throw new ArgsError('--out needs a folder');
        o.out = v;
        break;
      }
      default:
        throw new ArgsError(`unknown option ${flag}`);
    }
  }
  if (o.users < o.rooms * 2) throw new ArgsError(`--users ${o.users} is fewer than two per room (--rooms ${o.rooms})`);
  return { help: false, options: o };
}
