import { css } from 'lit';

export const queueStyles = css`
  :host {
    --_row: var(--rtk-stage-row-height, 48px);
  }
  .header {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: var(--_gap);
    margin-bottom: var(--_gap);
  }
  .count {
    font-weight: 600;
  }
  .bulk {
    display: flex;
    gap: var(--_gap);
  }
  .viewport {
    position: relative;
    max-height: var(--rtk-stage-queue-height, 320px);
    overflow-y: auto;
    overscroll-behavior: contain;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_bg);
  }
  /* Its height is set from the queue's length; rows are placed absolutely inside it (strict
     containment makes it their containing block). */
  .list {
    contain: strict;
  }
  .row {
    position: absolute;
    top: 0;
    left: 0;
    right: 0;
    height: var(--_row);
    box-sizing: border-box;
    display: flex;
    align-items: center;
    gap: var(--_gap);
    padding: 0 var(--_gap);
    border-bottom: 1px solid var(--_border);
    /* A row's size never depends on its content: changing one lays out only that row. */
    contain: strict;
  }
  .row:focus-visible {
    outline-offset: -2px;
  }
  .position,
  .waiting {
    flex: none;
    color: var(--_muted);
    font-variant-numeric: tabular-nums;
    white-space: nowrap;
  }
  .position {
    min-width: 3.5em;
  }
  /* Rows never wrap: long names are cut with an ellipsis (the full text stays accessible). */
  .name,
  .actions button {
    min-width: 0;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  /* The name takes the room the buttons leave, and never less than 4em. */
  .name {
    flex: 1 1 0;
    min-width: 4em;
  }
  .actions {
    min-width: 0;
    display: flex;
    gap: 4px;
  }
  .actions button {
    max-width: 12em;
  }
  /* Measures one row's height in pixels, whatever unit --rtk-stage-row-height uses, to know
     which rows the viewport shows. */
  .sizer {
    position: absolute;
    height: var(--_row);
    visibility: hidden;
  }
  .empty {
    padding: var(--_gap) 0;
  }
`;
