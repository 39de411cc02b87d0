import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

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
 * which one is not). `/metrics`: Prometheus text format.
 */
export async function healthRoutes(app: FastifyInstance, opts: HealthRoutesOptions): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
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
    const ready = Object.values(results).every(Boolean);
    reply.code(ready ? 200 : 503);
    return { ready, checks: results, ...(opts.details?.() ?? {}) };
  });

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', opts.registry.contentType);
    return opts.registry.metrics();
  });
}
