import { LitElement, css, html, svg } from 'lit';
import type { EntryView } from '@bank/contracts/ledger';
import { formatDateTime, formatMoney } from '../../format/money';

const WIDTH = 600;
const HEIGHT = 140;
const PAD = 6;

/** Balance over time from the loaded history (each entry's balance after it), as an SVG line. */
export class BalanceChart extends LitElement {
  static override properties = { entries: { attribute: false }, currency: {} };
  declare entries: EntryView[];
  declare currency: string;

  static override styles = css`
    :host {
      display: block;
    }
    svg {
      width: 100%;
      height: auto;
      display: block;
    }
    .line {
      fill: none;
      stroke: var(--bank-accent);
      stroke-width: 2.5;
      vector-effect: non-scaling-stroke;
    }
    .area {
      fill: color-mix(in srgb, var(--bank-accent) 14%, transparent);
    }
    p {
      margin: 0;
      color: var(--bank-muted);
      font-size: 0.9rem;
    }
  `;

  constructor() {
    super();
    this.entries = [];
    this.currency = 'USD';
  }

  override render() {
    const points = [...this.entries].reverse(); // oldest first
    if (points.length < 2) return html`<p>The chart appears after a few transactions.</p>`;
    const times = points.map((entry) => Date.parse(entry.createdAt));
    const balances = points.map((entry) => entry.balanceAfter);
    const [t0, t1] = [Math.min(...times), Math.max(...times)];
    const [b0, b1] = [Math.min(0, ...balances), Math.max(...balances)];
    const x = (t: number) => PAD + ((t - t0) / Math.max(1, t1 - t0)) * (WIDTH - 2 * PAD);
    const y = (b: number) => HEIGHT - PAD - ((b - b0) / Math.max(1, b1 - b0)) * (HEIGHT - 2 * PAD);
    const path = points.map((entry, i) => `${i === 0 ? 'M' : 'L'}${x(times[i]).toFixed(1)},${y(entry.balanceAfter).toFixed(1)}`).join(' ');
    const area = `${path} L${x(t1).toFixed(1)},${HEIGHT - PAD} L${x(t0).toFixed(1)},${HEIGHT - PAD} Z`;
    const last = points[points.length - 1];
    const label = `Balance from ${formatMoney(points[0].balanceAfter, this.currency)} on ${formatDateTime(points[0].createdAt)} to ${formatMoney(last.balanceAfter, this.currency)} on ${formatDateTime(last.createdAt)}`;
    return html`<svg viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" role="img" aria-label=${label}>
      ${svg`<path class="area" d=${area}></path><path class="line" d=${path}></path>`}
    </svg>`;
  }
}
customElements.define('balance-chart', BalanceChart);
