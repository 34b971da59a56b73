import { css } from 'lit';

export const disputedTransferReviewStyles = css`
  blockquote {
    margin: 0;
    padding-left: 0.6rem;
    border-left: 3px solid var(--bank-border);
    white-space: pre-wrap;
  }
`;
