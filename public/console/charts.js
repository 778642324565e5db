// Bar charts drawn as SVG elements (no library, no innerHTML): each bar carries its value in data-value.
const SVG = 'http://www.w3.org/2000/svg';
const COLOURS = ['#4a78c2', '#2f9e5b', '#c2564a', '#9a6500'];

function svg(tag, attrs, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

/** A grouped bar chart: one group per label, one bar per series. */
export function barChart({ id, title, labels, series }) {
  const group = 18 * series.length + 14;
  const width = Math.max(360, 60 + labels.length * group);
  const height = 240;
  const plot = height - 90;
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const root = svg('svg', { id, width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  root.append(svg('title', {}, title), svg('text', { x: 8, y: 16, 'font-size': 13 }, title));
  root.append(svg('text', { x: 8, y: 34, 'font-size': 11, fill: '#6b7380' }, `max ${max}`));
  labels.forEach((label, i) => {
    const x0 = 50 + i * group;
    series.forEach((s, j) => {
      const value = s.values[i];
      const h = Math.round((value / max) * plot);
      const bar = svg('rect', { x: x0 + j * 18, y: 40 + plot - h, width: 16, height: h, fill: COLOURS[j % 4] });
      bar.setAttribute('data-series', s.name);
      bar.setAttribute('data-label', label);
      bar.setAttribute('data-value', value);
      bar.append(svg('title', {}, `${label} ${s.name}: ${value}`));
      root.append(bar);
    });
    const text = svg('text', { x: x0, y: height - 36, 'font-size': 10, transform: `rotate(20 ${x0} ${height - 36})` });
    text.textContent = label;
    root.append(text);
  });
  series.forEach((s, j) => {
    root.append(svg('rect', { x: 8 + j * 110, y: height - 14, width: 10, height: 10, fill: COLOURS[j % 4] }));
    root.append(svg('text', { x: 22 + j * 110, y: height - 5, 'font-size': 11 }, s.name));
  });
  return root;
}
