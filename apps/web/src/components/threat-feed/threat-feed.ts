import { LitElement, css, html } from 'lit';
import { SECURITY_EVENT_TYPES, type SecurityEventType, type SecurityEventView } from '@bank/contracts/security';
import { formatDateTime } from '../../format/money';
import { sharedStyles } from '../shared-styles';

const FEED_MAX = 200;

/** What an event is about, in a few words (never a secret: the trail holds none). */
export function describeSecurityEvent(event: SecurityEventView): string {
  const detail = event.detail;
  return [detail.email, detail.reason, detail.limit].filter((bit) => typeof bit === 'string').join(' · ');
}

/**
 * The live threat feed: newest first, filtered by type (fires `feed-type`), with a pause. While paused, new events
 * are counted but not shown (the list holds still to be read); resuming shows them.
 */
export class ThreatFeed extends LitElement {
  static override properties = {
    events: { attribute: false },
    type: { state: true },
    paused: { state: true },
    shownUpTo: { state: true },
  };
  /** Every event received, newest first (set by the console: the first page, then live ones). */
  declare events: SecurityEventView[];
  declare type: SecurityEventType | '';
  declare paused: boolean;
  /** While paused: the newest event id shown; newer ones wait. */
  declare shownUpTo: bigint | null;

  static override styles = [
    sharedStyles,
    css`
      .controls {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
        margin-bottom: 0.5rem;
      }
      ol {
        max-height: 24rem;
        overflow-y: auto;
      }
    `,
  ];

  constructor() {
    super();
    this.events = [];
    this.type = '';
    this.paused = false;
    this.shownUpTo = null;
  }

  /** Adds one live event (or a page) to the feed; duplicates by id are dropped. */
  static merge(events: readonly SecurityEventView[], incoming: readonly SecurityEventView[]): SecurityEventView[] {
    const ids = new Set(incoming.map((event) => event.id));
    return [...incoming, ...events.filter((event) => !ids.has(event.id))].sort((a, b) => (BigInt(b.id) > BigInt(a.id) ? 1 : -1)).slice(0, FEED_MAX);
  }

  /** Filters at once; `feed-type` asks the console for that type's older events too. */
  private readonly chooseType = (event: Event) => {
    this.type = (event.target as HTMLSelectElement).value as SecurityEventType | '';
    this.dispatchEvent(new CustomEvent<SecurityEventType | ''>('feed-type', { detail: this.type, bubbles: true, composed: true }));
  };

  private matching(): SecurityEventView[] {
    return this.type ? this.events.filter((event) => event.type === this.type) : this.events;
  }

  private togglePause(): void {
    this.paused = !this.paused;
    this.shownUpTo = this.paused ? BigInt(this.events[0]?.id ?? '0') : null;
  }

  override render() {
    const matching = this.matching();
    const shown = this.shownUpTo === null ? matching : matching.filter((event) => BigInt(event.id) <= this.shownUpTo!);
    const waiting = matching.length - shown.length;
    return html`<div class="controls">
        <label
          >Type
          <select data-feed-type @change=${this.chooseType}>
            <option value="">All types</option>
            ${SECURITY_EVENT_TYPES.map((type) => html`<option value=${type} ?selected=${type === this.type}>${type}</option>`)}
          </select>
        </label>
        <button type="button" class="secondary" aria-pressed=${this.paused ? 'true' : 'false'} @click=${this.togglePause}>${this.paused ? 'Resume' : 'Pause'}</button>
        ${this.paused ? html`<span class="muted" role="status" data-feed-waiting>Paused · ${waiting} new</span>` : null}
      </div>
      ${shown.length === 0
        ? html`<p class="muted" data-feed-empty>${this.type ? `No ${this.type} events yet.` : 'No security events yet.'}</p>`
        : html`<ol class="rows" aria-live=${this.paused ? 'off' : 'polite'} aria-label="Security events, newest first">
            ${shown.map(
              (event) => html`<li data-event-type=${event.type}>
                <strong>${event.type}</strong> <span class="muted">${formatDateTime(event.createdAt)}${event.ip ? ` · ${event.ip}` : ''}</span>
                <div>${describeSecurityEvent(event)}</div>
              </li>`,
            )}
          </ol>`}`;
  }
}
customElements.define('threat-feed', ThreatFeed);
