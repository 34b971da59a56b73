import { css } from 'lit';

export const payeesPageStyles = css`
  .fields {
    display: grid;
    gap: 0.85rem;
    grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr));
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
