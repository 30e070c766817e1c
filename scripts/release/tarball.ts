/**
 * Packs a package the way it is published (`pnpm pack` applies `publishConfig`) and checks what the
 * tarball holds: LICENSE, README.md, package.json and the built dist/ files only; every entry point
 * present; every dist/ file used; nothing that points at a file the tarball does not have.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, posix } from 'node:path'
import { targets } from './manifest.js'
import type { Manifest } from './workspace.js'

export interface Tarball {
  /** Path of the .tgz. */
  file: string
  /** The tarball's files, by path inside the package (`dist/index.js`). */
  files: Map<string, Buffer>
  manifest: Manifest
  /** What `pnpm pack` printed on stderr (warnings); a ready package packs silently. */
  packWarnings: string[]
}

const REQUIRED = ['LICENSE', 'README.md', 'package.json']
const OPTIONAL = ['CHANGELOG.md'] // written by `changeset version`
const DIST_FILE = /^dist\/[\w./-]+\.(?:js|cjs|mjs|d\.ts|d\.cts|d\.mts)$/
const RELATIVE_SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)(["'])(\.{1,2}\/[^"']+)\1/g
const DOCUMENT = /(?<![\w/.-])((?:[\w.-]+\/)*[\w-]+\.md)\b/g
const MARKDOWN_LINK = /\]\(([^)\s]+)\)/g

function walk(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`],
  )
}

/** `pnpm pack` into a fresh folder, then the tarball's contents as `tar` unpacks them. */
export function pack(packageDir: string): Tarball {
  const out = mkdtempSync(join(tmpdir(), 'm2m-auth-pack-'))
  const packed = spawnSync('pnpm', ['pack', '--json', '--pack-destination', out], {
    cwd: packageDir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  if (packed.status !== 0) throw new Error(`pnpm pack failed in ${packageDir}:\n${packed.stderr}`)
  const packWarnings = packed.stderr.split('\n').filter((line) => line.trim() !== '')
  const report = packed.stdout
  const file = (JSON.parse(report) as { filename: string }).filename
  const unpacked = join(out, 'unpacked')
  mkdirSync(unpacked)
  execFileSync('tar', ['-xzf', file, '-C', unpacked])
  const root = join(unpacked, 'package')
  const files = new Map(walk(root).map((path) => [path, readFileSync(join(root, path))]))
  const manifest = JSON.parse(files.get('package.json')?.toString('utf8') ?? '{}') as Manifest
  return { file, files, manifest, packWarnings }
}

/** The entry points the manifest names (package `imports` included), as paths inside the package. */
function entryPoints(m: Manifest): string[] {
  const all = [
    ...targets(m.exports),
    ...targets(m.imports),
    ...targets(m.main),
    ...targets(m.module),
    ...targets(m.types),
    ...targets(m.bin),
  ]
  return [...new Set(all.map((t) => posix.normalize(t)))]
}

/** Declarations TypeScript finds beside a JavaScript entry point (`x.cjs` -> `x.d.cts`). */
function declarationsBeside(entries: string[], files: Map<string, Buffer>): string[] {
  const beside = entries.map((t) => t.replace(/\.(c|m)?js$/, (_, kind = '') => `.d.${kind}ts`))
  return beside.filter((path) => !entries.includes(path) && files.has(path))
}

/** dist/ files reachable from the entry points through relative imports. */
function reachable(files: Map<string, Buffer>, roots: string[]): Set<string> {
  const seen = new Set<string>()
  const queue = roots.filter((r) => files.has(r))
  for (let path = queue.pop(); path !== undefined; path = queue.pop()) {
    if (seen.has(path)) continue
    seen.add(path)
    for (const match of (files.get(path)?.toString('utf8') ?? '').matchAll(RELATIVE_SPECIFIER)) {
      const target = posix.join(dirname(path), match[2] ?? '')
      if (files.has(target)) queue.push(target)
      // Declarations import their siblings by the JavaScript name (`./types-x.js` is `types-x.d.ts`).
      const declaration = declarationOf(path, target)
      if (declaration !== undefined && files.has(declaration)) queue.push(declaration)
    }
  }
  return seen
}

function declarationOf(importer: string, target: string): string | undefined {
  if (importer.endsWith('.d.ts')) return target.replace(/\.js$/, '.d.ts')
  if (importer.endsWith('.d.cts')) return target.replace(/\.c?js$/, '.d.cts')
  if (importer.endsWith('.d.mts')) return target.replace(/\.m?js$/, '.d.mts')
  return undefined
}

function textProblems(path: string, text: string, files: Map<string, Buffer>): string[] {
  const problems: string[] = []
  if (text.includes('sourceMappingURL'))
    problems.push(`${path}: has a sourceMappingURL (maps are not shipped)`)
  if (/\/work\/|\.\.\/shared\b/.test(text)) problems.push(`${path}: mentions a path outside the package`)
  for (const match of text.matchAll(DOCUMENT)) {
    const doc = match[1] ?? ''
    if (!files.has(doc)) problems.push(`${path}: refers to ${doc}, which the tarball does not have`)
  }
  if (!path.endsWith('.md')) return problems
  for (const match of text.matchAll(MARKDOWN_LINK)) {
    const link = match[1] ?? ''
    const local = posix.normalize(posix.join(dirname(path), link.replace(/#.*$/, '')))
    if (!/^(https?:|mailto:|#)/.test(link) && !files.has(local)) {
      problems.push(`${path}: links to ${link}, which the tarball does not have (use an absolute URL)`)
    }
  }
  return problems
}

/** Problems with what the tarball holds (empty when it holds exactly what users need). */
export function contentsProblems(tarball: Tarball): string[] {
  const { files, manifest } = tarball
  const problems = tarball.packWarnings.map((line) => `pnpm pack: ${line}`)
  for (const path of REQUIRED) if (!files.has(path)) problems.push(`${path}: missing`)
  for (const path of files.keys()) {
    if (!REQUIRED.includes(path) && !OPTIONAL.includes(path) && !DIST_FILE.test(path)) {
      problems.push(`${path}: not expected in a tarball (LICENSE, README.md, package.json and dist/ only)`)
    }
  }
  const entries = entryPoints(manifest)
  for (const entry of entries)
    if (!files.has(entry)) problems.push(`${entry}: named by package.json, not shipped`)
  const used = reachable(files, [...entries, ...declarationsBeside(entries, files)])
  for (const path of files.keys()) {
    if (path.startsWith('dist/') && !used.has(path))
      problems.push(`${path}: shipped but no entry point uses it`)
  }
  for (const [path, data] of files) {
    if (path !== 'LICENSE') problems.push(...textProblems(path, data.toString('utf8'), files))
  }
  return problems
}
