import { css } from 'lit';

/** What every view shares: cards, buttons, fields, messages. Colours come from theme.css tokens. */
export const sharedStyles = css`
  :host {
    display: block;
    color: var(--bank-text);
    font-family: var(--bank-font);
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  h1,
  h2,
  h3 {
    margin: 0 0 0.75rem;
    line-height: 1.25;
    font-weight: var(--bank-heading-weight);
    letter-spacing: var(--bank-heading-tracking);
  }
  h2 {
    font-size: 1.15rem;
  }
  .card {
    background: var(--bank-surface);
    border: 1px solid var(--bank-border);
    border-radius: var(--bank-radius);
    box-shadow: var(--bank-shadow);
    padding: var(--bank-card-padding);
  }
  .muted {
    color: var(--bank-muted);
  }
  .positive {
    color: var(--bank-positive);
  }
  .negative {
    color: var(--bank-negative);
  }
  .mono {
    font-family: var(--bank-mono);
  }
  button {
    font: inherit;
    border-radius: var(--bank-radius-control);
    border: 1px solid var(--bank-accent);
    background: var(--bank-accent);
    color: var(--bank-accent-text);
    padding: 0.5rem 1rem;
    cursor: pointer;
    font-weight: 600;
    min-height: var(--bank-control-height);
  }
  button.secondary {
    background: transparent;
    color: var(--bank-accent);
  }
  button.danger {
    background: transparent;
    border-color: var(--bank-negative);
    color: var(--bank-negative);
  }
  button:disabled {
    opacity: 0.6;
    cursor: progress;
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible,
  a:focus-visible,
  [tabindex]:focus-visible {
    outline: 3px solid var(--bank-focus);
    outline-offset: 2px;
  }
  a {
    color: var(--bank-accent);
  }
  label {
    display: grid;
    gap: 0.25rem;
    font-weight: 600;
    font-size: 0.95rem;
  }
  input,
  select,
  textarea {
    font: inherit;
    font-weight: 400;
    color: var(--bank-text);
    background: var(--bank-bg);
    border: 1px solid var(--bank-border);
    border-radius: var(--bank-radius-control);
    padding: 0.5rem 0.65rem;
    min-height: var(--bank-control-height);
    width: 100%;
  }
  input[aria-invalid='true'] {
    border-color: var(--bank-negative);
  }
  .field-error {
    color: var(--bank-negative);
    font-weight: 400;
    font-size: 0.875rem;
  }
  .form-error {
    color: var(--bank-negative);
    border: 1px solid var(--bank-negative);
    border-radius: var(--bank-radius-control);
    padding: 0.5rem 0.75rem;
  }
  .notice {
    border: 1px solid var(--bank-border);
    background: var(--bank-surface-2);
    border-radius: var(--bank-radius-control);
    padding: 0.5rem 0.75rem;
  }
  form {
    display: grid;
    gap: 0.85rem;
  }
  /* A form on one line that wraps: a search box, a picker with its button. */
  form.inline {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: end;
  }
  /* A list of rows without bullets, each row ruled off. */
  .rows {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.4rem;
  }
  .rows > li {
    border-bottom: 1px solid var(--bank-border);
    padding: 0.35rem 0;
    overflow-wrap: anywhere;
  }
  table {
    width: 100%;
    border-collapse: collapse;
  }
  th,
  td {
    text-align: left;
    padding: var(--bank-cell-padding);
    border-bottom: 1px solid var(--bank-border);
    vertical-align: top;
    overflow-wrap: break-word;
  }
  th {
    color: var(--bank-muted);
    font-size: 0.85rem;
    font-weight: 600;
  }
  td.amount,
  th.amount {
    text-align: right;
    white-space: nowrap;
    font-variant-numeric: tabular-nums;
  }
  td[data-label]::before {
    display: none;
  }
  /*
   * A table on a phone: each row a small card — the first column's cells on the left, the amounts
   * on the right — so nothing is cut at the right edge. The header row stays for screen readers.
   */
  @media (max-width: 40rem) {
    table.stacked thead {
      position: absolute;
      width: 1px;
      height: 1px;
      overflow: hidden;
      clip: rect(0 0 0 0);
    }
    table.stacked tr {
      display: grid;
      grid-template-columns: minmax(0, 1fr) auto;
      grid-auto-flow: dense;
      gap: 0.15rem 0.75rem;
      padding: var(--bank-cell-padding);
      border-bottom: 1px solid var(--bank-border);
    }
    table.stacked td {
      grid-column: 1;
      padding: 0;
      border: 0;
    }
    table.stacked td.amount {
      grid-column: 2;
    }
    table.stacked td[colspan] {
      grid-column: 1 / -1;
    }
    table.stacked td[data-label]::before {
      display: block;
      content: attr(data-label);
      color: var(--bank-muted);
      font-size: 0.8rem;
      font-weight: 400;
    }
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

/** A review's facts as a two-column list of terms and values (held transfers, disputes). */
export const factListStyles = css`
  dl {
    display: grid;
    grid-template-columns: max-content minmax(0, 1fr);
    gap: 0.25rem 0.75rem;
    margin: 0;
  }
  dt {
    color: var(--bank-muted);
  }
  dd {
    margin: 0;
    overflow-wrap: anywhere;
  }
`;

/** A question asked before acting ("Send $X to Bob B.?", "Save Bob B. as …?"): the boxed question and its buttons, and the disabled form behind it. */
export const confirmStepStyles = css`
  fieldset {
    border: 0;
    margin: 0;
    padding: 0;
    min-width: 0;
  }
  .confirm {
    border: 1px solid var(--bank-accent);
    border-radius: var(--bank-radius);
    background: var(--bank-surface-2);
    padding: 0.75rem 1rem;
    display: grid;
    gap: 0.6rem;
  }
  .confirm p {
    margin: 0;
  }
  .buttons {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
`;

/** A page of its own (`#/payees`, `#/scheduled`, `#/statements`, `#/security`): one centred column of cards. */
export const pageStyles = css`
  :host {
    display: grid;
    gap: var(--bank-gap);
    max-width: 56rem;
    margin: 0 auto;
  }
`;

/** A list of boxed items, one card per thing (held transfers, scheduled transfers): `<ul class="cards">`. */
export const cardListStyles = css`
  ul.cards {
    list-style: none;
    padding: 0;
    margin: 0;
    display: grid;
    gap: 0.6rem;
  }
  ul.cards > li {
    border: 1px solid var(--bank-border);
    border-radius: var(--bank-radius-control);
    padding: var(--bank-item-padding);
    overflow-wrap: anywhere;
    display: grid;
    gap: 0.35rem;
  }
  .amount {
    font-weight: 700;
    font-variant-numeric: tabular-nums;
  }
`;
