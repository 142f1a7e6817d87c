import { css } from 'lit';

export const notificationsStyles = css`
  .log {
    display: flex;
    flex-direction: column;
    gap: var(--_gap);
  }
  .log:focus {
    outline: none;
  }
  .notice {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_gap);
    padding: var(--rtk-stage-notice-padding, 8px 12px);
    color: var(--_fg);
    background: var(--rtk-stage-notice-bg, var(--_bg));
    border: 1px solid var(--_border);
    border-left: 4px solid var(--rtk-stage-notice-accent, var(--_accent));
    border-radius: var(--_radius);
    box-shadow: var(--rtk-stage-notice-shadow, 0 2px 6px rgb(0 0 0 / 12%));
  }
  .notice[data-kind='declined'],
  .notice[data-kind='removed'],
  .notice[data-kind='expired'] {
    border-left-color: var(--_danger);
  }
  .message {
    margin: 0;
    flex: 1 1 12em;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_gap);
  }
`;
