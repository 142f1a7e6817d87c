import { LitElement, html, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Observable } from 'rxjs';
import {
  StageError,
  type StageBulkResult,
  type StageController,
  type StageErrorCode,
} from '../../src/index.js';
import { StageContextConsumer } from './context.js';
import { StageBinding } from './stage-binding.js';
import { defaultStrings, format, type StageStrings } from './strings.js';

declare global {
  interface GlobalEventHandlersEventMap {
    'rtk-stage-error': CustomEvent<StageError>;
  }
}

const WARN_AFTER_MS = 2000;

/**
 * What every rtk-stage element shares: its stage comes from the `stage` property or, when
 * that is unset, from the nearest `<rtk-stage-provider>`; texts come from `strings`.
 *
 * @fires rtk-stage-error - A command the element sent failed; `detail` is the StageError.
 */
export abstract class StageElement extends LitElement {
  /** The stage to show. When unset, the nearest `<rtk-stage-provider>`'s is used. */
  @property({ attribute: false }) stage: StageController | undefined;

  /** Overrides for any of the element's texts. */
  @property({ attribute: false }) strings: Partial<StageStrings> = {};

  /** The nearest `<rtk-stage-provider>`'s stage. */
  @state()
  protected providedStage: StageController | undefined;

  /** The last failure, shown by `renderError()`; cleared when the next command starts. */
  @state() protected error = '';

  static {
    // What `@consume({ context: stageContext, subscribe: true })` on providedStage would do,
    // without a decorator (so a bundle needs no decorator helper for it).
    this.addInitializer((element) => {
      const host = element as StageElement;
      new StageContextConsumer(host, (stage) => {
        host.providedStage = stage;
      });
    });
  }

  private warned = false;

  /** The stage in use: the `stage` property wins over the provider's. */
  get controller(): StageController | undefined {
    return this.stage ?? this.providedStage;
  }

  /** Follows an observable of the current stage; `binding.value` is its latest value. */
  protected bind<T>(select: (stage: StageController) => Observable<T>, initial: T) {
    return new StageBinding<T>(this, select, initial);
  }

  /** A text, with its placeholders filled. */
  protected t(key: keyof StageStrings, values?: Record<string, string | number>): string {
    return format(this.strings[key] ?? defaultStrings[key], values);
  }

  protected renderNotConnected(): TemplateResult {
    return html`<p part="not-connected" class="not-connected">${this.t('notConnected')}</p>`;
  }

  /** The alert region that shows the last failure. */
  protected renderError(): TemplateResult {
    return html`<p part="error" class="alert" role="alert">${this.error}</p>`;
  }

  /**
   * A command failed: shows why in the alert region and tells the page (`rtk-stage-error`).
   * Anything that is not a StageError (a bug, say) is reported as one with code 2009.
   */
  protected fail(failure: unknown): void {
    const error = asStageError(failure, '2009');
    this.error = error.message;
    this.dispatchEvent(
      new CustomEvent('rtk-stage-error', { detail: error, bubbles: true, composed: true }),
    );
  }

  /**
   * What the commands in flight act on (a button's place, a user, a notice), so that the
   * element can show them busy: each change asks for a render.
   */
  protected readonly pending = new Set<unknown>();

  /**
   * Runs a command the user asked for on `target`, unless one is in flight for it already:
   * clears the last failure, keeps `target` in `pending` meanwhile, then shows and reports the
   * command's own failure (thrown, or the first user a bulk command could not change).
   * Resolves whether the command ran and succeeded; never rejects.
   */
  protected async attempt(
    target: unknown,
    command: () => Promise<StageBulkResult | void>,
  ): Promise<boolean> {
    if (this.pending.has(target)) return false;
    this.pending.add(target);
    this.error = '';
    this.requestUpdate();
    try {
      const failure = firstFailure((await command()) ?? undefined);
      if (!failure) return true;
      this.fail(failure);
      return false;
    } catch (e) {
      this.fail(e);
      return false;
    } finally {
      this.pending.delete(target);
      this.requestUpdate();
    }
  }

  /**
   * The items (a selector) among which keyboard focus stays across an update. Lists render
   * their items in place, without a keyed directive (Lit's `repeat` would take ~0.7 KB
   * gzipped of the drop-in): after a change one row's DOM may show another user. So each item
   * names what it shows in `data-key`, and focus follows that item to where it is now, same
   * button; when it left, focus goes to the item now in its place (or the last one), to its
   * first button if it has one, and to the `base` part when no item is left. Unset: focus is
   * left alone.
   */
  protected readonly focusItems: string | undefined;

  // Without this, keyboard users would act on someone else's row, or be dropped on <body>.
  protected override update(changed: PropertyValues): void {
    const selector = this.focusItems;
    const root = this.renderRoot as ShadowRoot;
    const items = () => [...root.querySelectorAll<HTMLElement>(selector!)];
    const focused = root.activeElement;
    const item = selector ? focused?.closest<HTMLElement>(selector) : undefined;
    const index = item ? items().indexOf(item) : -1;
    const key = item?.dataset['key'];
    const button = item
      ? [...item.querySelectorAll('button')].indexOf(focused as HTMLButtonElement)
      : -1;
    super.update(changed);
    if (index === -1) return;
    const active = root.activeElement;
    const activeItem = active?.closest<HTMLElement>(selector!);
    // Focus stayed on the same item, or went out of the items: leave it there.
    if (active && (!activeItem || activeItem.dataset['key'] === key)) return;
    const shown = items();
    const same = key === undefined ? undefined : shown.find((i) => i.dataset['key'] === key);
    let target: HTMLElement | null | undefined;
    if (same) {
      // The item moved: the same button in it.
      target = same.querySelectorAll('button')[button] ?? same;
    } else {
      // The item left: the one now in its place.
      const next = shown[Math.min(index, shown.length - 1)];
      target = next
        ? (next.querySelector('button') ?? next)
        : root.querySelector<HTMLElement>('[part="base"]');
    }
    target?.focus();
  }

  protected override updated(changed: PropertyValues): void {
    super.updated(changed);
    if (this.controller || this.warned || this.insideProvider()) return;
    // Pages often set `stage` right after an `await connectStage(...)`: warn only when there
    // is still no stage a while later.
    setTimeout(() => {
      if (this.controller || this.warned || !this.isConnected || this.insideProvider()) return;
      this.warned = true;
      console.warn(
        `<${this.localName}> has no stage: set its \`stage\` property or place it inside <rtk-stage-provider>.`,
      );
    }, WARN_AFTER_MS);
  }

  /** Inside a provider (maybe still connecting), across shadow roots. */
  private insideProvider(): boolean {
    let node: Node | null = this.parentNode;
    while (node) {
      if (node instanceof Element && node.localName === 'rtk-stage-provider') return true;
      node = node instanceof ShadowRoot ? node.host : node.parentNode;
    }
    return false;
  }
}

/** A failure as a StageError: anything else (a bug, say) becomes one with `code`. */
export function asStageError(failure: unknown, code: StageErrorCode): StageError {
  return StageError.is(failure) ? failure : new StageError(code, String(failure));
}

/** The first user a bulk command could not change, as a StageError (its message names them). */
export function firstFailure(result: StageBulkResult | undefined): StageError | undefined {
  const failed = result?.failed[0];
  return failed && new StageError(failed.code, failed.message);
}

/** Registers an element once, however many times the module is evaluated. */
export function define(name: string, element: CustomElementConstructor): void {
  if (!customElements.get(name)) customElements.define(name, element);
}
