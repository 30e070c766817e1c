// Copies the shared adapter options table (docs/adapter-options.md) into the adapter READMEs,
// between the same markers. Run after editing the table: `node scripts/sync-options-table.mjs`.
import { readFileSync, writeFileSync } from 'node:fs'

const START = '<!-- adapter-options:start -->'
const END = '<!-- adapter-options:end -->'
const root = new URL('..', import.meta.url)

function block(text, file) {
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  if (start < 0 || end < start) throw new Error(`${file}: no ${START} ... ${END} block`)
  return { start, end: end + END.length }
}

const source = readFileSync(new URL('docs/adapter-options.md', root), 'utf8')
const { start, end } = block(source, 'docs/adapter-options.md')
const table = source.slice(start, end)
for (const adapter of ['express', 'fastify', 'hono']) {
  const file = `packages/${adapter}/README.md`
  const text = readFileSync(new URL(file, root), 'utf8')
  const at = block(text, file)
  writeFileSync(new URL(file, root), text.slice(0, at.start) + table + text.slice(at.end))
}
