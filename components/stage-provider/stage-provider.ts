import { provide } from '@lit/context';
import { LitElement, css, html } from 'lit';
import { property } from 'lit/decorators.js';
import type { StageController } from '../../src/index.js';
import { stageContext } from '../shared/context.js';
import { define } from '../shared/stage-element.js';

/**
 * Gives a stage to every rtk-stage element inside it, so none of them needs its own `stage`.
 *
 * @summary Provides a StageController to descendants through the context protocol.
 * @slot - Any content, including rtk-stage elements.
 */
export class RtkStageProvider extends LitElement {
  static override styles = css`
    :host {
      display: contents;
    }
  `;

  /** The stage to provide. */
  @provide({ context: stageContext })
  @property({ attribute: false })
  stage: StageController | undefined;

  protected override render() {
    return html`<slot></slot>`;
  }
}

define('rtk-stage-provider', RtkStageProvider);

declare global {
  interface HTMLElementTagNameMap {
    'rtk-stage-provider': RtkStageProvider;
  }
}
