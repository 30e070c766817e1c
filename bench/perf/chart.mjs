// Draws the benchmark chart (bench/chart.svg) by hand: panels of horizontal bars, one per figure
// of RESULTS.md worth seeing at a glance. No dependency: the SVG is a few rectangles and texts.

const WIDTH = 900
const LABEL_WIDTH = 420
const BAR_HEIGHT = 16
const GAP = 6
const PALETTE = ['#8c8c8c', '#b0b0b0', '#2f6fd0', '#d06a2f', '#3a9a5b', '#8a4fc0']

const escapeXml = (text) =>
  String(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')

function format(value, unit) {
  if (!Number.isFinite(value)) return 'n/a'
  const digits = value >= 100 ? 0 : value >= 10 ? 1 : 2
  return `${value.toFixed(digits)} ${unit}`
}

/** One panel: a title and bars scaled to the panel's largest value. Returns [svg, height]. */
function panel({ title, unit, bars }, top) {
  const finite = bars.filter((b) => Number.isFinite(b.value))
  const max = Math.max(1e-9, ...finite.map((b) => b.value))
  const scale = (WIDTH - LABEL_WIDTH - 110) / max
  const parts = [`<text x="10" y="${top + 16}" class="title">${escapeXml(title)}</text>`]
  bars.forEach((bar, i) => {
    const y = top + 28 + i * (BAR_HEIGHT + GAP)
    const width = Number.isFinite(bar.value) ? Math.max(1, bar.value * scale) : 0
    const color = PALETTE[bar.color ?? i % PALETTE.length]
    parts.push(
      `<text x="${LABEL_WIDTH - 8}" y="${y + 12}" class="label" text-anchor="end">${escapeXml(bar.label)}</text>`,
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${width.toFixed(1)}" height="${BAR_HEIGHT}" fill="${color}"/>`,
      `<text x="${LABEL_WIDTH + width + 6}" y="${y + 12}" class="value">${escapeXml(format(bar.value, unit))}</text>`,
    )
  })
  return [parts.join('\n'), 28 + bars.length * (BAR_HEIGHT + GAP) + 14]
}

/**
 * The chart for `panels` ({ title, unit, bars: [{ label, value, color? }] }), with a caption line.
 *
 * @returns {string} an SVG document
 */
export function drawChart(panels, caption) {
  let top = 10
  const bodies = []
  for (const p of panels.filter((p) => p.bars.length > 0)) {
    const [svg, height] = panel(p, top)
    bodies.push(svg)
    top += height
  }
  const height = top + 24
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif">`,
    // An accessible name (and what biome's a11y rule asks of every committed SVG).
    '<title>m2m-auth benchmark chart</title>',
    '<style>.title{font-size:14px;font-weight:600;fill:#222}.label{font-size:12px;fill:#333}.value{font-size:12px;fill:#222}.caption{font-size:11px;fill:#666}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...bodies,
    `<text x="10" y="${height - 8}" class="caption">${escapeXml(caption)}</text>`,
    '</svg>',
    '',
  ].join('\n')
}
