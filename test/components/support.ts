// Helpers for element tests: a real local room with several participants, and queries by
// role and accessible name that see through shadow roots, as a screen reader does.
import { waitUntil } from '@open-wc/testing';
import { createLocalStage, type LocalStageOptions, type PresetName } from '../../src/index.js';

const IMPLICIT: Record<string, string> = {
  BUTTON: 'button',
  UL: 'list',
  OL: 'list',
  LI: 'listitem',
  TIME: 'time',
  SECTION: 'region',
  NAV: 'navigation',
  H1: 'heading',
  H2: 'heading',
  H3: 'heading',
};

function roleOf(el: Element): string | undefined {
  return el.getAttribute('role') ?? IMPLICIT[el.tagName];
}

function textOf(node: Node): string {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent ?? '';
  if (!(node instanceof Element)) return '';
  if (node.getAttribute('aria-hidden') === 'true' || (node as HTMLElement).hidden) return '';
  const children = node.shadowRoot ? node.shadowRoot.childNodes : node.childNodes;
  let out = '';
  for (const child of children) {
    if (child instanceof HTMLSlotElement) {
      for (const n of child.assignedNodes({ flatten: true })) out += textOf(n);
    } else out += textOf(child);
  }
  return out;
}

/** The accessible name, for the cases these elements use: aria-label, labelledby, content. */
export function nameOf(el: Element): string {
  const label = el.getAttribute('aria-label');
  if (label) return label.trim();
  const by = el.getAttribute('aria-labelledby');
  if (by) {
    const root = el.getRootNode() as Document | ShadowRoot;
    return by
      .split(/\s+/)
      .map((id) => textOf(root.getElementById(id)!))
      .join(' ')
      .replace(/\s+/g, ' ')
      .trim();
  }
  return textOf(el).replace(/\s+/g, ' ').trim();
}

function* walk(root: Node): Generator<Element> {
  for (const child of root.childNodes) {
    if (!(child instanceof Element)) continue;
    yield child;
    if (child.shadowRoot) yield* walk(child.shadowRoot);
    yield* walk(child);
  }
}

/** Every element with this role (and name, when given) under `root`, across shadow roots. */
export function queryAllByRole(
  root: Element | ShadowRoot,
  role: string,
  name?: string | RegExp,
): HTMLElement[] {
  const start = root instanceof Element && root.shadowRoot ? [root, root.shadowRoot] : [root];
  const found: HTMLElement[] = [];
  for (const r of start) {
    for (const el of walk(r)) {
      if (roleOf(el) !== role) continue;
      if (name !== undefined) {
        const n = nameOf(el);
        if (typeof name === 'string' ? n !== name : !name.test(n)) continue;
      }
      found.push(el as HTMLElement);
    }
  }
  return found;
}

export function queryByRole(root: Element | ShadowRoot, role: string, name?: string | RegExp) {
  return queryAllByRole(root, role, name)[0] ?? null;
}

/** Waits until an element with this role and name is there, and returns it. */
export async function findByRole(
  root: Element | ShadowRoot,
  role: string,
  name?: string | RegExp,
): Promise<HTMLElement> {
  await waitUntil(
    () => queryByRole(root, role, name) !== null,
    `no ${role} named ${String(name)}`,
    { timeout: 3000 },
  );
  return queryByRole(root, role, name)!;
}

export function button(root: Element | ShadowRoot, name: string | RegExp) {
  return findByRole(root, 'button', name) as Promise<HTMLButtonElement>;
}

/** A local room with a host, a moderator and three viewers (Ada, Bo, Cy). */
export function stageRoom(options: LocalStageOptions = {}) {
  const room = createLocalStage(options);
  const join = (userId: string, displayName: string, preset: PresetName) =>
    room.connect({ userId, displayName, preset });
  return {
    room,
    host: join('host', 'Hana', 'host'),
    moderator: join('mod', 'Mo', 'moderator'),
    ada: join('ada', 'Ada', 'viewer'),
    bo: join('bo', 'Bo', 'viewer'),
    cy: join('cy', 'Cy', 'viewer'),
    join,
  };
}
