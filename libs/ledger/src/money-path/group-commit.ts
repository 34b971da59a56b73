export interface GroupCommitOptions {
  /** Batches on their way to the database at once (each holds one connection). */
  maxInFlight: number;
  /** Commands in one batch at most: a bound on one transaction's size and lock set. */
  maxBatch: number;
  /**
   * A command that has waited this long for a batch is dropped unsent (rejected with
   * `tooLate()`), so that nothing reaches the database after its caller stopped waiting.
   */
  maxWaitMs: number;
  tooLate: () => Error;
}

interface Waiting<C, O> {
  command: C;
  queuedAt: number;
  resolve: (outcome: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit, as TigerBeetle batches transfers: a command that arrives while the batches in
 * flight are busy waits, and every command waiting then goes to the database together, in arrival
 * order, as one call and one transaction. Each command still gets its own outcome. Under light
 * load a command goes alone at once (no added latency); under heavy load a batch carries what
 * arrived during the previous round trip, so the cost per command falls as the load rises.
 *
 * A batch the database refuses as a whole (an error answer, so nothing of it committed) is sent
 * again one command at a time, so one bad command cannot fail its neighbours. Any other failure
 * (a lost connection: whether it committed is unknown) is every command's failure. A command
 * still waiting after `maxWaitMs` (the database is slow or gone) is refused without being sent.
 */
export class GroupCommit<C, O> {
  private readonly waiting: Array<Waiting<C, O>> = [];
  private inFlight = 0;

  constructor(
    private readonly send: (commands: readonly C[]) => Promise<O[]>,
    private readonly options: GroupCommitOptions,
    /** True for an error that proves nothing committed, so the batch may be split and sent again. */
    private readonly refusedWhole: (error: unknown) => boolean,
    /** Sees the size of every batch sent (metrics). */
    private readonly onBatch: (size: number) => void = () => undefined,
  ) {
    if (options.maxInFlight < 1 || options.maxBatch < 1) throw new RangeError('group commit needs maxInFlight ≥ 1 and maxBatch ≥ 1');
  }

  submit(command: C): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ command, queuedAt: Date.now(), resolve, reject });
      this.pump();
    });
  }

  /** Commands not yet sent (waiting for a batch slot). */
  get backlog(): number {
    return this.waiting.length;
  }

  private pump(): void {
    this.dropExpired();
    while (this.inFlight < this.options.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private dropExpired(): void {
    const expiredBefore = Date.now() - this.options.maxWaitMs;
    if (this.waiting.length === 0 || this.waiting[0].queuedAt > expiredBefore) return;
    const expired = this.waiting.filter((waiting) => waiting.queuedAt <= expiredBefore);
    this.waiting.splice(0, expired.length);
    for (const waiting of expired) waiting.reject(this.options.tooLate());
  }

  private async run(batch: Array<Waiting<C, O>>): Promise<void> {
    try {
      this.settle(batch, await this.sendCounted(batch));
    } catch (error) {
      if (batch.length === 1 || !this.refusedWhole(error)) {
        for (const waiting of batch) waiting.reject(error);
        return;
      }
      for (const waiting of batch) {
        try {
          this.settle([waiting], await this.sendCounted([waiting]));
        } catch (aloneError) {
          waiting.reject(aloneError);
        }
      }
    }
  }

  private sendCounted(batch: Array<Waiting<C, O>>): Promise<O[]> {
    this.onBatch(batch.length);
    return this.send(batch.map((waiting) => waiting.command));
  }

  private settle(batch: Array<Waiting<C, O>>, outcomes: O[]): void {
    if (outcomes.length !== batch.length) {
      const error = new Error(`a batch of ${batch.length} commands came back with ${outcomes.length} outcomes`);
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    batch.forEach((waiting, i) => waiting.resolve(outcomes[i]));
  }
}
