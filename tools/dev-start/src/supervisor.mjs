// Owns every process the start command launches: spawns them with prefixed logs, notices when one
// dies on its own, and stops them all in order (gateways, then services, then infrastructure),
// SIGTERM first and SIGKILL after a timeout, so nothing is left behind.
import { spawn } from 'node:child_process';
import { makePrefix, pipeWithPrefix } from './output.mjs';

/** Stop order: clients' entry points first so they close sockets while the services still answer. */
export const STAGE = { gateway: 0, service: 1, infra: 2 };

export class Supervisor {
  /** @param {{ stopTimeoutMs?: number, onUnexpectedExit?: (entry: object) => void }} opts */
  constructor(opts = {}) {
    this.stopTimeoutMs = opts.stopTimeoutMs ?? 15000;
    this.onUnexpectedExit = opts.onUnexpectedExit ?? (() => undefined);
    this.entries = [];
    this.stopping = false;
  }

  /**
   * Starts a process. It gets its own process group (detached) so a Ctrl-C in the terminal
   * reaches only us and we decide the order in which things stop.
   */
  start({ name, command, args, env, cwd, stage }) {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const entry = { name, stage, child, pid: child.pid, exit: undefined };
    entry.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        entry.exit = { code, signal };
        resolve(entry.exit);
        if (!this.stopping) this.onUnexpectedExit(entry);
      });
      // A spawn failure (binary vanished) emits 'error' and maybe no 'exit'.
      child.once('error', (err) => {
        if (entry.exit) return;
        entry.exit = { code: null, signal: null, error: err };
        resolve(entry.exit);
        if (!this.stopping) this.onUnexpectedExit(entry);
      });
    });
    const prefix = makePrefix(name);
    pipeWithPrefix(child.stdout, prefix, process.stdout);
    pipeWithPrefix(child.stderr, prefix, process.stderr);
    this.entries.push(entry);
    return entry;
  }

  running() {
    return this.entries.filter((e) => !e.exit);
  }

  /** Graceful stop of everything, stage by stage. Safe to call more than once. */
  async stopAll() {
    this.stopping = true;
    const stages = [...new Set(this.entries.map((e) => e.stage))].sort((a, b) => a - b);
    for (const stage of stages) {
      await Promise.all(this.entries.filter((e) => e.stage === stage).map((e) => this.stopOne(e)));
    }
  }

  async stopOne(entry) {
    if (entry.exit) return;
    signal(entry, 'SIGTERM');
    const timer = setTimeout(() => signal(entry, 'SIGKILL'), this.stopTimeoutMs);
    await entry.exited;
    clearTimeout(timer);
  }

  /** Last resort (second Ctrl-C, our own crash): SIGKILL whatever still runs, synchronously. */
  killAllNow() {
    this.stopping = true;
    for (const e of this.running()) signal(e, 'SIGKILL');
  }
}

function signal(entry, sig) {
  if (entry.exit) return;
  try {
    entry.child.kill(sig);
  } catch (err) {
    // ESRCH: it exited between our check and the signal; nothing left to stop.
    if (err.code !== 'ESRCH') throw err;
  }
}
