import type { FastifyInstance } from 'fastify';
import { Gauge, type Registry } from 'prom-client';

/** A readiness check: true when the dependency is usable right now. Must answer quickly. */
export type ReadinessCheck = () => boolean | Promise<boolean>;

export interface HealthRoutesOptions {
  checks: Record<string, ReadinessCheck>;
  registry: Registry;
  /** Extra details for /readyz, e.g. breaker states. */
  details?: () => Record<string, unknown>;
}

/**
 * `/healthz`: the process is alive. `/readyz`: every dependency is usable (503 otherwise, with
 * which one is not). `/metrics`: Prometheus text format, with `relay_ready{check}` giving the
 * same checks' answers at scrape time (alerts on an unready NATS or Redis read it).
 */
export async function healthRoutes(app: FastifyInstance, opts: HealthRoutesOptions): Promise<void> {
  const runChecks = async (): Promise<Record<string, boolean>> => {
    const results: Record<string, boolean> = {};
    await Promise.all(
      Object.entries(opts.checks).map(async ([name, check]) => {
        try {
          results[name] = await check();
        } catch (err) {
          app.log.warn({ err, check: name }, 'readiness check threw');
          results[name] = false;
        }
      }),
    );
    return results;
  };
  new Gauge({
    name: 'relay_ready',
    help: 'Readiness checks at scrape time, by check (nats, redis, ...): 1 usable, 0 not',
    labelNames: ['check'],
    registers: [opts.registry],
    async collect() {
      for (const [check, ok] of Object.entries(await runChecks())) this.set({ check }, ok ? 1 : 0);
    },
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const results = await runChecks();
    const ready = Object.values(results).every(Boolean);
    reply.code(ready ? 200 : 503);
    return { ready, checks: results, ...(opts.details?.() ?? {}) };
  });

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', opts.registry.contentType);
    return opts.registry.metrics();
  });
}
