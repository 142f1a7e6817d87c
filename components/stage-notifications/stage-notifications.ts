import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { Observable } from 'rxjs';
import type { StageController, StageRequest } from '../../src/index.js';
import { define, StageElement } from '../shared/stage-element.js';
import type { StageStrings } from '../shared/strings.js';
import { baseStyles } from '../shared/styles.js';
import { notificationsStyles } from './stage-notifications.styles.js';

type SelfKind = 'approved' | 'invited' | 'declined' | 'removed' | 'expired';

/** One notice: a request for hosts, or news about the local user's own request. */
type Notice =
  | {
      readonly id: number;
      readonly kind: 'request';
      readonly userId: string;
      readonly name: string;
    }
  | { readonly id: number; readonly kind: SelfKind };

type Action = 'approve' | 'deny' | 'join';

const TEXT: Record<SelfKind, keyof StageStrings> = {
  approved: 'approvedJoinNow',
  invited: 'invitedJoinNow',
  declined: 'requestDeclined',
  removed: 'removedFromStage',
  expired: 'requestExpired',
};

const NO_REQUESTS: readonly StageRequest[] = Object.freeze([]);

/**
 * Transient notices about the stage. Hosts (`acceptStageRequests`) see "NAME asked to join
 * the stage" with Approve and Deny; the local user sees that its request was approved (with
 * "Join now"), declined or expired, or that it was removed from the stage. Notices leave on
 * their own after `duration` ms (not while the pointer or keyboard focus is on them), at most
 * `max` are shown, and a request handled elsewhere takes its notice with it.
 *
 * @summary Transient, actionable stage notices in a polite live region.
 * @fires rtk-stage-error - Approve, Deny or Join now failed; `detail` is the StageError.
 * @csspart base - The live region (`role="log"`) holding the notices.
 * @csspart notice - One notice (also `notice-request`, `notice-approved`, `notice-invited`,
 *   `notice-declined`, `notice-removed` or `notice-expired`).
 * @csspart message - The notice's text.
 * @csspart actions - The notice's buttons.
 * @csspart button - Every button.
 * @csspart approve - "Approve NAME".
 * @csspart deny - "Deny NAME".
 * @csspart join - "Join now".
 * @csspart dismiss - "Dismiss".
 * @csspart error - The alert region showing the last failure.
 * @csspart not-connected - Shown when there is no stage.
 * @cssprop --rtk-stage-fg - Text colour.
 * @cssprop --rtk-stage-bg - Notice and button background.
 * @cssprop --rtk-stage-border - Notice and button border colour.
 * @cssprop --rtk-stage-accent - Primary button colour, notice edge and focus ring.
 * @cssprop --rtk-stage-accent-fg - Primary button text colour.
 * @cssprop --rtk-stage-danger - Error text and the edge of bad-news notices.
 * @cssprop --rtk-stage-radius - Corner radius.
 * @cssprop --rtk-stage-gap - Space between items.
 * @cssprop --rtk-stage-font - Font.
 * @cssprop --rtk-stage-notice-bg - Notice background (defaults to --rtk-stage-bg).
 * @cssprop --rtk-stage-notice-accent - The coloured edge of a notice.
 * @cssprop --rtk-stage-notice-padding - Padding inside a notice.
 * @cssprop --rtk-stage-notice-shadow - A notice's shadow.
 */
export class RtkStageNotifications extends StageElement {
  static override styles = [baseStyles, notificationsStyles];

  /** How long a notice stays, in ms; 0 keeps notices until dismissed. */
  @property({ type: Number }) duration = 8000;

  /** The most notices shown at once; older ones leave first. */
  @property({ type: Number }) max = 5;

  @state() private notices: readonly Notice[] = [];
  // A notice that held keyboard focus went away: focus goes to the first button of the one
  // now in its place.
  protected override readonly focusItems = '.notice';

