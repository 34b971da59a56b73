import type { SimulationTotals } from './traffic-simulator';

/** One line of what the simulation has done: money, requests, the attacker, the live stream. */
export function progressLine(elapsedS: number, totals: SimulationTotals): string {
  const refused = [...totals.refused.values()].reduce((sum, n) => sum + n, 0);
  const moneyCalls = totals.transfers + totals.deposits + totals.withdrawals + refused;
  return [
    `${String(Math.round(elapsedS)).padStart(4)}s`,
    `transfers ${totals.transfers}, deposits ${totals.deposits}, withdrawals ${totals.withdrawals}, refused ${refused}`,
    `${elapsedS > 0 ? (moneyCalls / elapsedS).toFixed(1) : '0.0'} money calls/s`,
    `requests ${totals.requestsFinal}/${totals.requestsFiled} final`,
    `guesses ${totals.guesses} (${totals.guessesThrottled} throttled, ${totals.lockouts} lockouts)`,
    `live events ${totals.liveEvents}`,
    `retries ${totals.retries}`,
    `failures ${totals.failures.length}`,
  ].join(' · ');
}

/**
 * Writes the progress line: rewritten in place on a terminal, a new line every few seconds in a
 * log file or CI (where carriage returns would pile up).
 */
export class ProgressPrinter {
  private lastPrinted = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stdout,
    private readonly everyMsWhenLogged = 5_000,
  ) {}

  print(line: string, final = false): void {
    if (this.stream.isTTY) {
      this.stream.write(`\r\x1b[2K${line}${final ? '\n' : ''}`);
      return;
    }
    if (!final && Date.now() - this.lastPrinted < this.everyMsWhenLogged) return;
    this.lastPrinted = Date.now();
    this.stream.write(`${line}\n`);
  }
}
