import { css } from 'lit';

/**
 * Tokens and controls shared by every element. Public custom properties:
 * --rtk-stage-font, --rtk-stage-fg, --rtk-stage-bg, --rtk-stage-muted, --rtk-stage-border,
 * --rtk-stage-accent, --rtk-stage-accent-fg, --rtk-stage-danger, --rtk-stage-radius,
 * --rtk-stage-gap. Light and dark follow `prefers-color-scheme`.
 */
export const baseStyles = css`
  :host {
    --_fg: var(--rtk-stage-fg, #1b1f24);
    --_bg: var(--rtk-stage-bg, #ffffff);
    --_muted: var(--rtk-stage-muted, #57606a);
    --_border: var(--rtk-stage-border, #d0d7de);
    --_accent: var(--rtk-stage-accent, #1f5fd1);
    --_accent-fg: var(--rtk-stage-accent-fg, #ffffff);
    --_danger: var(--rtk-stage-danger, #b42318);
    --_radius: var(--rtk-stage-radius, 8px);
    --_gap: var(--rtk-stage-gap, 8px);
    display: block;
    color: var(--_fg);
    font: var(--rtk-stage-font, 14px/1.4 system-ui, sans-serif);
  }
  @media (prefers-color-scheme: dark) {
    :host {
      --_fg: var(--rtk-stage-fg, #e6edf3);
      --_bg: var(--rtk-stage-bg, #161b22);
      --_muted: var(--rtk-stage-muted, #9da7b3);
      --_border: var(--rtk-stage-border, #3d444d);
      --_accent: var(--rtk-stage-accent, #4c8dff);
      --_accent-fg: var(--rtk-stage-accent-fg, #0d1117);
      --_danger: var(--rtk-stage-danger, #ff7b72);
    }
  }
  :host([hidden]) {
    display: none;
  }
  button {
    font: inherit;
    color: var(--_fg);
    background: var(--_bg);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 6px 12px;
    min-height: 32px;
    cursor: pointer;
  }
  button.primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_accent-fg);
  }
  button.danger {
    color: var(--_danger);
  }
  button:focus-visible,
  [tabindex]:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  button[aria-disabled='true'] {
    cursor: progress;
    opacity: 0.65;
  }
  .not-connected,
  .empty {
    color: var(--_muted);
    margin: 0;
  }
  .alert {
    color: var(--_danger);
    margin: var(--_gap) 0 0;
  }
  /* The alert region stays in the DOM and the accessibility tree (screen readers watch it,
     so never display: none) but takes no room when empty. */
  .alert:empty {
    margin: 0;
  }
`;
