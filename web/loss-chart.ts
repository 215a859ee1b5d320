import type { LossPoint } from '../app/client/index.js';
import { formatNumber } from './format.js';

const width = 240;
const height = 64;
const pad = 3;
/** More points than the chart has pixels only cost time. */
const maxPoints = width;

const svgNs = 'http://www.w3.org/2000/svg';

/** An empty chart, to be filled by drawLossChart. */
export function createLossChart(label: string): SVGSVGElement {
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'loss-chart');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.append(document.createElementNS(svgNs, 'polyline'));
  return svg;
}

/** Redraws the loss history as a line (oldest left), scaled to its own min and max. */
export function drawLossChart(svg: SVGSVGElement, history: LossPoint[], label: string): void {
  const points = thin(history.filter((p) => Number.isFinite(p.loss)));
  const line = svg.querySelector('polyline')!;
  const losses = points.map((p) => p.loss);
  const [low, high] = [Math.min(...losses), Math.max(...losses)];
  const span = high - low || 1;
  const step = points.length > 1 ? (width - 2 * pad) / (points.length - 1) : 0;
  const coords = points.map((p, i) => `${(pad + i * step).toFixed(1)},${(height - pad - ((p.loss - low) / span) * (height - 2 * pad)).toFixed(1)}`);
  line.setAttribute('points', coords.join(' '));
  svg.dataset.points = String(history.length);
  const summary = history.length
    ? `${history.length} losses posted, from ${formatNumber(history[0].loss)} to ${formatNumber(history[history.length - 1].loss)}`
    : 'no loss posted yet';
  svg.setAttribute('aria-label', `${label}: ${summary}`);
}

/** Every k-th point, and always the newest, so the curve keeps its shape and its end. */
function thin(points: LossPoint[]): LossPoint[] {
  if (points.length <= maxPoints) return points;
  const every = Math.ceil(points.length / maxPoints);
  const kept = points.filter((_, i) => i % every === 0);
  if (kept[kept.length - 1] !== points[points.length - 1]) kept.push(points[points.length - 1]);
  return kept;
}
