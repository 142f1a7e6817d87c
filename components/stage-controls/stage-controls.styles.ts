import { css } from 'lit';

export const controlsStyles = css`
  .controls {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gap);
  }
  /* The alert region stays in the DOM (screen readers watch it) but takes no room when empty. */
  .alert:empty {
    margin: 0;
  }
  .position {
    margin: 0;
    color: var(--_muted);
  }
`;
