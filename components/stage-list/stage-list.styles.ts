import { css } from 'lit';

export const listStyles = css`
  .base {
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
  }
  .base:focus {
    outline: none;
  }
  .list {
    list-style: none;
    margin: 0;
    padding: 0;
    display: flex;
    flex-direction: column;
    gap: var(--rtk-stage-list-row-gap, 4px);
  }
  .row {
    display: flex;
    align-items: center;
    flex-wrap: wrap;
    gap: var(--_gap);
    padding: var(--rtk-stage-list-row-padding, 6px 8px);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--rtk-stage-list-row-bg, var(--_bg));
  }
  .name {
    font-weight: 600;
  }
  .state {
    color: var(--_muted);
    flex: 1;
  }
  .row[data-status='ACCEPTED_TO_JOIN_STAGE'] .state {
    font-style: italic;
  }
`;
