import { LitElement, css, html } from 'lit';
import type { ConnectionState, LiveConnection } from '../../live/live-connection';

const LABELS: Record<ConnectionState, string> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', offline: 'Offline — updating every few seconds' };

/** The live connection's state, always visible (and announced politely to screen readers). */
export class ConnectionBadge extends LitElement {
  static override properties = { connection: { attribute: false } };
  declare connection: LiveConnection | undefined;

  static override styles = css`
    :host {
      display: inline-flex;
      align-items: center;
      gap: 0.4rem;
      font-size: 0.9rem;
      color: var(--bank-muted);
    }
    .dot {
      width: 0.6rem;
      height: 0.6rem;
      border-radius: 50%;
      background: var(--bank-muted);
    }
    .live {
      background: var(--bank-positive);
    }
    .reconnecting,
    .connecting {
      background: var(--bank-warning);
    }
    .offline {
      background: var(--bank-negative);
    }
  `;

  private readonly onState = () => this.requestUpdate();

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('connection')) {
      (changed.get('connection') as LiveConnection | undefined)?.removeEventListener('state', this.onState);
      this.connection?.addEventListener('state', this.onState);
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.connection?.removeEventListener('state', this.onState);
  }

  override render() {
    const state = this.connection?.state ?? 'connecting';
    return html`<span class="dot ${state}" aria-hidden="true"></span><span role="status" aria-live="polite" data-state=${state}>${LABELS[state]}</span>`;
  }
}
customElements.define('connection-badge', ConnectionBadge);