  // Both subscriptions live only while the element is connected, and follow stage changes.
  // The events come through `on()`, not `events$`: listening to `events$` makes the
  // controller build the whole queue for every `stageAccessRequestUpdate` (quadratic when
  // thousands of requests arrive).
  private readonly events = this.bind(
    (stage) =>
      new Observable<never>(() => {
        const offs = [
          stage.on('newStageRequest', ({ request }) => this.addRequest(request, stage)),
          stage.on('stageRequestApproved', ({ invited }) =>
            this.addSelf(invited ? 'invited' : 'approved'),
          ),
          stage.on('stageRequestRejected', () => this.addSelf('declined')),
          stage.on('removedFromStage', () => this.addSelf('removed')),
          stage.on('stageRequestExpired', () => this.addSelf('expired')),
          stage.on('stageStatusUpdate', (status) => {
            // "Join now" only while the local user is accepted.
            if (status !== 'ACCEPTED_TO_JOIN_STAGE') {
              this.dropWhere((n) => n.kind === 'approved' || n.kind === 'invited');
            }
          }),
        ];
        return () => {
          for (const off of offs) off();
        };
      }),
    undefined,
  );
  private readonly queue = this.bind((s) => s.requests$, NO_REQUESTS);
  /** The queue the request notices were last checked against. */
  private prunedWith = NO_REQUESTS;

  private nextId = 1;
  private shownStage: StageController | undefined;
  private readonly timers = new Map<number, ReturnType<typeof setTimeout>>();
  /** Notices whose time is up while the user points at or focuses the notices. */
  private readonly overdue = new Set<number>();

  constructor() {
    super();
    const release = () => setTimeout(() => this.releaseOverdue(), 0);
    this.addEventListener('focusout', release);
    this.addEventListener('pointerleave', release);
  }

