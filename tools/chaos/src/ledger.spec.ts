import { Ledger } from './ledger';

describe('chaos ledger', () => {
  function ledgerWithRoom(): Ledger {
    const l = new Ledger();
    l.member('a', 'r');
    l.member('b', 'r');
    l.startPhase('kill-x');
    return l;
  }

  it('chaos ledger - a message every member saw (live or from history) is not lost', () => {
    const l = ledgerWithRoom();
    l.ackedMessage('m1', 'r', 1);
    l.shownMessage('a', 'm1');
    l.fetchedMessage('b', 'm1');
    expect(l.settle(new Map([['r', new Set(['m1'])]]))).toEqual([]);
    expect(l.phases[1]).toMatchObject({ acked: 1, lost: 0 });
  });

  it('chaos ledger - a member that never saw an acknowledged message counts it lost, in the phase it was acked', () => {
    const l = ledgerWithRoom();
    l.ackedMessage('m1', 'r', 1);
    l.ackedMessage('m2', 'r', 2);
    l.shownMessage('a', 'm1');
    l.shownMessage('b', 'm1');
    l.shownMessage('a', 'm2');
    l.startPhase('later');
    const lost = l.settle(new Map([['r', new Set(['m1'])]]));
    expect(lost).toEqual([{ id: 'm2', room: 'r', seq: 2, phase: 'kill-x', missedBy: 1, inStore: false }]);
    expect(l.phases[1]).toMatchObject({ lost: 1, lostFromStore: 1 });
    expect(l.phases[2]).toMatchObject({ lost: 0 });
  });

  it('chaos ledger - the same id shown twice to one user is a duplicate; shown to two users is not', () => {
    const l = ledgerWithRoom();
    l.shownMessage('a', 'm1');
    l.shownMessage('b', 'm1');
    expect(l.current.duplicates).toBe(0);
    l.shownMessage('a', 'm1');
    expect(l.current.duplicates).toBe(1);
  });

  it('chaos ledger - the longest send outage of a phase is kept', () => {
    const l = ledgerWithRoom();
    l.sendOutage(300);
    l.sendOutage(1200.4);
    l.sendOutage(50);
    expect(l.current.longestSendOutageMs).toBe(1200);
  });

  it('chaos ledger - an outage counts in the phase it started in, not the one it ended in', () => {
    const l = ledgerWithRoom();
    const started = l.phaseIndex;
    l.startPhase('next');
    l.sendOutage(9000, started);
    expect(l.phases[started].longestSendOutageMs).toBe(9000);
    expect(l.current.longestSendOutageMs).toBe(0);
  });

  it('chaos ledger - an acknowledged mention never notified is lost in the phase it was acked; one notified is not', () => {
    const l = ledgerWithRoom();
    l.ackedMention('m1', 'b');
    l.ackedMention('m2', 'b');
    l.shownMention('b', 'n1', 'm1');
    expect(l.mentionsMissing).toBe(1);
    l.startPhase('later');
    l.settle(new Map());
    expect(l.phases[1]).toMatchObject({ mentions: 2, mentionsLost: 1 });
    expect(l.phases[2]).toMatchObject({ mentions: 0, mentionsLost: 0 });
    expect(l.lostMentions).toEqual([{ messageId: 'm2', mentioned: 'b', phase: 'kill-x' }]);
  });

  it('chaos ledger - a second notification (another id) for one mention is a duplicate; a retried send of it counts once', () => {
    const l = ledgerWithRoom();
    l.ackedMention('m1', 'b');
    l.ackedMention('m1', 'b');
    l.shownMention('b', 'n1', 'm1');
    l.shownMention('b', 'n2', 'm1');
    expect(l.current).toMatchObject({ mentions: 1, mentionDuplicates: 1 });
  });
});
