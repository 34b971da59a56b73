import { css } from 'lit';

export const disputedTransferReviewStyles = css`
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
  blockquote {
    margin: 0;
    padding-left: 0.6rem;
    border-left: 3px solid var(--bank-border);
    white-space: pre-wrap;
  }
`;
