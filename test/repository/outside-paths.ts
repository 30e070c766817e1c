/**
 * Finds references to paths outside the repository in a tracked file's text: absolute paths of a
 * machine (under the work, home, Users, root or mnt folders of the file system root), the shared
 * folder that sits beside the repository on developer machines, named relatively, and relative
 * paths (imports, `new URL(...)` against `import.meta.url`, markdown links, tsconfig `extends`) that
 * climb above the repository root from the file's own folder.
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path'
import { parseAllDocuments } from 'yaml'

export interface OutsideReference {
  file: string
  line: number
  text: string
  why: string
}

/** An absolute path of a machine, not part of a URL or of a longer path (`https://x/work/`). */
const MACHINE_PATH = /(?<![\w.:/-])\/(?:work|home|Users|root|mnt)\/[^\s'"`)]*/g
/** The folder beside the repository, by its relative name (prose such as "shared store" is fine). */
const SHARED_FOLDER = /(?<![\w-])\.\.\/shared\b[^\s'"`)]*/g
/** A relative path starting at a token boundary: quote, backtick, bracket, space, `=` or `,`. */
const RELATIVE_PATH = /(?<=^|[\s'"`(=,[])(?:\.\.?\/)+[^\s'"`)\]>,;]*/gm

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split('\n').length
}

function escapes(root: string, from: string, path: string): boolean {
  const rel = relative(root, resolve(root, from, path))
  return rel === '..' || rel.startsWith('../') || isAbsolute(rel)
}

/** References to outside paths in `text`, the content of `file` (a path relative to `root`). */
export function outsideReferences(root: string, file: string, text: string): OutsideReference[] {
  const found: OutsideReference[] = []
  const add = (index: number, match: string, why: string) =>
    found.push({ file, line: lineOf(text, index), text: match, why })
  for (const m of text.matchAll(MACHINE_PATH)) add(m.index, m[0], 'absolute path of a machine')
  for (const m of text.matchAll(SHARED_FOLDER)) add(m.index, m[0], 'the folder beside the repository')
  for (const m of text.matchAll(RELATIVE_PATH)) {
    if (escapes(root, dirname(file), m[0])) add(m.index, m[0], 'relative path above the repository root')
  }
  if (file === 'pnpm-lock.yaml') found.push(...lockfileLinks(root, text))
  return found
}

type Lock = { importers?: Record<string, Record<string, unknown>> }

/** `link:` and `file:` versions in pnpm-lock.yaml, relative to their importer's folder. */
function lockfileLinks(root: string, text: string): OutsideReference[] {
  // pnpm 12 writes more than one YAML document into the lockfile; importers are in one of them.
  const docs = parseAllDocuments(text) as { toJS(): unknown }[]
  const importers = docs.flatMap((d) => Object.entries((d.toJS() as Lock | null)?.importers ?? {}))
  const found: OutsideReference[] = []
  for (const [importer, sections] of importers) {
    for (const deps of Object.values(sections)) {
      if (typeof deps !== 'object' || deps === null) continue
      for (const [name, dep] of Object.entries(deps as Record<string, { version?: unknown }>)) {
        const version = typeof dep?.version === 'string' ? dep.version : ''
        const path = /^(?:link|file):(.*)$/.exec(version)?.[1]
        if (path !== undefined && escapes(root, importer, path)) {
          found.push({
            file: 'pnpm-lock.yaml',
            line: 0,
            text: `${importer}: ${name} ${version}`,
            why: 'lockfile link',
          })
        }
      }
    }
  }
  return found
}
