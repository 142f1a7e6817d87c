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
 * @csspart base - The status text.
 * @csspart not-connected - Shown when there is no stage.
 * @cssprop --rtk-stage-fg - Text colour.
 * @cssprop --rtk-stage-font - Font.
 */
export class RtkStageStatus extends StageElement {
  static override styles = [
    baseStyles,
    css`
      p {
        margin: 0;
      }
    `,
  ];

  private readonly status = this.bind((s) => s.status$, 'OFF_STAGE' as StageStatus);
  private readonly position = this.bind((s) => s.position$, null as number | null);

  protected override render() {
    if (!this.controller) return this.renderNotConnected();
    const position = this.position.value;
    const text = this.t(TEXT[this.status.value]);
    return html`<p part="base" role="status" data-status=${this.status.value}>
      ${position === null ? text : `${text}. ${this.t('positionInLine', { n: position })}`}
    </p>`;
  }
}

define('rtk-stage-status', RtkStageStatus);

declare global {
  interface HTMLElementTagNameMap {
    'rtk-stage-status': RtkStageStatus;
  }
}
