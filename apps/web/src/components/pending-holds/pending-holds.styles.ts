import { css } from 'lit';

export const pendingHoldsStyles = css`
  ul.cards > li[data-status='pending'] {
    border-left: 4px solid var(--bank-warning);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    justify-content: space-between;
  }
  .status {
    font-weight: 700;
  }
  .actions {
    display: flex;
    justify-content: flex-end;
  }
`;
