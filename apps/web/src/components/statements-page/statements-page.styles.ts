import { css } from 'lit';

export const statementsPageStyles = css`
  label.account {
    display: grid;
    gap: 0.25rem;
    max-width: 28rem;
  }
  select {
    font: inherit;
    min-height: var(--bank-control-height);
    border-radius: var(--bank-radius-control);
    border: 1px solid var(--bank-border);
    background: var(--bank-surface);
    color: var(--bank-text);
    padding: 0 0.5rem;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  li {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: 0.5rem;
    padding: 0.6rem 0;
    border-bottom: 1px solid var(--bank-border);
  }
  li:last-child {
    border-bottom: none;
  }
  .month {
    font-weight: 600;
  }
  .to-date {
    margin-left: 0.4rem;
    font-weight: 400;
  }
  .downloads {
    display: flex;
    gap: 0.5rem;
  }
`;
