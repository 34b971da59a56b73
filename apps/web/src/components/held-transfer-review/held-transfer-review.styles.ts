import { css } from 'lit';

export const heldTransferReviewStyles = css`
  .amount {
    font-weight: 700;
    font-variant-numeric: tabular-nums;
  }
  h3 {
    font-size: 1rem;
    margin: 0.75rem 0 0.25rem;
  }
  table {
    font-size: 0.9rem;
  }
  th,
  td {
    padding: 0.3rem;
  }
`;
