import { css } from 'lit';

export const controlsStyles = css`
  .controls {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gap);
  }
  .position {
    margin: 0;
    color: var(--_muted);
  }
`;
