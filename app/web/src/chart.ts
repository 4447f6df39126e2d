// A small SVG line chart: a few series over time, an optional shaded band, axes with a few
// labels, and a table of the same numbers for screen readers.

const NS = 'http://www.w3.org/2000/svg';

export interface Series {
  name: string;
  /** CSS class for the line's colour. */
  kind: string;
  values: number[];
}

export interface ChartSpec {
  id: string;
  title: string;
  times: number[];
  series: Series[];
  /** A band to shade behind the lines, one `[lo, hi]` per time. */
  band?: [number, number][];
  format: (v: number) => string;
}

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

function when(t: number): string {
  return new Date(t * 1000).toISOString().replace('T', ' ').slice(0, 16);
}

export function chart(spec: ChartSpec): HTMLElement {
  const W = 640;
  const H = 220;
  const pad = { l: 64, r: 12, t: 12, b: 28 };
  const figure = document.createElement('figure');
  figure.className = 'chart';
  figure.id = spec.id;
  const caption = document.createElement('figcaption');
  caption.textContent = spec.title;
  figure.append(caption);
  const n = spec.times.length;
  figure.dataset.points = String(n);
  if (n === 0) {
    const p = document.createElement('p');
    p.textContent = 'No rebalances yet: the chart starts with the first one.';
    figure.append(p);
    return figure;
  }
  const all = spec.series.flatMap((s) => s.values).concat((spec.band ?? []).flat());
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi === lo) {
    hi += Math.abs(hi) * 0.01 + 1e-9;
    lo -= Math.abs(lo) * 0.01 + 1e-9;
  }
  const t0 = spec.times[0];
  const t1 = spec.times[n - 1] === t0 ? t0 + 1 : spec.times[n - 1];
  const x = (t: number) => pad.l + ((t - t0) / (t1 - t0)) * (W - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - (v - lo) / (hi - lo)) * (H - pad.t - pad.b);
  const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': `${spec.id}-title` });
  const title = el('title', { id: `${spec.id}-title` });
  title.textContent = `${spec.title}: ${n} points from ${when(t0)} to ${when(spec.times[n - 1])}`;
  svg.append(title);
  if (spec.band && spec.band.length === n) {
    const top = spec.band.map(([, b], i) => `${x(spec.times[i])},${y(b)}`);
    const bottom = spec.band.map(([a], i) => `${x(spec.times[i])},${y(a)}`).reverse();
    svg.append(el('polygon', { points: [...top, ...bottom].join(' '), class: 'band' }));
  }
  for (const [v, anchor] of [
    [hi, 'hi'],
    [lo, 'lo'],
  ] as const) {
    const label = el('text', { x: pad.l - 6, y: y(v) + (anchor === 'hi' ? 10 : 0), 'text-anchor': 'end', class: 'axis' });
    label.textContent = spec.format(v);
    svg.append(label);
  }
  svg.append(el('line', { x1: pad.l, y1: H - pad.b, x2: W - pad.r, y2: H - pad.b, class: 'axis-line' }));
  for (const [t, anchor] of [
    [t0, 'start'],
    [spec.times[n - 1], 'end'],
  ] as const) {
    const label = el('text', { x: x(t), y: H - 8, 'text-anchor': anchor, class: 'axis' });
    label.textContent = when(t);
    svg.append(label);
  }
  for (const s of spec.series) {
    const points = s.values.map((v, i) => `${x(spec.times[i])},${y(v)}`).join(' ');
    const line = el('polyline', { points, class: `line ${s.kind}`, 'data-series': s.name, 'data-points': s.values.length });
    svg.append(line);
    if (n === 1) svg.append(el('circle', { cx: x(spec.times[0]), cy: y(s.values[0]), r: 3, class: `dot ${s.kind}` }));
  }
  figure.append(svg);
  const legend = document.createElement('ul');
  legend.className = 'legend';
  for (const s of spec.series) {
    const li = document.createElement('li');
    li.className = s.kind;
    li.textContent = s.name;
    legend.append(li);
  }
  figure.append(legend);
  // The numbers, for screen readers and anyone who wants them.
  const details = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = 'Data';
  details.append(summary);
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const h of ['Time', ...spec.series.map((s) => s.name)]) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    head.append(th);
  }
  const body = table.createTBody();
  spec.times.forEach((t, i) => {
    const r = body.insertRow();
    r.insertCell().textContent = when(t);
    for (const s of spec.series) r.insertCell().textContent = spec.format(s.values[i]);
  });
  details.append(table);
  figure.append(details);
  return figure;
}
