import { GroupCommit } from './group-commit';

/** A database stand-in whose calls finish when the test says so. */
class ControlledSend {
  readonly calls: Array<{ commands: number[]; finish: (outcomes?: string[]) => void; fail: (error: unknown) => void }> = [];

  readonly send = (commands: readonly number[]): Promise<string[]> =>
    new Promise((resolve, reject) => {
      this.calls.push({ commands: [...commands], finish: (outcomes) => resolve(outcomes ?? commands.map((c) => `done ${c}`)), fail: reject });
    });
}

const refusedWhole = (error: unknown) => (error as { code?: string }).code === 'REFUSED';
const tick = () => new Promise((resolve) => setImmediate(resolve));
const NO_DEADLINE = { maxWaitMs: 60_000, tooLate: () => new Error('too late') };

describe('GroupCommit', () => {
  it('sends a command at once when nothing is in flight, and what arrives meanwhile as the next batch, in arrival order', async () => {
    const db = new ControlledSend();
    const sizes: number[] = [];
    const group = new GroupCommit(db.send, { maxInFlight: 1, maxBatch: 100, ...NO_DEADLINE }, refusedWhole, (size) => sizes.push(size));
    const first = group.submit(1);
    const later = [group.submit(2), group.submit(3), group.submit(4)];
    expect(db.calls.map((call) => call.commands)).toEqual([[1]]);
    expect(group.backlog).toBe(3);
    db.calls[0].finish();
    await expect(first).resolves.toBe('done 1');
    await tick();
    expect(db.calls.map((call) => call.commands)).toEqual([[1], [2, 3, 4]]);
    db.calls[1].finish(['a', 'b', 'c']);
    await expect(Promise.all(later)).resolves.toEqual(['a', 'b', 'c']);
    expect(sizes).toEqual([1, 3]);
  });

  it('keeps maxInFlight batches going and cuts batches at maxBatch', async () => {
    const db = new ControlledSend();
    const group = new GroupCommit(db.send, { maxInFlight: 2, maxBatch: 2, ...NO_DEADLINE }, refusedWhole);
    const answers = [1, 2, 3, 4, 5, 6].map((n) => group.submit(n));
    expect(db.calls.map((call) => call.commands)).toEqual([[1], [2]]);
    db.calls[1].finish();
    await tick();
    expect(db.calls.map((call) => call.commands)).toEqual([[1], [2], [3, 4]]);
    db.calls[0].finish();
    await tick();
    expect(db.calls.map((call) => call.commands)).toEqual([[1], [2], [3, 4], [5, 6]]);
    db.calls[2].finish();
    db.calls[3].finish();
    await expect(Promise.all(answers)).resolves.toEqual([1, 2, 3, 4, 5, 6].map((n) => `done ${n}`));
  });

  it('sends a batch the database refused as a whole again one command at a time: only the bad command fails', async () => {
    const db = new ControlledSend();
    const group = new GroupCommit(db.send, { maxInFlight: 1, maxBatch: 100, ...NO_DEADLINE }, refusedWhole);
    const blocker = group.submit(0);
    const answers = [1, 2, 3].map((n) => group.submit(n).catch((error: unknown) => error));
    db.calls[0].finish();
    await blocker;
    await tick();
    db.calls[1].fail({ code: 'REFUSED' });
    for (const n of [1, 2, 3]) {
      await tick();
      const call = db.calls[db.calls.length - 1];
      expect(call.commands).toEqual([n]);
      if (n === 2) call.fail({ code: 'REFUSED', which: 2 });
      else call.finish();
    }
    await expect(Promise.all(answers)).resolves.toEqual(['done 1', { code: 'REFUSED', which: 2 }, 'done 3']);
  });

  it('fails every command of a batch whose fate is unknown (a lost connection), without sending any again', async () => {
    const db = new ControlledSend();
    const group = new GroupCommit(db.send, { maxInFlight: 1, maxBatch: 100, ...NO_DEADLINE }, refusedWhole);
    const blocker = group.submit(0);
    const answers = [1, 2].map((n) => group.submit(n).catch((error: unknown) => error));
    db.calls[0].finish();
    await blocker;
    await tick();
    const lost = new Error('Connection terminated unexpectedly');
    db.calls[1].fail(lost);
    await expect(Promise.all(answers)).resolves.toEqual([lost, lost]);
    expect(db.calls).toHaveLength(2);
  });

  it('refuses an answer with the wrong number of outcomes rather than hand anyone a neighbour’s', async () => {
    const db = new ControlledSend();
    const group = new GroupCommit(db.send, { maxInFlight: 1, maxBatch: 100, ...NO_DEADLINE }, refusedWhole);
    const blocker = group.submit(0);
    const answers = [1, 2].map((n) => group.submit(n).catch((error: unknown) => (error as Error).message));
    db.calls[0].finish();
    await blocker;
    await tick();
    db.calls[1].finish(['only one']);
    await expect(Promise.all(answers)).resolves.toEqual([expect.stringMatching(/2 commands came back with 1 outcomes/), expect.stringMatching(/2 commands/)]);
  });

  it('drops unsent the commands that waited longer than maxWaitMs, and sends the rest', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const db = new ControlledSend();
      const group = new GroupCommit(db.send, { maxInFlight: 1, maxBatch: 100, maxWaitMs: 1_000, tooLate: () => new Error('too late') }, refusedWhole);
      const stuck = group.submit(0);
      const early = group.submit(1).catch((error: Error) => error.message);
      jest.advanceTimersByTime(600);
      const late = group.submit(2);
      jest.advanceTimersByTime(500); // command 1 has waited 1,100 ms, command 2 500 ms
      db.calls[0].finish();
      await stuck;
      await tick();
      expect(db.calls.map((call) => call.commands)).toEqual([[0], [2]]);
      await expect(early).resolves.toBe('too late');
      db.calls[1].finish();
      await expect(late).resolves.toBe('done 2');
    } finally {
      jest.useRealTimers();
    }
  });
});
