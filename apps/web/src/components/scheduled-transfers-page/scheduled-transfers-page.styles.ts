import { css } from 'lit';

export const scheduledTransfersPageStyles = css`
  .row {
    display: grid;
    gap: 0.85rem;
    grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr));
  }
  select,
  input {
    width: 100%;
    box-sizing: border-box;
  }
  .preview {
    border: 1px solid var(--bank-border);
    border-radius: var(--bank-radius-control);
    padding: 0.5rem 0.75rem;
  }
  .preview ol {
    margin: 0.25rem 0 0;
    padding-left: 1.25rem;
  }
  ul.schedules > li[data-status='active'] {
    border-left: 4px solid var(--bank-accent);
  }
  .head {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    justify-content: space-between;
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  th,
  td {
    text-align: left;
    padding: 0.2rem 0.4rem;
    border-top: 1px solid var(--bank-border);
  }
  .actions {
    display: flex;
    justify-content: flex-end;
  }
`;
