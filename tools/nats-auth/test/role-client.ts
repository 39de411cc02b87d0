/**
 * A NATS connection acting as one bus role, which records the permission violations the server
 * reports, so a test can wait for the refusal of one exact operation instead of for silence.
 */
import { connect, type ConnectionOptions, type Msg, type NatsConnection, type Subscription } from 'nats';
import { waitFor } from '@relay/testing';

interface Violation {
  operation: string;
  subject: string;
  queue?: string;
}

export class RoleClient {
  readonly violations: Violation[] = [];

  private constructor(
    readonly name: string,
    readonly nc: NatsConnection,
  ) {
    void (async () => {
      for await (const s of nc.status()) {
        const ctx = (s as { permissionContext?: Violation }).permissionContext;
        if (ctx) this.violations.push(ctx);
      }
    })();
  }

  static async connect(name: string, opts: ConnectionOptions): Promise<RoleClient> {
    return new RoleClient(name, await connect({ ...opts, name }));
  }

  /** Waits until the server refused this operation on this subject (and queue); false after the timeout. */
  async refused(operation: 'publish' | 'subscription', subject: string, queue?: string, timeoutMs = 3000): Promise<boolean> {
    await this.nc.flush();
    const match = () => this.violations.some((v) => v.operation === operation && v.subject === subject && (queue === undefined || v.queue === queue));
    try {
      await waitFor(match, { timeoutMs, intervalMs: 5 });
      return true;
    } catch {
      return false;
    }
  }

  /** Subscribes and makes sure the server has the interest (or has refused it) before returning. */
  async subscribe(subject: string, queue?: string): Promise<{ sub: Subscription; received: Msg[] }> {
    const received: Msg[] = [];
    const sub = this.nc.subscribe(subject, { queue, callback: (err, msg) => !err && received.push(msg) });
    await this.nc.flush();
    return { sub, received };
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close();
  }
}

/** Waits for a message to arrive in `received`; false after the timeout. */
export async function arrives(received: Msg[], count = 1, timeoutMs = 3000): Promise<boolean> {
  try {
    await waitFor(() => received.length >= count, { timeoutMs, intervalMs: 5 });
    return true;
  } catch {
    return false;
  }
}
