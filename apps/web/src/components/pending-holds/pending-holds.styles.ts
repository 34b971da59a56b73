import { css } from 'lit';

export const pendingHoldsStyles = css`
  ul {
    list-style: none;
    padding: 0;
    margin: 0;
    display: grid;
    gap: 0.6rem;
  }
  li {
    border: 1px solid var(--bank-border);
    border-radius: var(--bank-radius-control);
    padding: var(--bank-item-padding);
    overflow-wrap: anywhere;
    display: grid;
    gap: 0.35rem;
  }
  li[data-status='pending'] {
    border-left: 4px solid var(--bank-warning);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    justify-content: space-between;
  }
  .amount {
    font-weight: 700;
    font-variant-numeric: tabular-nums;
  }
  .status {
    font-weight: 700;
  }
  .actions {
    display: flex;
    justify-content: flex-end;
  }
`;
