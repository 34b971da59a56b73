import { css } from 'lit';

export const transferDisputeStyles = css`
  :host {
    display: block;
  }
  form {
    display: grid;
    gap: 0.5rem;
    margin: 0;
  }
  textarea {
    min-height: 4.5rem;
    resize: vertical;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
`;
