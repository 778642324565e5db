// Bar charts drawn as SVG elements (no library, no innerHTML): each bar carries its value in data-value.
import { el } from './ui.js';

const SVG = 'http://www.w3.org/2000/svg';
const LABEL_WIDTH = 230; // the labels' column, right-aligned against the bars
const LABEL_CHARS = 30; // longer labels are cut with "…" (the whole label is in their tooltip)
const PLOT_WIDTH = 440;
const BAR = 7; // height of one series' bar in a row
const TOP = 48; // title and legend

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

const cut = (label) => (label.length > LABEL_CHARS ? `${label.slice(0, LABEL_CHARS - 1)}…` : label);

/**
 * A grouped horizontal bar chart: one row per label (so labels never overlap however many there are: the
 * chart grows downwards), one bar per series in the row, the row's values after its bars. Each label
 * and bar has a <title> tooltip with the full label and values.
 */
export function barChart({ id, title, labels, series, none = 'No data for this range.' }) {
  if (labels.length === 0) return el('p', { class: 'empty', id: `${id}-empty` }, `${title}: ${none}`);
  const row = Math.max(16, BAR * series.length + 6);
  const width = LABEL_WIDTH + PLOT_WIDTH + 90;
  const height = TOP + Math.max(1, labels.length) * row + 24;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const scale = (value) => Math.round((value / max) * PLOT_WIDTH);
  const root = svg('svg', { id, width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': title });
  root.append(svg('title', {}, title), svg('text', { x: 8, y: 16, 'font-size': 13 }, title));
  series.forEach((s, j) => {
    root.append(svg('rect', { x: 8 + j * 110, y: 26, width: 10, height: 10, class: `series-${j % 4}` }));
    root.append(svg('text', { x: 22 + j * 110, y: 35, 'font-size': 11 }, s.name));
  });
  const bottom = TOP + labels.length * row;
  for (const value of [0, max / 2, max]) {
    const x = LABEL_WIDTH + scale(value);
    root.append(svg('line', { x1: x, y1: TOP - 4, x2: x, y2: bottom, class: 'grid' }));
    root.append(
      svg('text', { x, y: bottom + 14, 'font-size': 10, 'text-anchor': 'middle', class: 'tick' }, +value.toFixed(1)),
    );
  }
  labels.forEach((label, i) => {
    const y0 = TOP + i * row;
    const values = series.map((s) => s.values[i]);
    const text = svg('text', {
      class: 'label',
      x: LABEL_WIDTH - 6,
      y: y0 + row / 2 + 4,
      'font-size': 11,
      'text-anchor': 'end',
    });
    text.append(cut(label), svg('title', {}, `${label}: ${series.map((s, j) => `${s.name} ${values[j]}`).join(', ')}`));
    root.append(text);
    series.forEach((s, j) => {
      const bar = svg('rect', {
        x: LABEL_WIDTH,
        y: y0 + 3 + j * BAR,
        width: scale(values[j]),
        height: BAR - 1,
        class: `series-${j % 4}`,
      });
      bar.setAttribute('data-series', s.name);
      bar.setAttribute('data-label', label);
      bar.setAttribute('data-value', values[j]);
      bar.append(svg('title', {}, `${label} ${s.name}: ${values[j]}`));
      root.append(bar);
    });
    const end = LABEL_WIDTH + Math.max(...values.map(scale)) + 4;
    root.append(svg('text', { x: end, y: y0 + row / 2 + 4, 'font-size': 10, class: 'tick' }, values.join(' / ')));
  });
  return root;
}
