import { css } from 'lit';

export const securityPageStyles = css`
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    margin-top: 0.75rem;
  }
  .this-device {
    display: inline-block;
    margin-left: 0.4rem;
    padding: 0 0.45rem;
    border-radius: 999px;
    background: var(--bank-accent);
    color: var(--bank-accent-text);
    font-size: 0.75rem;
    font-weight: 700;
  }
  .device {
    overflow-wrap: anywhere;
  }
  form {
    display: grid;
    gap: 0.5rem;
    max-width: 28rem;
  }
`;
