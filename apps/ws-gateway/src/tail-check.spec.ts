import type { RoomPosition } from '@relay/contracts';
import { createMetrics } from '@relay/service-kit';
import pino from 'pino';
import { createGatewayMetrics } from './metrics';
import { TailCheck } from './tail-check';

/** The rooms held; catchUp records what it was asked. */
function rooms(names: string[]) {
  const asked: Array<{ room: string; latest: number; epoch?: string }> = [];
  return {
    asked,
    roomNames: () => names,
    catchUp: async (room: string, latest: number, epoch: string | undefined) => {
      asked.push({ room, latest, epoch });
      return 0;
    },
  };
}

function check(held: ReturnType<typeof rooms>, positions: (names: string[]) => Promise<RoomPosition[]>) {
  return new TailCheck({
    rooms: held,
    positions,
    metrics: createGatewayMetrics(createMetrics('ws-gateway', 'tail-check-test')),
    logger: pino({ level: 'silent' }),
    intervalMs: 0,
    maxPerRoom: 1000,
  });
}

describe('tail check', () => {
  it('tail check - fetches only up to where the store stood the round before, never what is being published now', async () => {
    const held = rooms(['a', 'b']);
    let store: RoomPosition[] = [
      { room: 'a', seq: 5, epoch: 'E1' },
      { room: 'b', seq: 0, epoch: 'E1' },
    ];
    const tail = check(held, async () => store);
    await tail.check();
    // The first round only looks: seq 5 may be on its way live right now.
    expect(held.asked).toEqual([]);
    store = [
      { room: 'a', seq: 9, epoch: 'E1' },
      { room: 'b', seq: 2, epoch: 'E1' },
    ];
    await tail.check();
    expect(held.asked).toEqual([
      { room: 'a', latest: 5, epoch: 'E1' },
      { room: 'b', latest: 0, epoch: 'E1' },
    ]);
    held.asked.length = 0;
    await tail.check();
    expect(held.asked).toEqual([
      { room: 'a', latest: 9, epoch: 'E1' },
      { room: 'b', latest: 2, epoch: 'E1' },
    ]);
  });

  it('tail check - a store in a new epoch since the last round waits a round (old seqs mean nothing there)', async () => {
    const held = rooms(['a']);
    let store: RoomPosition[] = [{ room: 'a', seq: 40, epoch: 'E1' }];
    const tail = check(held, async () => store);
    await tail.check();
    store = [{ room: 'a', seq: 3, epoch: 'E2' }];
    await tail.check();
    expect(held.asked).toEqual([]);
    await tail.check();
    expect(held.asked).toEqual([{ room: 'a', latest: 3, epoch: 'E2' }]);
  });

  it('tail check - a failed round keeps the earlier positions for the next one', async () => {
    const held = rooms(['a']);
    let fail = false;
    let seq = 4;
    const tail = check(held, async () => {
      if (fail) throw new Error('breaker open');
      return [{ room: 'a', seq, epoch: 'E1' }];
    });
    await tail.check();
    fail = true;
    await tail.check();
    fail = false;
    seq = 6;
    await tail.check();
    expect(held.asked).toEqual([{ room: 'a', latest: 4, epoch: 'E1' }]);
  });
});
