import { css, html } from 'lit';
import type { StageStatus } from '../../src/index.js';
import { define, StageElement } from '../shared/stage-element.js';
import { baseStyles } from '../shared/styles.js';
import type { StageStrings } from '../shared/strings.js';

const TEXT: Record<StageStatus, keyof StageStrings> = {
  OFF_STAGE: 'statusOff',
  REQUESTED_TO_JOIN_STAGE: 'statusRequested',
  ACCEPTED_TO_JOIN_STAGE: 'statusAccepted',
  ON_STAGE: 'statusOn',
};

/**
 * The local user's stage status as text, announced politely to screen readers.
 *
 * @summary The local participant's stage status.
 * @csspart base - The status line (`role="status"`, with `data-status` set to the status).
 * @csspart indicator - The coloured dot before the text (hidden from screen readers).
 * @csspart not-connected - Shown when there is no stage.
 * @cssprop --rtk-stage-fg - Text colour.
 * @cssprop --rtk-stage-font - Font.
 * @cssprop --rtk-stage-muted - The dot while off stage.
 * @cssprop --rtk-stage-pending - The dot while the request waits (amber by default).
 * @cssprop --rtk-stage-accent - The dot once accepted.
 * @cssprop --rtk-stage-live - The dot while on stage (green by default).
 */
export class RtkStageStatus extends StageElement {
  static override styles = [
    baseStyles,
    css`
      :host {
        --_pending: var(--rtk-stage-pending, #9a6700);
        --_live: var(--rtk-stage-live, #1a7f37);
      }
      @media (prefers-color-scheme: dark) {
        :host {
          --_pending: var(--rtk-stage-pending, #d29922);
          --_live: var(--rtk-stage-live, #3fb950);
        }
      }
      .status {
        display: flex;
        align-items: baseline;
        gap: 0.5em;
        margin: 0;
      }
      .indicator {
        flex: none;
        width: 0.6em;
        height: 0.6em;
        border-radius: 50%;
        background: var(--_muted);
        transform: translateY(-0.05em);
      }
      [data-status='REQUESTED_TO_JOIN_STAGE'] .indicator {
        background: var(--_pending);
      }
      [data-status='ACCEPTED_TO_JOIN_STAGE'] .indicator {
        background: var(--_accent);
      }
      [data-status='ON_STAGE'] .indicator {
        background: var(--_live);
        box-shadow: 0 0 0 3px color-mix(in srgb, var(--_live) 25%, transparent);
      }
    `,
  ];

  private readonly status = this.bind((s) => s.status$, 'OFF_STAGE' as StageStatus);
  private readonly position = this.bind((s) => s.position$, null as number | null);

  protected override render() {
    if (!this.controller) return this.renderNotConnected();
    const position = this.position.value;
    const text = this.t(TEXT[this.status.value]);
    return html`<p part="base" class="status" role="status" data-status=${this.status.value}>
      <span part="indicator" class="indicator" aria-hidden="true"></span>
      <span>
        ${position === null ? text : `${text}. ${this.t('positionInLine', { n: position })}`}
      </span>
    </p>`;
  }
}

define('rtk-stage-status', RtkStageStatus);

declare global {
  interface HTMLElementTagNameMap {
    'rtk-stage-status': RtkStageStatus;
  }
}
