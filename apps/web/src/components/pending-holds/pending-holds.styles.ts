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
    border-radius: 8px;
    padding: 0.6rem 0.75rem;
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
