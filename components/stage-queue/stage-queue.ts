import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import {
  MAX_BULK_IDS,
  StageError,
  type StageBulkResult,
  type StagePermissions,
  type StageRequest,
} from '../../src/index.js';
import { define, firstFailure, StageElement } from '../shared/stage-element.js';
import { defaultStrings, formatWaiting, type StageStrings } from '../shared/strings.js';
import { baseStyles } from '../shared/styles.js';
import { queueStyles } from './stage-queue.styles.js';

type RowAction = 'approve' | 'deny';
type BulkAction = 'approveAll' | 'denyAll';

/** Rows rendered above and below the visible ones, so fast scrolling shows no gaps. */
const OVERSCAN = 4;
/** Used until the first layout tells the real sizes. */
const GUESS_ROW_HEIGHT = 48;
const GUESS_VIEWPORT_HEIGHT = 320; // the default --rtk-stage-queue-height
const NO_REQUESTS: readonly StageRequest[] = Object.freeze([]);

/** What can have focus inside a row: the row itself, then its Approve and Deny buttons. */
function focusables(row: Element): HTMLElement[] {
  return [row as HTMLElement, ...row.querySelectorAll('button')];
}

/**
 * The pending requests to join the stage, in queue order, for hosts and moderators: name,
 * place and waiting time per row, with "Approve NAME" / "Deny NAME", and "Approve all" /
 * "Deny all" above. Only the visible rows are rendered, so 10,000 requests stay fast. The
 * list takes one Tab stop; ArrowUp/ArrowDown, PageUp/PageDown, Home and End move between
 * rows. Waiting times refresh once a second without re-rendering. Users who may not accept
 * requests see nothing.
 *
 * @summary The stage request queue with approve and deny actions.
 * @fires rtk-stage-error - A command failed, or some users of a command could not be changed; `detail` is a StageError.
 * @csspart base - Everything the element shows.
 * @csspart header - The count and the bulk actions.
 * @csspart count - "N waiting".
 * @csspart bulk-actions - The "Approve all" / "Deny all" buttons.
 * @csspart button - Every button (also `approve`, `deny`, `approve-all` or `deny-all`).
 * @csspart approve - A row's "Approve NAME" button.
 * @csspart deny - A row's "Deny NAME" button.
 * @csspart approve-all - The "Approve all" button.
 * @csspart deny-all - The "Deny all" button.
 * @csspart viewport - The scrolling box around the list.
 * @csspart list - The list of requests.
 * @csspart row - One request.
 * @csspart position - A row's place in the queue.
 * @csspart name - A row's display name.
 * @csspart waiting - A row's waiting time (a `<time>`).
 * @csspart empty - Shown when nobody is waiting.
 * @csspart error - The alert region showing the last failure.
 * @csspart not-connected - Shown when there is no stage.
 * @cssprop --rtk-stage-queue-height - Maximum height of the scrolling list (default 320px).
 * @cssprop --rtk-stage-row-height - Height of every row (default 48px); rows never wrap.
 * @cssprop --rtk-stage-accent - Approve button colour.
 * @cssprop --rtk-stage-danger - Deny button and error text colour.
 * @cssprop --rtk-stage-fg - Text colour.
 * @cssprop --rtk-stage-bg - List and button background.
 * @cssprop --rtk-stage-muted - Position, waiting time and empty text colour.
 * @cssprop --rtk-stage-border - Borders.
 * @cssprop --rtk-stage-radius - Corner radius.
 * @cssprop --rtk-stage-gap - Spacing.
 */
export class RtkStageQueue extends StageElement {
  static override styles = [baseStyles, queueStyles];

  private readonly requests = this.bind((s) => s.requests$, NO_REQUESTS);
  private readonly permissions = this.bind(
    (s) => s.permissions$,
    undefined as StagePermissions | undefined,
  );

  /** Row commands in flight, by user id; changes ask for a render themselves. */
  private readonly busyRows = new Map<string, RowAction>();
  @state() private bulk: BulkAction | undefined;
  // Sizes and scroll offset only choose which rows to render (CSS places the rows, in units of
  // --rtk-stage-row-height), so they are plain fields: a change re-renders only when the rows
  // that must be visible are no longer all rendered (see `needsRows`).
  private viewportHeight = GUESS_VIEWPORT_HEIGHT;
  private rowHeight = GUESS_ROW_HEIGHT;
  private listTop = 0;
  /** The rows rendered by the last render, overscan included: [start, end). */
  private rendered = { start: 0, end: 0 };

