import { css } from 'lit';

export const payeesPageStyles = css`
  :host {
    display: grid;
    gap: var(--bank-gap);
    max-width: 56rem;
    margin: 0 auto;
  }
  .fields {
    display: grid;
    gap: 0.85rem;
    grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr));
  }
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
  td.nickname {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  td.actions {
    text-align: right;
  }
  td.actions .buttons {
    justify-content: flex-end;
  }
`;
