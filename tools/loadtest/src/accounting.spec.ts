import { computeDeliveryTotals, decodeRanges, DeliveryLedger, encodeRanges } from './accounting';

describe('accounting', () => {
  it('accounting - ranges encode sets compactly and round-trip', () => {
    expect(encodeRanges([3, 1, 2, 2, 7, 9, 8, 20])).toEqual([
      [1, 3],
      [7, 9],
      [20, 20],
    ]);
    expect(encodeRanges([])).toEqual([]);
    expect([...decodeRanges([[1, 3], [7, 7]])]).toEqual([1, 2, 3, 7]);
  });

  it('accounting - a repeated (sender, n) is a duplicate and a seq not above the last is out of order', () => {
    const ledger = new DeliveryLedger();
    ledger.addReceiver('bob', 'r1');
    expect(ledger.record('bob', 'alice', 1, 1)).toBe('new');
    expect(ledger.record('bob', 'alice', 2, 3)).toBe('new');
    expect(ledger.record('bob', 'carol', 1, 2)).toBe('out-of-order');
    expect(ledger.record('bob', 'alice', 2, 3)).toBe('duplicate');
    expect(ledger.record('bob', 'alice', 3, 4)).toBe('new');
    expect([ledger.unique, ledger.duplicates, ledger.outOfOrder]).toEqual([4, 1, 1]);
    expect(ledger.reports()).toEqual([{ user: 'bob', room: 'r1', seen: { alice: [[1, 3]], carol: [[1, 1]] } }]);
    expect(() => ledger.record('nobody', 'alice', 1, 1)).toThrow(/unknown receiver/);
  });

  it('accounting - expected is acked messages times room members; a missing one is lost, an unacked one is unconfirmed', () => {
    const senders = [
      { user: 'a', room: 'r1', acked: [[1, 3]] as Array<[number, number]> },
      { user: 'b', room: 'r1', acked: [[1, 2]] as Array<[number, number]> },
      { user: 'c', room: 'r2', acked: [[1, 1]] as Array<[number, number]> },
    ];
    const receivers = [
      // a got everything in r1, including its own messages.
      { user: 'a', room: 'r1', seen: { a: [[1, 3]], b: [[1, 2]] } as Record<string, Array<[number, number]>> },
      // b missed a#2 and got b#3, which was never acked.
      { user: 'b', room: 'r1', seen: { a: [[1, 1], [3, 3]], b: [[1, 3]] } as Record<string, Array<[number, number]>> },
      // c (alone in r2) got its own message.
      { user: 'c', room: 'r2', seen: { c: [[1, 1]] } as Record<string, Array<[number, number]>> },
    ];
    expect(computeDeliveryTotals(senders, receivers)).toEqual({ expected: 11, received: 10, lost: 1, unconfirmed: 1, roomsWithLoss: ['r1'] });
  });

  it('accounting - senders and receivers split over workers merge to the same totals', () => {
    const senders = [
      { user: 'a', room: 'r', acked: [[1, 100]] as Array<[number, number]> },
      { user: 'b', room: 'r', acked: [[1, 50]] as Array<[number, number]> },
    ];
    const full = { a: [[1, 100]], b: [[1, 50]] } as Record<string, Array<[number, number]>>;
    const totals = computeDeliveryTotals(senders, [
      { user: 'a', room: 'r', seen: full },
      { user: 'b', room: 'r', seen: full },
    ]);
    expect(totals).toEqual({ expected: 300, received: 300, lost: 0, unconfirmed: 0, roomsWithLoss: [] });
    // A receiver that got nothing loses every acked message of its room.
    expect(computeDeliveryTotals(senders, [{ user: 'a', room: 'r', seen: {} }]).lost).toBe(150);
  });
});
