import { setFlagsFromString } from 'node:v8';
import type { GatewayConfig } from './config';

/**
 * V8 flags the gateway process sets on itself at start, from its settings (node's command line
 * stays the same in every launcher: nx serve, npm start, the image, the manifests).
 *
 * `OPTIMIZE_FOR_MEMORY=1` gives `--optimize-for-size`: V8 collects and compacts more eagerly and
 * keeps its heap small. A connect burst leaves its garbage in the old generation, and with the
 * defaults V8 keeps those pages long after the burst (resident memory about 11 KB per idle joined
 * connection at 10,000, of which about 5 KB live); with the flag about 7.5 KB. It costs CPU and
 * latency under load (docs/benchmarks.md has both sides), hence off by default: for gateways
 * that mostly hold idle connections (notifications, presence), not for busy rooms.
 */
export function v8FlagsFor(config: Pick<GatewayConfig, 'optimizeForMemory'>): string[] {
  return config.optimizeForMemory ? ['--optimize-for-size'] : [];
}

/** Sets the flags on this process; called once, before the gateway takes connections. */
export function applyV8Flags(flags: readonly string[]): void {
  for (const flag of flags) setFlagsFromString(flag);
}
