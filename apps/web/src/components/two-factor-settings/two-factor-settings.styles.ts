import { css } from 'lit';

export const twoFactorSettingsStyles = css`
  .qr {
    display: block;
    width: 12rem;
    height: 12rem;
    background: #fff;
    border-radius: var(--bank-radius);
    margin: 0.5rem 0;
  }
  .secret {
    font-family: var(--bank-mono);
    word-break: break-all;
    user-select: all;
  }
  .codes {
    display: grid;
    grid-template-columns: repeat(2, max-content);
    gap: 0.25rem 1.5rem;
    padding: 0;
    list-style: none;
    font-family: var(--bank-mono);
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
  }
`;
