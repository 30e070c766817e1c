// Writes the load section of bench/RESULTS.md between its markers. Other sections of that file
// belong to other benchmarks: the file is read again right before writing, and only the text
// between the markers is replaced (the section is appended when the markers are absent).
import { readFile, rename, writeFile } from 'node:fs/promises'

export const START_MARKER = '<!-- load:start -->'
export const END_MARKER = '<!-- load:end -->'
/** The fixed-rate run (`--rate`) has a section of its own: it never replaces the saturation run's. */
export const RATE_START_MARKER = '<!-- load-rate:start -->'
export const RATE_END_MARKER = '<!-- load-rate:end -->'

/** The many-token goal run (`--goal`) too: it has only some of the rows. */
export const GOAL_START_MARKER = '<!-- load-goal:start -->'
export const GOAL_END_MARKER = '<!-- load-goal:end -->'

/**
 * Replaces (or appends) the load section of `path`: that of the saturation run, or of the
 * fixed-rate run (`kind` 'rate') or of the goal run (`kind` 'goal').
 */
export function writeLoadSection(path, markdown, kind = 'load') {
  if (kind === 'rate') return writeSection(path, markdown, RATE_START_MARKER, RATE_END_MARKER)
  if (kind === 'goal') return writeSection(path, markdown, GOAL_START_MARKER, GOAL_END_MARKER)
  return writeSection(path, markdown, START_MARKER, END_MARKER)
}

/** Replaces (or appends) the section between `startMarker` and `endMarker`. */
export async function writeSection(path, markdown, startMarker, endMarker) {
  let text = ''
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if (error?.code !== 'ENOENT') throw error
  }
  const block = `${startMarker}\n${markdown}\n${endMarker}`
  const start = text.indexOf(startMarker)
  const end = text.indexOf(endMarker, start)
  if (start !== -1 && end !== -1) {
    text = text.slice(0, start) + block + text.slice(end + endMarker.length)
  } else {
    const head = text.trim() === '' ? '# Benchmark results\n\n' : `${text.replace(/\n*$/, '')}\n\n`
    text = `${head}${block}\n`
  }
  // Write then rename, so that a reader never sees half a file.
  const temporary = `${path}.${process.pid}.tmp`
  await writeFile(temporary, text)
  await rename(temporary, path)
}
