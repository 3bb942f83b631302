import type { SoakSample } from './types.ts';

const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#393b79', '#637939'];
const W = 760;
const PANEL_H = 240;
const LEFT = 56;
const RIGHT = 130;
const TOP = 28;

interface Series {
  label: string;
  points: { t: number; v: number }[];
}

const esc = (s: string) => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** One panel: axes, a title, and a polyline per series (time on x, from 0 to `maxT` seconds). */
function panel(y0: number, title: string, unit: string, series: readonly Series[], maxT: number): string {
  const maxV = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.v))) * 1.1;
  const x = (t: number) => LEFT + ((W - LEFT - RIGHT) * t) / maxT;
  const y = (v: number) => y0 + PANEL_H - ((PANEL_H - TOP) * v) / maxV;
  const axes = `<line x1="${LEFT}" y1="${y0 + PANEL_H}" x2="${W - RIGHT}" y2="${y0 + PANEL_H}" stroke="#000"/>`
    + `<line x1="${LEFT}" y1="${y0 + TOP}" x2="${LEFT}" y2="${y0 + PANEL_H}" stroke="#000"/>`
    + `<text x="${LEFT}" y="${y0 + 16}" font-size="13">${esc(title)}</text>`
    + `<text x="4" y="${y0 + TOP + 4}" font-size="11">${maxV.toFixed(0)} ${unit}</text><text x="${LEFT - 14}" y="${y0 + PANEL_H}" font-size="11">0</text>`
    + `<text x="${LEFT}" y="${y0 + PANEL_H + 14}" font-size="11">0 s</text><text x="${W - RIGHT - 30}" y="${y0 + PANEL_H + 14}" font-size="11">${Math.round(maxT)} s</text>`;
  const lines = series.map((s, i) => {
    const colour = COLOURS[i % COLOURS.length] ?? '#000';
    const pts = s.points.map((p) => `${x(p.t).toFixed(1)},${y(p.v).toFixed(1)}`).join(' ');
    return `<polyline fill="none" stroke="${colour}" stroke-width="1.5" points="${pts}"/>`
      + `<text x="${W - RIGHT + 8}" y="${y0 + TOP + 12 + i * 14}" fill="${colour}" font-size="11">${esc(s.label)}</text>`;
  }).join('');
  return axes + lines;
}

/**
 * The soak as a small SVG: heap used after a forced GC per process (top) and the end-to-end lag,
 * p50 and p99 per interval (bottom), against seconds since the load started. Pure.
 */
export function soakChart(samples: readonly SoakSample[]): string {
  const maxT = Math.max(1, ...samples.map((s) => s.atS));
  const names = [...new Set(samples.flatMap((s) => Object.keys(s.processes)))];
  const heap: Series[] = names.map((label) => ({
    label,
    points: samples.flatMap((s) => {
      const v = s.processes[label]?.heapAfterGcMiB;
      return v === null || v === undefined ? [] : [{ t: s.atS, v }];
    }),
  }));
  const lag: Series[] = (['p50', 'p99'] as const).map((q) => ({
    label: `ack→push ${q}`,
    points: samples.flatMap((s) => (s.lagMs ? [{ t: s.atS, v: s.lagMs[q] }] : [])),
  }));
  const h = 2 * (PANEL_H + 30) + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" font-family="sans-serif">`
    + `<rect width="${W}" height="${h}" fill="#fff"/>`
    + panel(0, 'heap used after a forced GC, per process (MiB)', 'MiB', heap, maxT)
    + panel(PANEL_H + 30, 'end-to-end lag: placeOrder ack → first push to each subscriber (ms)', 'ms', lag, maxT)
    + '</svg>';
}
