import { html, nothing, type TemplateResult } from 'lit';
import { isPrivileged, type StageParticipant, type StagePermissions } from '../../src/index.js';
import { define, StageElement } from '../shared/stage-element.js';
import { baseStyles } from '../shared/styles.js';
import { listStyles } from './stage-list.styles.js';

const EMPTY: readonly StageParticipant[] = Object.freeze([]);

/** On stage, or accepted and not joined yet: the rows of the list. */
const isSeated = (p: StageParticipant) =>
  p.status === 'ON_STAGE' || p.status === 'ACCEPTED_TO_JOIN_STAGE';

/**
 * Who is on the stage, and who was accepted but has not joined yet. Privileged users
 * (`acceptStageRequests`) get a "Remove NAME from stage" button on every other row.
 *
 * @summary The participants on stage (and accepted, not yet joined), with Remove for hosts.
 * @fires rtk-stage-error - A removal failed; `detail` is the StageError.
 * @csspart base - The wrapper around the list, the empty state and the alert region.
 * @csspart list - The list of participants (`role="list"`, named by `strings.listLabel`).
 * @csspart row - One participant (also `row-on` or `row-accepted`).
 * @csspart name - The participant's display name.
 * @csspart state - "on stage" or "accepted, not joined yet".
 * @csspart button - Every button (the Remove buttons).
 * @csspart remove - The "Remove NAME from stage" button.
 * @csspart empty - Shown when nobody is on stage.
 * @csspart error - The alert region showing the last failure.
 * @csspart not-connected - Shown when there is no stage.
 * @cssprop --rtk-stage-fg - Text colour.
 * @cssprop --rtk-stage-bg - Row and button background.
 * @cssprop --rtk-stage-muted - Colour of the state text and the empty state.
 * @cssprop --rtk-stage-border - Row and button border colour.
 * @cssprop --rtk-stage-danger - Remove button and error text colour.
 * @cssprop --rtk-stage-accent - Focus ring colour.
 * @cssprop --rtk-stage-radius - Corner radius.
 * @cssprop --rtk-stage-gap - Space between items.
 * @cssprop --rtk-stage-font - Font.
 * @cssprop --rtk-stage-list-row-bg - Row background (defaults to --rtk-stage-bg).
 * @cssprop --rtk-stage-list-row-gap - Space between rows.
 * @cssprop --rtk-stage-list-row-padding - Padding inside a row.
 */
export class RtkStageList extends StageElement {
  static override styles = [baseStyles, listStyles];

  private readonly participants = this.bind((s) => s.participants$, EMPTY);
  private readonly permissions = this.bind(
    (s) => s.permissions$,
    undefined as StagePermissions | undefined,
  );

  // A row that goes takes its Remove button with it: focus goes to the button now in its
  // place, or to the list when none is left.
  protected override readonly focusItems = 'button';

  private get privileged(): boolean {
    const p = this.permissions.value;
    return p !== undefined && isPrivileged(p);
  }

  // role="list" stays explicit: Safari drops list semantics from a <ul> with list-style: none.
  /* eslint-disable lit-a11y/no-redundant-role */
  protected override render() {
    const stage = this.controller;
    if (!stage) return this.renderNotConnected();
    const rows = this.participants.value.filter(isSeated);
    const canRemove = this.privileged;
    return html`<div part="base" class="base" tabindex="-1">
      ${
        rows.length === 0
          ? html`<p part="empty" class="empty">${this.t('listEmpty')}</p>`
          : html`<ul part="list" class="list" role="list" aria-label=${this.t('listLabel')}>
              ${rows.map((p) => this.row(p, canRemove && p.userId !== stage.userId))}
            </ul>`
      }
      ${this.renderError()}
    </div>`;
  }
  /* eslint-enable lit-a11y/no-redundant-role */

  private row(p: StageParticipant, canRemove: boolean): TemplateResult {
    const on = p.status === 'ON_STAGE';
    const busy = this.pending.has(p.userId);
    return html`<li
      part="row ${on ? 'row-on' : 'row-accepted'}"
      class="row"
      data-status=${p.status}
    >
      <span part="name" class="name">${p.displayName}</span>
      <span part="state" class="state">${this.t(on ? 'onStage' : 'acceptedNotJoined')}</span>
      ${
        canRemove
          ? html`<button
              type="button"
              part="button remove"
              class="danger"
              data-key=${p.userId}
              aria-disabled=${busy ? 'true' : 'false'}
              aria-busy=${busy ? 'true' : 'false'}
              @click=${() => this.kick(p.userId)}
            >
              ${this.t('remove', { name: p.displayName })}
            </button>`
          : nothing
      }
    </li>`;
  }

  private kick(userId: string): void {
    const stage = this.controller;
    if (stage) void this.attempt(userId, () => stage.kick([userId]));
  }
}

define('rtk-stage-list', RtkStageList);

declare global {
  interface HTMLElementTagNameMap {
    'rtk-stage-list': RtkStageList;
  }
}
