/**
 * The browser half of `npm run bench:ui` (loaded by bench/ui-queue.html, driven by bench/ui.ts).
 * One local room, a host and N viewers who all request; then, per run, for <rtk-stage-queue>
 * and for a plain non-virtualized Lit list of the same rows:
 *   first: from setting the host's stage on a fresh element to the end of the first frame that
 *          shows rows;
 *   update: from one "Approve NAME" click to the end of the first frame without that row.
 * Each measurement starts inside a requestAnimationFrame callback, so it does not include the
 * wait for the next vsync, and ends in a task posted from that callback, which runs once the
 * frame's style, layout and paint are done.
 */
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Subscription } from 'rxjs';
import '../components/stage-queue/stage-queue.js';
import { defaultStrings, format, formatWaiting } from '../components/shared/strings.js';
import { baseStyles } from '../components/shared/styles.js';
import { createLocalStage, type StageController, type StageRequest } from '../src/index.js';

/** The baseline: every request rendered, with the same row template as the queue's. */
class PlainQueue extends LitElement {
  static override styles = [
    baseStyles,
    css`
      .viewport {
        max-height: 320px;
        overflow-y: auto;
        border: 1px solid var(--_border);
      }
      .row {
        height: 48px;
        box-sizing: border-box;
        display: flex;
        align-items: center;
        gap: var(--_gap);
        padding: 0 var(--_gap);
        border-bottom: 1px solid var(--_border);
      }
      .position,
      .waiting {
        color: var(--_muted);
        white-space: nowrap;
      }
      .name {
        flex: 1;
        min-width: 0;
        overflow: hidden;
        white-space: nowrap;
      }
    `,
  ];

  @property({ attribute: false }) stage: StageController | undefined;
  @state() private requests: readonly StageRequest[] = [];
  private subscription: Subscription | undefined;

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('stage')) {
      this.subscription?.unsubscribe();
      // Synchronous replay: the first render already has the whole queue.
      this.subscription = this.stage?.requests$.subscribe((r) => (this.requests = r));
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.subscription?.unsubscribe();
  }

  protected override render() {
    if (!this.stage) return nothing;
    const requests = this.requests;
    const n = requests.length;
    const now = Date.now();
    return html`<p>${format(defaultStrings.queueCount, { n })}</p>
      <div class="viewport">
        <div role="list" aria-label=${defaultStrings.queueLabel}>
          ${repeat(
            requests,
            (r) => r.userId,
            (r, i) =>
              html`<div role="listitem" class="row" aria-setsize=${n} aria-posinset=${i + 1}>
                <span class="position"
                  >${format(defaultStrings.queuePosition, { n: r.position })}</span
                >
                <span class="name">${r.displayName}</span>
                <time
                  class="waiting"
                  datetime=${new Date(r.requestedAt).toISOString()}
                  .textContent=${format(defaultStrings.waiting, {
                    time: formatWaiting((key) => defaultStrings[key], r.requestedAt, now),
                  })}
                ></time>
                <span>
                  <button class="primary" @click=${() => this.stage?.grantAccess([r.userId])}>
                    ${format(defaultStrings.approve, { name: r.displayName })}
                  </button>
                  <button class="danger" @click=${() => this.stage?.denyAccess([r.userId])}>
                    ${format(defaultStrings.deny, { name: r.displayName })}
                  </button>
                </span>
              </div>`,
          )}
        </div>
      </div>`;
  }
}
customElements.define('bench-plain-queue', PlainQueue);

type Subject = 'rtk-stage-queue' | 'bench-plain-queue';

export interface Sample {
  firstMs: number;
  updateMs: number;
  rowsInDom: number;
}

export interface UiBenchResult {
  ours: Sample[];
  baseline: Sample[];
  /** The same two measurements with no element: what the local room itself costs. */
  core: Sample[];
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

/**
 * Lets the renderer finish tearing down the previous element (a 10,000-row baseline leaves
 * a lot to collect and sweep), so one sample's cleanup does not land in the next one's time.
 */
async function settle(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 250));
  await nextFrame();
  await nextFrame();
}

/**
 * Time from `act` (run at the start of a frame) to the end of the first frame where `done`.
 * The span is also left as a performance measure named `label`, for a traced run.
 */
