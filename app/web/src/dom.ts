// A few DOM helpers: the page is plain DOM, no framework.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | ((e: Event) => void) | undefined>;

/** Create an element: attributes (`on…` are listeners, booleans toggle), then children. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') e.addEventListener(k.slice(2).toLowerCase(), v);
    else if (v === true) e.setAttribute(k, '');
    else e.setAttribute(k, String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

/** A definition list of label/value rows, each value marked with `data-field`. */
export function facts(rows: [string, Child, string?][]): HTMLDListElement {
  const dl = h('dl', { class: 'facts' });
  for (const [label, value, field] of rows) dl.append(h('dt', {}, label), h('dd', { 'data-field': field }, value));
  return dl;
}

export function replace(target: Element, ...children: Child[]): void {
  target.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false).map((c) => (c instanceof Node ? c : String(c))));
}

/** Label every body cell with its column's heading, so the table reads as one card per row on a
 * phone (style.css, `table.cards` under 640 px). */
export function asCards(t: HTMLTableElement): HTMLTableElement {
  t.classList.add('cards');
  const heads = [...(t.tHead?.rows[0]?.cells ?? [])].map((c) => c.textContent ?? '');
  for (const body of t.tBodies) {
    for (const row of body.rows) {
      let i = 0;
      for (const cell of row.cells) {
        cell.dataset.label = heads[i] ?? '';
        i += cell.colSpan;
      }
    }
  }
  return t;
}
