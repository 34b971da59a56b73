import { css } from 'lit';

export const notificationBellStyles = css`
  :host {
    display: inline-block;
    position: relative;
  }
  button.bell {
    position: relative;
    display: inline-flex;
    align-items: center;
    justify-content: center;
    min-width: 2.5rem;
    padding: 0.4rem 0.6rem;
    background: transparent;
    color: var(--bank-text);
    border-color: var(--bank-border);
  }
  button.bell svg {
    width: 1.25rem;
    height: 1.25rem;
  }
  .badge {
    position: absolute;
    top: -0.4rem;
    right: -0.4rem;
    min-width: 1.3rem;
    height: 1.3rem;
    padding: 0 0.3rem;
    border-radius: 999px;
    background: var(--bank-negative);
    color: #fff;
    font-size: 0.75rem;
    font-weight: 700;
    line-height: 1.3rem;
    text-align: center;
    font-variant-numeric: tabular-nums;
  }
  .panel {
    position: absolute;
    right: 0;
    top: calc(100% + 0.5rem);
    z-index: 10;
    width: min(24rem, calc(100vw - 2rem));
    max-height: 70vh;
    overflow: auto;
    background: var(--bank-surface);
    border: 1px solid var(--bank-border);
    border-radius: var(--bank-radius);
    box-shadow: var(--bank-shadow);
    padding: 0.75rem;
  }
  .head {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 0.5rem;
    margin-bottom: 0.5rem;
  }
  .head h2 {
    margin: 0;
    font-size: 1rem;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 0.4rem;
  }
  button.item {
    display: grid;
    gap: 0.15rem;
    width: 100%;
    text-align: left;
    background: transparent;
    color: var(--bank-text);
    border: 1px solid var(--bank-border);
    font-weight: 400;
    padding: 0.5rem 0.6rem;
  }
  button.item[data-unread] {
    border-left: 4px solid var(--bank-accent);
  }
  button.item[data-unread] .title {
    font-weight: 700;
  }
  .time {
    font-size: 0.8rem;
    color: var(--bank-muted);
  }
`;