function measure(label: string, act: () => void, done: () => boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    requestAnimationFrame(() => {
      const t0 = performance.now();
      act();
      const afterFrame = (frames: number) => {
        const channel = new MessageChannel();
        channel.port1.onmessage = () => {
          if (done()) {
            const end = performance.now();
            performance.measure(label, { start: t0, end });
            resolve(end - t0);
          } else if (frames > 600) reject(new Error('the expected frame never came'));
          else requestAnimationFrame(() => afterFrame(frames + 1));
        };
        channel.port2.postMessage(null);
      };
      afterFrame(0);
    });
  });
}

function rowsOf(el: Element): NodeListOf<HTMLElement> {
  return el.shadowRoot!.querySelectorAll<HTMLElement>('[role="listitem"]');
}

function hasRowFor(el: Element, name: string): boolean {
  for (const row of rowsOf(el)) {
    if (row.querySelector('.name')?.textContent === name) return true;
  }
  return false;
}

async function sample(
  subject: Subject,
  host: StageController,
  viewers: Map<string, StageController>,
): Promise<Sample> {
  await settle();
  const el = document.createElement(subject) as HTMLElement & {
    stage: StageController | undefined;
    updateComplete: Promise<boolean>;
  };
  document.body.append(el);
  await el.updateComplete;
  await nextFrame();

  const firstMs = await measure(
    `${subject}:first`,
    () => (el.stage = host),
    () => rowsOf(el).length > 0,
  );
  const rowsInDom = rowsOf(el).length;
  await nextFrame();

  const first = host.getAccessRequests().stageRequests[0]!;
  const approve = [...el.shadowRoot!.querySelectorAll('button')].find(
    (b) => b.textContent!.trim() === `Approve ${first.displayName}`,
  )!;
  const updateMs = await measure(
    `${subject}:update`,
    () => approve.click(),
    () => !hasRowFor(el, first.displayName),
  );
  if (viewers.get(first.userId)!.status !== 'ACCEPTED_TO_JOIN_STAGE') {
    throw new Error(`${subject}: Approve did not accept ${first.displayName}`);
  }

  // Back to N pending requests for the next run (the approved viewer queues up again).
  el.remove();
  await host.denyAccess([first.userId]);
  await viewers.get(first.userId)!.requestAccess();
  await nextFrame();
  return { firstMs, updateMs, rowsInDom };
}

/** The core alone, no DOM: subscribing to the queue, and one grant until requests$ emits. */
async function sampleCore(
  host: StageController,
  viewers: Map<string, StageController>,
): Promise<Sample> {
  await settle();
  let length = 0;
  let subscription: Subscription | undefined;
  const firstMs = await measure(
    'core:first',
    () => (subscription = host.requests$.subscribe((r) => (length = r.length))),
    () => length > 0,
  );
  const first = host.getAccessRequests().stageRequests[0]!;
  const before = length;
  const updateMs = await measure(
    'core:update',
    () => void host.grantAccess([first.userId]),
    () => length === before - 1,
  );
  subscription!.unsubscribe();
  await host.denyAccess([first.userId]);
  await viewers.get(first.userId)!.requestAccess();
  await nextFrame();
  return { firstMs, updateMs, rowsInDom: 0 };
}

/**
 * Runs one subject in this page: "ours" (<rtk-stage-queue>, with the room-only figures
 * interleaved) or "baseline". The driver gives each subject a fresh page, so one's teardown
 * (10,000 rows to collect) never lands in the other's figures.
 */
async function runUiBench(
  n: number,
  runs: number,
  which: 'ours' | 'baseline',
): Promise<{ samples: Sample[]; core: Sample[] }> {
  const room = createLocalStage();
  const host = room.connect({ userId: 'host', displayName: 'Host', preset: 'host' });
  const viewers = new Map<string, StageController>();
  for (let i = 0; i < n; i++) {
    const v = room.connect({ userId: `v${i}`, displayName: `Viewer ${i + 1}`, preset: 'viewer' });
    viewers.set(v.userId, v);
  }
  await Promise.all([...viewers.values()].map((v) => v.requestAccess()));
  if (host.getAccessRequests().stageRequests.length !== n) throw new Error('requests missing');

  const subject: Subject = which === 'ours' ? 'rtk-stage-queue' : 'bench-plain-queue';
  // Warm-up: compile the templates and let the JIT see both paths once, unmeasured.
  await sample(subject, host, viewers);
  if (which === 'ours') await sampleCore(host, viewers);
  performance.clearMeasures();

  const samples: Sample[] = [];
  const core: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    if (which === 'ours') core.push(await sampleCore(host, viewers));
    samples.push(await sample(subject, host, viewers));
  }
  room.close();
  return { samples, core };
}

(globalThis as { runUiBench?: typeof runUiBench }).runUiBench = runUiBench;
