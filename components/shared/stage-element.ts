import { ContextConsumer } from '@lit/context';
import { LitElement, html, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Observable } from 'rxjs';
import { StageError, type StageBulkResult, type StageController } from '../../src/index.js';
import { stageContext } from './context.js';
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
      new ContextConsumer(host, {
        context: stageContext,
        subscribe: true,
        callback: (value) => {
          host.providedStage = value;
        },
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
    const error = StageError.is(failure) ? failure : new StageError('2009', String(failure));
    this.error = error.message;
    this.dispatchEvent(
      new CustomEvent('rtk-stage-error', { detail: error, bubbles: true, composed: true }),
    );
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

/** The first user a bulk command could not change, as a StageError (its message names them). */
export function firstFailure(result: StageBulkResult | undefined): StageError | undefined {
  const failed = result?.failed[0];
  return failed && new StageError(failed.code, failed.message);
}

/** Registers an element once, however many times the module is evaluated. */
export function define(name: string, element: CustomElementConstructor): void {
  if (!customElements.get(name)) customElements.define(name, element);
}
