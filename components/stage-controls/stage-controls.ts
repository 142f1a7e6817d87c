import { html, nothing, type TemplateResult } from 'lit';
import type { StagePermissions, StageStatus } from '../../src/index.js';
import { define, StageElement } from '../shared/stage-element.js';
import { baseStyles } from '../shared/styles.js';
import type { StageStrings } from '../shared/strings.js';
import { controlsStyles } from './stage-controls.styles.js';

type Action = 'request' | 'join' | 'cancel' | 'decline' | 'leave';

const LABEL: Record<Action, keyof StageStrings> = {
  request: 'requestToJoin',
  join: 'joinStage',
  cancel: 'cancelRequest',
  decline: 'decline',
  leave: 'leaveStage',
};

/**
 * The local user's stage actions for its status: request, cancel, join, decline, leave.
 *
 * @summary Buttons for the local participant's stage actions.
 * @fires rtk-stage-error - A command failed; `detail` is the StageError.
 * @csspart base - The row of actions.
 * @csspart button - Every action button (also `primary` or `secondary`).
 * @csspart position - "You are #N in line" while the request waits.
 * @csspart error - The alert region showing the last failure.
 * @csspart not-connected - Shown when there is no stage.
 * @cssprop --rtk-stage-accent - Primary button colour.
 * @cssprop --rtk-stage-fg - Text colour.
 * @cssprop --rtk-stage-bg - Button background.
 * @cssprop --rtk-stage-danger - Error text colour.
 * @cssprop --rtk-stage-radius - Corner radius.
 */
export class RtkStageControls extends StageElement {
  static override styles = [baseStyles, controlsStyles];

  private readonly status = this.bind((s) => s.status$, 'OFF_STAGE' as StageStatus);
  private readonly position = this.bind((s) => s.position$, null as number | null);
  private readonly permissions = this.bind(
    (s) => s.permissions$,
    undefined as StagePermissions | undefined,
  );

  // A status change can remove the focused button (Decline, Cancel request): focus goes to
  // the action left in its place.
  protected override readonly focusItems = 'button';

  protected override render() {
    if (!this.controller) return this.renderNotConnected();
    const actions = this.actions(this.status.value, this.permissions.value);
    const position = this.position.value;
    return html`<div part="base" class="controls">
        ${actions.map((action, i) => this.button(action, i))}
        ${
          position !== null
            ? html`<p part="position" class="position">
                ${this.t('positionInLine', { n: position })}
              </p>`
            : nothing
        }
      </div>
      ${this.renderError()}`;
  }

  private actions(status: StageStatus, p: StagePermissions | undefined): Action[] {
    switch (status) {
      case 'OFF_STAGE':
        if (!p || !p.stageEnabled || p.stageAccess === 'NOT_ALLOWED') return [];
        return [p.stageAccess === 'ALLOWED' ? 'join' : 'request'];
      case 'REQUESTED_TO_JOIN_STAGE':
        return ['cancel'];
      case 'ACCEPTED_TO_JOIN_STAGE':
        return ['join', 'decline'];
      case 'ON_STAGE':
        return ['leave'];
    }
  }

  // One template for every button keeps the same <button> across status changes, so
  // keyboard focus stays where it was; busy buttons use aria-disabled for the same reason.
  // The pressed button is marked by its place: it is the same node (the one with focus) even
  // when the status changes under it while the command is in flight.
  private button(action: Action, index: number): TemplateResult {
    const kind = action === 'request' || action === 'join' ? 'primary' : 'secondary';
    return html`<button
      type="button"
      part="button ${kind}"
      class=${kind}
      aria-disabled=${this.pending.size > 0 ? 'true' : 'false'}
      aria-busy=${this.pending.has(index) ? 'true' : 'false'}
      @click=${() => this.run(action, index)}
    >
      ${this.t(LABEL[action])}
    </button>`;
  }

  private run(action: Action, index: number): void {
    const stage = this.controller;
    // One command at a time.
    if (!stage || this.pending.size > 0) return;
    void this.attempt(index, async () => {
      switch (action) {
        case 'request':
          return stage.requestAccess();
        case 'join':
          // ALLOWED users go on stage in one click: the self-accept, then the join.
          if (stage.status === 'OFF_STAGE') await stage.requestAccess();
          return stage.join();
        case 'cancel':
          return stage.cancelRequestAccess();
        case 'decline':
        case 'leave':
          return stage.leave();
      }
    });
  }
}

define('rtk-stage-controls', RtkStageControls);

declare global {
  interface HTMLElementTagNameMap {
    'rtk-stage-controls': RtkStageControls;
  }
}
