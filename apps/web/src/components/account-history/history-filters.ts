import { LitElement, css, html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { HISTORY_SEARCH_TEXT_MAX, HISTORY_SEARCH_TEXT_MIN, hasHistoryFilter, type HistoryFilter } from '@bank/contracts/history';
import { TRANSACTION_KINDS, type TransactionKind } from '@bank/contracts/ledger';
import { parseMoney } from '../../format/money';
import { sharedStyles } from '../shared-styles';
import { sameFilter } from './history-filter-url';

/** How long typing in the search box pauses before the list follows. */
const TEXT_DEBOUNCE_MS = 400;

export interface HistoryFilterChange {
  filter: HistoryFilter;
  /** A pause in typing (the URL entry is replaced, not added: back does not step through every word). */
  typing: boolean;
}

interface FilterFields {
  from: string;
  to: string;
  kind: string;
  minAmount: string;
  maxAmount: string;
  q: string;
}

function fractionDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** Minor units as the text a person types: 125050 → "1250.50". */
function amountText(minor: number | undefined, currency: string): string {
  if (minor === undefined) return '';
  const digits = fractionDigits(currency);
  const padded = String(minor).padStart(digits + 1, '0');
  return digits > 0 ? `${padded.slice(0, -digits)}.${padded.slice(-digits)}` : padded;
}

/** An amount bound typed in major units: blank is no bound, zero is allowed (unlike a payment). */
function parseAmountBound(text: string, currency: string): { minor: number | undefined } | { error: string } {
  const cleaned = text.trim();
  if (cleaned === '') return { minor: undefined };
  if (/^0*(?:\.0*)?$/.test(cleaned.replace(/[,\s]/g, ''))) return { minor: 0 };
  const parsed = parseMoney(cleaned, currency);
  return 'error' in parsed ? { error: parsed.error } : { minor: parsed.minor };
}

function fieldsOf(filter: HistoryFilter, currency: string): FilterFields {
  return {
    from: filter.from ?? '',
    to: filter.to ?? '',
    kind: filter.kind ?? '',
    minAmount: amountText(filter.minAmount, currency),
    maxAmount: amountText(filter.maxAmount, currency),
    q: filter.q ?? '',
  };
}

/**
 * The filters above an account's history: dates, kind, an amount range in the account's currency,
 * a text. Dates and kind apply on change, amounts when the field is left (or Enter), the text after
 * a pause in typing; "Clear filters" empties them. It does not fetch: it sends
 * `history-filter-change` with the filters, and the history keeps them (in the URL).
 */
/** The filters behind "More filters": everything but the text. */
const MORE_FILTER_FIELDS = ['from', 'to', 'kind', 'minAmount', 'maxAmount'] as const satisfies ReadonlyArray<keyof FilterFields>;

export class HistoryFilters extends LitElement {
  static override properties = {
    filter: { attribute: false },
    currency: {},
    fields: { state: true },
    errors: { state: true },
    moreOpen: { state: true },
  };
  declare filter: HistoryFilter;
  declare currency: string;
  declare fields: FilterFields;
  declare errors: Partial<Record<keyof FilterFields, string>>;
  /** The person opened "More filters" (it also opens by itself while one of them is set). */
  declare moreOpen: boolean;
  private textTimer: ReturnType<typeof setTimeout> | undefined;

  static override styles = [
    sharedStyles,
    css`
      form {
        display: grid;
        gap: 0.6rem;
        margin: 0.5rem 0 0.75rem;
      }
      .fields {
        display: grid;
        gap: 0.6rem;
        grid-template-columns: repeat(auto-fill, minmax(min(8rem, 100%), 1fr));
      }
      .wide {
        grid-column: 1 / -1;
      }
      label,
      input,
      select {
        min-width: 0;
      }
      input,
      select {
        width: 100%;
        box-sizing: border-box;
      }
      .more summary {
        cursor: pointer;
        font-weight: 600;
        color: var(--bank-accent);
        margin-bottom: 0.5rem;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
    `,
  ];

  constructor() {
    super();
    this.filter = {};
    this.currency = 'USD';
    this.fields = fieldsOf({}, 'USD');
    this.errors = {};
    this.moreOpen = false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.textTimer);
  }

  override willUpdate(changed: Map<string, unknown>): void {
    // Filters from outside (a reload, back/forward, Clear): the fields show them — unless they already
    // mean the same (the text being typed keeps its spaces).
    if (changed.has('filter') || changed.has('currency')) {
      const shown = this.parse();
      if (!('filter' in shown) || !sameFilter(shown.filter, this.filter)) {
        this.fields = fieldsOf(this.filter, this.currency);
        this.errors = {};
      }
    }
  }

  private parse(): { filter: HistoryFilter } | { errors: Partial<Record<keyof FilterFields, string>> } {
    const errors: Partial<Record<keyof FilterFields, string>> = {};
    const min = parseAmountBound(this.fields.minAmount, this.currency);
    const max = parseAmountBound(this.fields.maxAmount, this.currency);
    if ('error' in min) errors.minAmount = min.error;
    if ('error' in max) errors.maxAmount = max.error;
    const filter: HistoryFilter = {};
    if (this.fields.from) filter.from = this.fields.from;
    if (this.fields.to) filter.to = this.fields.to;
    if (this.fields.kind) filter.kind = this.fields.kind as TransactionKind;
    if ('minor' in min && min.minor !== undefined) filter.minAmount = min.minor;
    if ('minor' in max && max.minor !== undefined) filter.maxAmount = max.minor;
    const q = this.fields.q.trim();
    if (q) filter.q = q;
    if (q && [...q].length < HISTORY_SEARCH_TEXT_MIN) errors.q = `Type at least ${HISTORY_SEARCH_TEXT_MIN} characters to search.`;
    if (filter.from && filter.to && filter.from > filter.to) errors.to = 'The end date is before the start date.';
    if (filter.minAmount !== undefined && filter.maxAmount !== undefined && filter.minAmount > filter.maxAmount) errors.maxAmount = 'The maximum is below the minimum.';
    return Object.keys(errors).length > 0 ? { errors } : { filter };
  }

  private apply(typing = false): void {
    clearTimeout(this.textTimer);
    const parsed = this.parse();
    if ('errors' in parsed) {
      // A text still being typed is not yet too short: it waits for more, or for Enter.
      if (typing && Object.keys(parsed.errors).every((name) => name === 'q')) return;
      this.errors = parsed.errors;
      return;
    }
    this.errors = {};
    if (sameFilter(parsed.filter, this.filter)) return;
    this.dispatchEvent(new CustomEvent<HistoryFilterChange>('history-filter-change', { detail: { filter: parsed.filter, typing }, bubbles: true, composed: true }));
  }

  private edit(name: keyof FilterFields, value: string, then: 'apply' | 'debounce' | 'wait'): void {
    this.fields = { ...this.fields, [name]: value };
    if (then === 'apply') this.apply();
    if (then === 'debounce') {
      clearTimeout(this.textTimer);
      this.textTimer = setTimeout(() => this.apply(true), TEXT_DEBOUNCE_MS);
    }
  }

  private clear(): void {
    clearTimeout(this.textTimer);
    this.fields = fieldsOf({}, this.currency);
    this.errors = {};
    if (hasHistoryFilter(this.filter)) this.dispatchEvent(new CustomEvent<HistoryFilterChange>('history-filter-change', { detail: { filter: {}, typing: false }, bubbles: true, composed: true }));
  }

  private field(name: keyof FilterFields, label: string, input: (described: string | undefined) => unknown, wide = false) {
    const error = this.errors[name];
    return html`<label class=${wide ? 'wide' : ''}
      >${label} ${input(error ? `filter-${name}-error` : undefined)}
      ${error ? html`<span class="field-error" id="filter-${name}-error">${error}</span>` : null}</label
    >`;
  }

  /** An amount bound in the account's currency: typed freely, applied when left (or with Enter). */
  private amountField(name: 'minAmount' | 'maxAmount', label: string, placeholder: string) {
    return this.field(
      name,
      `${label} (${this.currency})`,
      (described) => html`<input
        name=${name}
        inputmode="decimal"
        autocomplete="off"
        placeholder=${placeholder}
        .value=${this.fields[name]}
        aria-invalid=${this.errors[name] ? 'true' : 'false'}
        aria-describedby=${ifDefined(described)}
        @input=${(e: Event) => this.edit(name, (e.target as HTMLInputElement).value, 'wait')}
        @change=${() => this.apply()}
      />`,
    );
  }

  override render() {
    const value = (event: Event) => (event.target as HTMLInputElement | HTMLSelectElement).value;
    const invalid = (name: keyof FilterFields) => (this.errors[name] ? 'true' : 'false');
    // Dates, kind and amounts open their disclosure by themselves when one is set (or in error).
    const moreSet = MORE_FILTER_FIELDS.filter((name) => this.fields[name].trim() !== '' || this.errors[name]).length;
    return html`<form
      role="search"
      aria-label="Filter the history"
      @submit=${(event: Event) => {
        event.preventDefault();
        this.apply();
      }}
    >
      ${this.field(
        'q',
        'Search description or name',
        (described) => html`<input
          type="search"
          name="q"
          maxlength=${HISTORY_SEARCH_TEXT_MAX}
          autocomplete="off"
          .value=${this.fields.q}
          aria-invalid=${invalid('q')}
          aria-describedby=${ifDefined(described)}
          @input=${(e: Event) => this.edit('q', value(e), 'debounce')}
        />`,
      )}
      <details class="more" ?open=${this.moreOpen || moreSet > 0} @toggle=${(e: Event) => (this.moreOpen = (e.target as HTMLDetailsElement).open)}>
        <summary>More filters${moreSet > 0 ? ` (${moreSet} set)` : ''}</summary>
        <div class="fields">
          ${this.field(
            'from',
            'Date from',
            (described) => html`<input type="date" name="from" .value=${this.fields.from} aria-invalid=${invalid('from')} aria-describedby=${ifDefined(described)} @change=${(e: Event) => this.edit('from', value(e), 'apply')} />`,
          )}
          ${this.field(
            'to',
            'Date to',
            (described) => html`<input type="date" name="to" .value=${this.fields.to} aria-invalid=${invalid('to')} aria-describedby=${ifDefined(described)} @change=${(e: Event) => this.edit('to', value(e), 'apply')} />`,
          )}
          ${this.field(
            'kind',
            'Kind',
            () => html`<select name="kind" .value=${this.fields.kind} @change=${(e: Event) => this.edit('kind', value(e), 'apply')}>
              <option value="" ?selected=${this.fields.kind === ''}>Any</option>
              ${TRANSACTION_KINDS.map((kind) => html`<option value=${kind} ?selected=${this.fields.kind === kind}>${kind[0].toUpperCase() + kind.slice(1)}</option>`)}
            </select>`,
          )}
          ${this.amountField('minAmount', 'Amount at least', '0.00')} ${this.amountField('maxAmount', 'Amount at most', 'any')}
        </div>
      </details>
      <div class="actions">
        <button type="submit">Apply filters</button>
        <button type="button" class="secondary" @click=${this.clear} ?disabled=${!hasHistoryFilter(this.filter) && Object.values(this.fields).every((text) => text.trim() === '')}>Clear filters</button>
      </div>
    </form>`;
  }
}
customElements.define('history-filters', HistoryFilters);
