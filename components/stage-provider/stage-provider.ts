import { LitElement, css, html } from 'lit';
import { property } from 'lit/decorators.js';
import { connectStage, type StageController } from '../../src/index.js';
import { StageContextProvider } from '../shared/context.js';
import { asStageError, define } from '../shared/stage-element.js';

/**
 * Gives a stage to every rtk-stage element inside it, so none of them needs its own `stage`.
 * With `url` and `token` it connects to an rtk-stage server by itself, so a plain page needs
 * no script of its own; a `stage` property wins over them.
 *
 * @summary Provides a StageController to descendants through the context protocol.
 * @slot - Any content, including rtk-stage elements.
 * @fires rtk-stage-connected - It connected to the server at `url`; `detail` is the StageController.
 * @fires rtk-stage-error - Connecting failed; `detail` is the StageError (2001 token refused, 2005 unreachable).
 */
export class RtkStageProvider extends LitElement {
  static override styles = css`
    :host {
      display: contents;
    }
  `;

  /** The stage to provide. Wins over `url` and `token`. */
  @property({ attribute: false }) stage: StageController | undefined;

  /** An rtk-stage server's socket address, e.g. `wss://stage.example.com/stage`. */
  @property() url: string | undefined;

  /** The signed token for `url`. */
  @property() token: string | undefined;

  /** 'idle', 'connecting', 'connected' or 'error' while it manages a connection of its own. */
  @property({ reflect: true, attribute: 'connection' }) connection:
    'idle' | 'connecting' | 'connected' | 'error' = 'idle';

  private readonly provider = new StageContextProvider(this);
  /** The controller this element created itself (and so disposes). */
  private own: StageController | undefined;
  /** The url and token `own` belongs to (or is being connected for). */
  private target: string | undefined;
  private attempt = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    this.follow();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.release();
  }

  protected override willUpdate(): void {
    this.follow();
    this.provider.setValue(this.stage ?? this.own);
  }

  /** Connects for the current `url` and `token` (unless a `stage` is given), once per pair. */
  private follow(): void {
    const want =
      this.isConnected && !this.stage && this.url && this.token
        ? `${this.url}\n${this.token}`
        : undefined;
    if (want === this.target) return;
    this.release();
    if (want === undefined) return;
    this.target = want;
    this.connect();
  }

  protected override render() {
    return html`<slot></slot>`;
  }

  private connect(): void {
    const attempt = ++this.attempt;
    const { url, token } = this;
    this.connection = 'connecting';
    connectStage({ url: url!, token: token! }).then(
      (stage) => {
        if (attempt !== this.attempt) {
          stage.dispose(); // url/token changed or the element left meanwhile
          return;
        }
        this.own = stage;
        this.connection = 'connected';
        this.provider.setValue(this.stage ?? stage);
        this.dispatchEvent(
          new CustomEvent('rtk-stage-connected', { detail: stage, bubbles: true, composed: true }),
        );
      },
      (error: unknown) => {
        if (attempt !== this.attempt) return;
        this.connection = 'error';
        const detail = asStageError(error, '2005');
        this.dispatchEvent(
          new CustomEvent('rtk-stage-error', { detail, bubbles: true, composed: true }),
        );
      },
    );
  }

  private release(): void {
    this.target = undefined;
    this.attempt++;
    this.own?.dispose();
    this.own = undefined;
    this.connection = 'idle';
    this.provider.setValue(this.stage);
  }
}

define('rtk-stage-provider', RtkStageProvider);

declare global {
  interface HTMLElementTagNameMap {
    'rtk-stage-provider': RtkStageProvider;
  }
  interface GlobalEventHandlersEventMap {
    'rtk-stage-connected': CustomEvent<StageController>;
  }
}
