/**
 * A user's pending notifications read through notification-service's NATS API, as a backend
 * service would: tests wait on it for a client's `ack` to land before they reconnect, since the
 * protocol gives the ack no reply.
 */
import { NotifyPending } from '@relay/contracts';
import { Bus } from '@relay/bus';
import { connectNats, createLogger } from '@relay/service-kit';
import { waitFor, type TestStack } from '@relay/testing';

const logger = createLogger({ service: 'e2e', instanceId: 'pending-notifications', level: 'silent' });

export async function waitUntilNothingPending(stack: TestStack, user: string, timeoutMs = 10000): Promise<void> {
  const nc = await connectNats({ url: stack.nats.url, name: 'e2e-pending-notifications', logger });
  try {
    const bus = new Bus(nc, { source: 'e2e/pending-notifications', logger });
    await waitFor(async () => (await bus.request(NotifyPending, { user }, { timeoutMs: 3000 })).notifications.length === 0, { timeoutMs, what: `${user}'s notifications to be acked` });
  } finally {
    await nc.drain();
  }
}
