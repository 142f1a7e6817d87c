import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import type { StagePermissions, StageStatus } from '../../src/index.js';
import { define, StageElement } from '../shared/stage-element.js';
import { baseStyles } from '../shared/styles.js';
import type { StageStrings } from '../shared/strings.js';
import { controlsStyles } from './stage-controls.styles.js';

type Action = 'request' | 'join' | 'cancel' | 'decline' | 'leave';

interface Choice {
  action: Action;
  label: keyof StageStrings;
  kind: 'primary' | 'secondary';
}

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

  @state() private busy: { action: Action; index: number } | undefined;

  // StageBinding re-subscribes on re-attach without asking for an update, so an element
  // that was moved after its stage changed would keep showing the old state: ask here.
  override connectedCallback(): void {
    super.connectedCallback();
    if (this.hasUpdated) this.requestUpdate();
  }

  // When a status change removes the focused button (Decline, Cancel request), keyboard users
  // would be dropped on <body>: hand focus to the first action that is left instead.
  protected override update(changed: PropertyValues): void {
    const root = this.shadowRoot;
    const hadFocus = root?.activeElement instanceof HTMLButtonElement;
    super.update(changed);
    if (hadFocus && root && !root.activeElement) root.querySelector('button')?.focus();
  }

  protected override render() {
    if (!this.controller) return this.renderNotConnected();
    const choices = this.choices(this.status.value, this.permissions.value);
    const position = this.position.value;
    return html`<div part="base" class="controls">
        ${choices.map((c, i) => this.button(c, i))}
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

  private choices(status: StageStatus, p: StagePermissions | undefined): Choice[] {
    switch (status) {
      case 'OFF_STAGE':
        if (!p || !p.stageEnabled || p.stageAccess === 'NOT_ALLOWED') return [];
        return p.stageAccess === 'ALLOWED'
          ? [{ action: 'join', label: 'joinStage', kind: 'primary' }]
          : [{ action: 'request', label: 'requestToJoin', kind: 'primary' }];
      case 'REQUESTED_TO_JOIN_STAGE':
        return [{ action: 'cancel', label: 'cancelRequest', kind: 'secondary' }];
      case 'ACCEPTED_TO_JOIN_STAGE':
        return [
          { action: 'join', label: 'joinStage', kind: 'primary' },
          { action: 'decline', label: 'decline', kind: 'secondary' },
        ];
      case 'ON_STAGE':
        return [{ action: 'leave', label: 'leaveStage', kind: 'secondary' }];
    }
  }

  // One template for every button keeps the same <button> across status changes, so
  // keyboard focus stays where it was; busy buttons use aria-disabled for the same reason.
  // The pressed button is marked by its place: it is the same node (the one with focus) even
  // when the status changes under it while the command is in flight.
  private button(c: Choice, index: number): TemplateResult {
    const busy = this.busy !== undefined;
    return html`<button
      type="button"
      part="button ${c.kind}"
      class=${c.kind}
      aria-disabled=${busy ? 'true' : 'false'}
      aria-busy=${busy && this.busy?.index === index ? 'true' : 'false'}
      @click=${() => this.run(c.action, index)}
    >
      ${this.t(c.label)}
    </button>`;
  }

  private async run(action: Action, index: number): Promise<void> {
    const stage = this.controller;
    if (!stage || this.busy) return;
    this.error = '';
    this.busy = { action, index };
    try {
      switch (action) {
        case 'request':
          await stage.requestAccess();
          break;
        case 'join':
          // ALLOWED users go on stage in one click: the self-accept, then the join.
          if (stage.status === 'OFF_STAGE') await stage.requestAccess();
          await stage.join();
          break;
        case 'cancel':
          await stage.cancelRequestAccess();
          break;
        case 'decline':
        case 'leave':
          await stage.leave();
          break;
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.busy = undefined;
    }
  }
}

define('rtk-stage-controls', RtkStageControls);

declare global {
  interface HTMLElementTagNameMap {
    'rtk-stage-controls': RtkStageControls;
  }
}
