/**
 * The faults a chaos run injects, one at a time. Each one breaks something the way production
 * breaks (a crash with no clean-up, a hung process, a broker or store restart) and then brings it
 * back; the runner waits for every /readyz before the next one.
 */
import type { AppName } from '@relay/testing';
import { signal, type ChaosStack } from './chaos-stack';

export interface Fault {
  name: string;
  /** What happens, for the report. */
  description: string;
  /** Breaks and restores; resolves when the broken part is started again (readiness is the runner's). */
  run(stack: ChaosStack): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** kill -9 of the first instance of an app, then the same instance started again on its port. */
function killApp(name: AppName, downMs: number): Fault {
  return {
    name: `kill-${name}`,
    description: `kill -9 of one ${name}, restarted after ${downMs / 1000} s`,
    async run(stack) {
      const app = stack.apps[name][0];
      await app.kill();
      await sleep(downMs);
      await app.start();
    },
  };
}

function hangChat(hungMs: number): Fault {
  return {
    name: 'hang-chat-service',
    description: `SIGSTOP of one chat-service for ${hungMs / 1000} s, then SIGCONT (a hung instance)`,
    async run(stack) {
      const pid = stack.apps['chat-service'][0].pid;
      if (pid === undefined) throw new Error('chat-service has no process to stop');
      signal(pid, 'SIGSTOP');
      try {
        await sleep(hungMs);
      } finally {
        signal(pid, 'SIGCONT');
      }
    },
  };
}

function restartNats(downMs: number): Fault {
  return {
    name: 'restart-nats',
    description: `kill -9 of every nats-server node, started again after ${downMs / 1000} s (JetStream store kept)`,
    async run(stack) {
      await Promise.all(stack.nats.nodes.map((n) => n.kill()));
      await sleep(downMs);
      await Promise.all(stack.nats.nodes.map((n) => n.start()));
    },
  };
}

function loseNatsNode(downMs: number): Fault {
  return {
    name: 'lose-nats-node',
    description: `kill -9 of one node of the NATS cluster, started again after ${downMs / 1000} s`,
    async run(stack) {
      const node = stack.nats.nodes[0];
      await node.kill();
      await sleep(downMs);
      await node.start();
    },
  };
}

function restartRedis(downMs: number): Fault {
  return {
    name: 'restart-redis',
    description: `redis-server stopped (SIGTERM: AOF flushed), started again after ${downMs / 1000} s from its AOF`,
    async run(stack) {
      await stack.redis.stop();
      await sleep(downMs);
      await stack.redis.start(30000);
    },
  };
}

function killRedis(downMs: number): Fault {
  return {
    name: 'kill-redis',
    description: `kill -9 of redis-server, started again after ${downMs / 1000} s from its AOF (written to the OS before each reply, fsynced every second)`,
    async run(stack) {
      await stack.redis.kill();
      await sleep(downMs);
      await stack.redis.start(30000);
    },
  };
}

/** The faults of a run, in order. Quick: one crash of each stateful kind, shorter outages. */
export function faultPlan(opts: { quick: boolean; natsCluster: number; only?: string[] }): Fault[] {
  const down = opts.quick ? 1000 : 2000;
  const all: Fault[] = [
    killApp('ws-gateway', down),
    killApp('chat-service', down),
    killApp('presence-service', down),
    killApp('notification-service', down),
    hangChat(opts.quick ? 3000 : 5000),
    restartNats(down),
    restartRedis(down),
    killRedis(down),
    ...(opts.natsCluster > 0 ? [loseNatsNode(opts.quick ? 3000 : 5000)] : []),
  ];
  if (opts.only) {
    const unknown = opts.only.filter((n) => !all.some((f) => f.name === n));
    if (unknown.length) throw new Error(`unknown fault(s) ${unknown.join(', ')}; known: ${all.map((f) => f.name).join(', ')}`);
    return opts.only.map((n) => all.find((f) => f.name === n) as Fault);
  }
  if (opts.quick) return all.filter((f) => ['kill-ws-gateway', 'kill-chat-service', 'restart-redis'].includes(f.name));
  return all;
}