  // Timers stop while the element is out of the DOM; they start again with the render its
  // bindings ask for when it comes back.
  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopTimers();
    this.overdue.clear();
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    // Another stage: what was shown belongs to the old one.
    if (this.controller !== this.shownStage) {
      if (this.shownStage) {
        this.notices = [];
        this.error = '';
      }
      this.shownStage = this.controller;
    }
    const requests = this.queue.value;
    if (requests !== this.prunedWith) {
      this.prunedWith = requests;
      this.prune(requests);
    }
    this.notices = this.newest(this.notices);
  }

  protected override render() {
    if (!this.controller) return this.renderNotConnected();
    return html`<div
        part="base"
        class="log"
        role="log"
        aria-live="polite"
        aria-label=${this.t('notificationsLabel')}
        tabindex="-1"
      >
        ${this.notices.map((n) => this.notice(n))}
      </div>
      ${this.renderError()}`;
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    this.syncTimers(changed.has('duration'));
  }

  private notice(n: Notice): TemplateResult {
    const id = `notice-${n.id}`;
    const text =
      n.kind === 'request' ? this.t('askedToJoin', { name: n.name }) : this.t(TEXT[n.kind]);
    return html`<div
      part="notice notice-${n.kind}"
      class="notice"
      role="group"
      aria-labelledby=${id}
      data-kind=${n.kind}
      data-key=${n.id}
    >
      <p part="message" class="message" id=${id}>${text}</p>
      <div part="actions" class="actions">
        ${
          n.kind === 'request'
            ? html`${this.action(n, 'approve', 'primary', this.t('approve', { name: n.name }))}
              ${this.action(n, 'deny', '', this.t('deny', { name: n.name }))}`
            : n.kind === 'approved' || n.kind === 'invited'
              ? this.action(n, 'join', 'primary', this.t('joinNow'))
              : nothing
        }
        <button
          type="button"
          part="button dismiss"
          aria-describedby=${id}
          @click=${() => this.drop(n.id)}
        >
          ${this.t('dismiss')}
        </button>
      </div>
    </div>`;
  }

  private action(n: Notice, action: Action, kind: string, label: string): TemplateResult {
    const busy = this.pending.has(n.id);
    return html`<button
      type="button"
      part="button ${action}"
      class=${kind}
      aria-disabled=${busy ? 'true' : 'false'}
      aria-busy=${busy ? 'true' : 'false'}
      @click=${() => this.run(n, action)}
    >
      ${label}
    </button>`;
  }

  /** A host's notice of someone else's request; a newer request replaces its notice. */
  private addRequest({ userId, displayName }: StageRequest, stage: StageController): void {
    if (userId === stage.userId) return;
    this.add(
      { id: this.nextId++, kind: 'request', userId, name: displayName },
      (n) => n.kind === 'request' && n.userId === userId,
    );
  }

  /** News about the local user replaces older news about it. */
  private addSelf(kind: SelfKind): void {
    this.add({ id: this.nextId++, kind }, (n) => n.kind !== 'request');
  }

  private add(notice: Notice, replaces: (n: Notice) => boolean): void {
    this.notices = this.newest([...this.notices.filter((n) => !replaces(n)), notice]);
  }

  /** A request that left the queue (granted, denied, cancelled, expired) takes its notice. */
  private prune(requests: readonly StageRequest[]): void {
    const shown = new Set<string>();
    for (const n of this.notices) if (n.kind === 'request') shown.add(n.userId);
    if (shown.size === 0) return;
    // Notices are for the newest requests, at the end of the queue: look there first.
    const present = new Set<string>();
    for (let i = requests.length - 1; i >= 0 && present.size < shown.size; i--) {
      const userId = requests[i]!.userId;
      if (shown.has(userId)) present.add(userId);
    }
    if (present.size < shown.size) {
      this.dropWhere((n) => n.kind === 'request' && !present.has(n.userId));
    }
  }

  private dropWhere(test: (n: Notice) => boolean): void {
    if (this.notices.some(test)) this.notices = this.notices.filter((n) => !test(n));
  }

  private drop(id: number): void {
    this.dropWhere((n) => n.id === id);
  }

  private async run(notice: Notice, action: Action): Promise<void> {
    const stage = this.controller;
    if (!stage) return;
    const done = await this.attempt(notice.id, async () => {
      if (action === 'join') return stage.join();
      if (notice.kind !== 'request') return;
      const ids = [notice.userId];
      return action === 'approve' ? stage.grantAccess(ids) : stage.denyAccess(ids);
    });
    if (done) this.drop(notice.id);
  }

  /** The newest `max` notices: older ones leave first. */
  private newest(notices: readonly Notice[]): readonly Notice[] {
    const max = Number(this.max);
    const limit = Number.isFinite(max) ? Math.max(0, Math.floor(max)) : 5;
    return notices.length > limit ? notices.slice(notices.length - limit) : notices;
  }

  /**
   * One timer per shown notice; none while disconnected or when `duration` is 0. A timer
   * may outlive its notice (dismissed, replaced): dropping a notice that is gone does nothing.
   */
  private syncTimers(restart: boolean): void {
    if (restart) this.stopTimers();
    const duration = Number(this.duration);
    if (!this.isConnected || !(duration > 0)) return;
    for (const { id } of this.notices) {
      if (this.timers.has(id) || this.overdue.has(id)) continue;
      this.timers.set(
        id,
        setTimeout(() => this.expire(id), duration),
      );
    }
  }

  private stopTimers(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private expire(id: number): void {
    this.timers.delete(id);
    if (this.held()) this.overdue.add(id);
    else this.drop(id);
  }

  /** The user is reading or operating the notices: let nothing vanish under them. */
  private held(): boolean {
    return this.matches(':hover') || this.matches(':focus-within');
  }

  private releaseOverdue(): void {
    if (this.overdue.size === 0 || this.held()) return;
    this.dropWhere((n) => this.overdue.has(n.id));
    this.overdue.clear();
  }
}

define('rtk-stage-notifications', RtkStageNotifications);

declare global {
  interface HTMLElementTagNameMap {
    'rtk-stage-notifications': RtkStageNotifications;
  }
}