  /** The row holding the list's one Tab stop, followed by user id across queue changes. */
  private activeIndex = 0;
  private activeUser: string | undefined;
  /**
   * Set before an update when focus is inside a row, to its place in `focusables(row)`: after
   * the update, focus goes to that place in the row with the Tab stop if it is not there (the
   * keyboard moved the Tab stop, or the focused row left the queue).
   */
  private refocus: number | undefined;

  private clock: ReturnType<typeof setInterval> | undefined;
  private resizeObserver: ResizeObserver | undefined;
  private observedViewport: Element | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    // Back in the page (moved, or shown again): the viewport lost its scroll position. The
    // render the bindings ask for shows the top rows and watches the sizes again.
    this.listTop = 0;
    this.syncClock();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.syncClock();
    this.resizeObserver?.disconnect();
    this.observedViewport = undefined;
  }

  protected override willUpdate(changed: PropertyValues): void {
    super.willUpdate(changed);
    const requests = this.requests.value;
    if (requests[this.activeIndex]?.userId !== this.activeUser) {
      // Requests only leave the queue or join at its end, so the active one, if still there,
      // moved up: look from its old place upwards (usually one step). When it left, its
      // successor takes the Tab stop.
      let found = Math.min(this.activeIndex, requests.length - 1);
      while (found >= 0 && requests[found]!.userId !== this.activeUser) found--;
      this.setActive(found >= 0 ? found : this.activeIndex);
    }
    const focused = (this.renderRoot as ShadowRoot).activeElement as HTMLElement | null;
    const row = focused?.closest('[role="listitem"]');
    this.refocus = row ? focusables(row).indexOf(focused!) : undefined;
  }

  protected override render() {
    if (!this.controller) return this.renderNotConnected();
    const permissions = this.permissions.value;
    if (!permissions?.stageEnabled || !permissions.acceptStageRequests) return nothing;
    const requests = this.requests.value;
    const bulkDisabled = this.bulk !== undefined || requests.length === 0;
    return html`<div part="base">
      <div part="header" class="header">
        <span part="count" class="count">${this.t('queueCount', { n: requests.length })}</span>
        <div part="bulk-actions" class="bulk">
          ${this.bulkButton('approveAll', bulkDisabled)} ${this.bulkButton('denyAll', bulkDisabled)}
        </div>
      </div>
      ${
        requests.length === 0
          ? html`<p part="empty" class="empty" tabindex="-1">${this.t('queueEmpty')}</p>`
          : this.renderList(requests)
      }
      ${this.renderError()}
    </div>`;
  }

  private renderList(requests: readonly StageRequest[]): TemplateResult {
    const n = requests.length;
    const visible = this.visibleRows(n);
    const start = Math.max(0, visible.start - OVERSCAN);
    const end = Math.min(n, visible.end + OVERSCAN);
    this.rendered = { start, end };
    const indexes: number[] = [];
    // The row with the Tab stop stays rendered while scrolled away, so focus is never lost.
    if (this.activeIndex < start) indexes.push(this.activeIndex);
    for (let i = start; i < end; i++) indexes.push(i);
    if (this.activeIndex >= end && this.activeIndex < n) indexes.push(this.activeIndex);
    return html`<div part="viewport" class="viewport" @scroll=${this.onScroll}>
      <div class="sizer" aria-hidden="true"></div>
      <div
        part="list"
        class="list"
        role="list"
        aria-label=${this.t('queueLabel')}
        style="height: calc(${n} * var(--_row))"
        @keydown=${this.onKeydown}
        @focusin=${this.onFocusin}
      >
        ${indexes.map((i) => this.renderRow(requests[i]!, i, n))}
      </div>
    </div>`;
  }

  private renderRow(r: StageRequest, index: number, n: number): TemplateResult {
    const tabindex = index === this.activeIndex ? 0 : -1;
    // aria-posinset, the index plus one, is also how a row is found (`updated`, `onFocusin`).
    return html`<div
      part="row"
      class="row"
      role="listitem"
      aria-setsize=${n}
      aria-posinset=${index + 1}
      tabindex=${tabindex}
      style="transform: translateY(calc(${index} * var(--_row)))"
    >
      <span part="position" class="position">${this.t('queuePosition', { n: r.position })}</span>
      <span part="name" class="name">${r.displayName}</span>
      <time
        part="waiting"
        class="waiting"
        datetime=${new Date(r.requestedAt).toISOString()}
        .textContent=${this.waitingText(r.requestedAt, Date.now())}
      ></time>
      <span class="actions">
        ${this.rowButton(r, 'approve', tabindex)} ${this.rowButton(r, 'deny', tabindex)}
      </span>
    </div>`;
  }

  private rowButton(r: StageRequest, action: RowAction, tabindex: number): TemplateResult {
    const busy = this.bulk !== undefined || this.busyRows.has(r.userId);
    return html`<button
      type="button"
      part="button ${action}"
      class=${action === 'approve' ? 'primary' : 'danger'}
      tabindex=${tabindex}
      aria-disabled=${busy ? 'true' : 'false'}
      aria-busy=${this.busyRows.get(r.userId) === action ? 'true' : 'false'}
      @click=${() => this.runRow(r, action)}
    >
      ${this.t(action, { name: r.displayName })}
    </button>`;
  }

  private bulkButton(action: BulkAction, disabled: boolean): TemplateResult {
    const approve = action === 'approveAll';
    return html`<button
      type="button"
      part="button ${approve ? 'approve-all' : 'deny-all'}"
      class=${approve ? 'primary' : 'danger'}
      aria-disabled=${disabled ? 'true' : 'false'}
      aria-busy=${this.bulk === action ? 'true' : 'false'}
      @click=${() => this.runBulk(action)}
    >
      ${this.t(action)}
    </button>`;
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    this.observeSizes();
    this.syncClock();
    if (this.refocus === undefined) return;
    const row = this.renderRoot.querySelector<HTMLElement>(
      `[aria-posinset="${this.activeIndex + 1}"]`,
    );
    if (!row) {
      // The last request left: "No requests" takes focus, rather than the page.
      this.renderRoot.querySelector<HTMLElement>('.empty')?.focus();
    } else if (!row.contains((this.renderRoot as ShadowRoot).activeElement)) {
      focusables(row)[this.refocus]!.focus({ preventScroll: true });
    }
  }

  // ---- sizes and scrolling ----

  private observeSizes(): void {
    const viewport = this.renderRoot.querySelector('.viewport') ?? undefined;
    if (viewport === this.observedViewport) return;
    this.resizeObserver ??= new ResizeObserver((entries) => {
      for (const entry of entries) {
        const height = entry.contentRect.height;
        if (height <= 0) continue;
        if (entry.target.classList.contains('sizer')) this.rowHeight = height;
        else this.viewportHeight = (entry.target as HTMLElement).clientHeight;
      }
      if (this.needsRows()) this.requestUpdate();
    });
    this.resizeObserver.disconnect();
    this.observedViewport = viewport;
    if (viewport) {
      // The sizer comes and goes with the viewport, and rows are only needed inside it.
      this.resizeObserver.observe(viewport.querySelector('.sizer')!);
      this.resizeObserver.observe(viewport);
    }
  }

  /** The rows the viewport shows now: [start, end). */
  private visibleRows(n: number): { start: number; end: number } {
    const rh = this.rowHeight;
    const top = Math.max(0, Math.min(this.listTop, n * rh - this.viewportHeight));
    return {
      start: Math.floor(top / rh),
      end: Math.min(n, Math.ceil((top + this.viewportHeight) / rh)),
    };
  }

  private needsRows(): boolean {
    const visible = this.visibleRows(this.requests.value.length);
    return visible.start < this.rendered.start || visible.end > this.rendered.end;
  }

  private onScroll = (e: Event): void => {
    this.listTop = (e.currentTarget as HTMLElement).scrollTop;
    if (this.needsRows()) this.requestUpdate();
  };

  /** Scrolls the least needed to show the row; `onScroll` then renders the rows it shows. */
  private scrollToRow(viewport: HTMLElement, index: number): void {
    const rowTop = index * this.rowHeight;
    const rowBottom = rowTop + this.rowHeight;
    const { scrollTop, clientHeight } = viewport;
    if (rowTop < scrollTop) viewport.scrollTop = rowTop;
    else if (rowBottom > scrollTop + clientHeight) viewport.scrollTop = rowBottom - clientHeight;
  }

  // ---- keyboard and focus ----

  private setActive(index: number): void {
    const requests = this.requests.value;
    this.activeIndex = Math.max(0, Math.min(index, requests.length - 1));
    this.activeUser = requests[this.activeIndex]?.userId;
  }

  private onKeydown = (e: KeyboardEvent): void => {
    const page = Math.max(1, Math.floor(this.viewportHeight / this.rowHeight) - 1);
    const from = this.activeIndex;
    let to: number;
    switch (e.key) {
      case 'ArrowDown':
        to = from + 1;
        break;
      case 'ArrowUp':
        to = from - 1;
        break;
      case 'PageDown':
        to = from + page;
        break;
      case 'PageUp':
        to = from - page;
        break;
      case 'Home':
        to = 0;
        break;
      case 'End':
        to = this.requests.value.length - 1;
        break;
      default:
        return;
    }
    e.preventDefault();
    // setActive keeps the Tab stop on a row; `updated` then moves focus along (see `refocus`).
    this.setActive(to);
    this.scrollToRow((e.currentTarget as HTMLElement).parentElement!, this.activeIndex);
    this.requestUpdate();
  };

  private onFocusin = (e: FocusEvent): void => {
    // The list holds only rows: focus inside it is in one.
    const row = (e.target as Element).closest<HTMLElement>('[role="listitem"]')!;
    const index = Number(row.getAttribute('aria-posinset')) - 1;
    if (index === this.activeIndex) return;
    this.setActive(index);
    this.requestUpdate();
  };

  // ---- waiting times ----

  private waitingText(since: number, now: number): string {
    // Read per visible row and clock tick: look the units up, rather than merge all texts.
    const unit = (key: keyof StageStrings) => this.strings[key] ?? defaultStrings[key];
    const time = formatWaiting(unit, since, now);
    return this.t('waiting', { time });
  }

  /** One interval while rows are shown; it refreshes their waiting times without a render. */
  private syncClock(): void {
    const wanted = this.isConnected && this.requests.value.length > 0;
    if (wanted && this.clock === undefined) {
      this.clock = setInterval(this.tick, 1000);
    } else if (!wanted && this.clock !== undefined) {
      clearInterval(this.clock);
      this.clock = undefined;
    }
  }

  private tick = (): void => {
    const now = Date.now();
    // Each row's <time>, whose datetime says since when its request waits.
    for (const time of this.renderRoot.querySelectorAll('time')) {
      const text = this.waitingText(Date.parse(time.dateTime), now);
      if (time.textContent !== text) time.textContent = text;
    }
  };

  // ---- commands ----

  private async runRow(r: StageRequest, action: RowAction): Promise<void> {
    const stage = this.controller;
    if (!stage || this.bulk !== undefined || this.busyRows.has(r.userId)) return;
    const ids = [r.userId];
    // Sent before the busy state is set, in the same task: when the authority answers at
    // once (a local room), the queue's change and the busy state land in one render.
    const sent = action === 'approve' ? stage.grantAccess(ids) : stage.denyAccess(ids);
    this.error = '';
    this.busyRows.set(r.userId, action);
    this.requestUpdate();
    try {
      const result = await sent;
      // The authority's message names the user and says why, e.g. "they are accepted...".
      const failure = firstFailure(result);
      if (failure) this.fail(failure);
    } catch (e) {
      this.fail(e);
    } finally {
      this.busyRows.delete(r.userId);
      // A row that left the queue needs no render to drop its busy state.
      if (this.requests.value.some((q) => q.userId === r.userId)) this.requestUpdate();
    }
  }

  /** Acts on the whole queue as it is now, in chunks the authority accepts. */
  private async runBulk(action: BulkAction): Promise<void> {
    const stage = this.controller;
    // Rows with a command of their own in flight are left to it.
    const ids = this.requests.value.map((r) => r.userId).filter((id) => !this.busyRows.has(id));
    if (!stage || this.bulk !== undefined || ids.length === 0) return;
    this.error = '';
    this.bulk = action;
    const failed: StageBulkResult['failed'] = [];
    try {
      for (let i = 0; i < ids.length; i += MAX_BULK_IDS) {
        const chunk = ids.slice(i, i + MAX_BULK_IDS);
        const result = await (action === 'approveAll'
          ? stage.grantAccess(chunk)
          : stage.denyAccess(chunk));
        failed.push(...result.failed);
      }
      const first = failed[0];
      if (first) {
        const message =
          failed.length === 1
            ? first.message
            : this.t('bulkFailed', { n: failed.length, reason: first.message });
        this.fail(new StageError(first.code, message));
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.bulk = undefined;
    }
  }
}

define('rtk-stage-queue', RtkStageQueue);

declare global {
  interface HTMLElementTagNameMap {
    'rtk-stage-queue': RtkStageQueue;
  }
}
