/**
 * What a public package's package.json must say before it is published (issue 12): license,
 * repository with its folder, homepage, bugs, keywords, caret ranges for what users install, exact
 * pins for devDependencies, and no development-only `@m2m-auth/source` condition in what is published.
 * `manifestProblems` reads the repository's manifest; `publishedManifestProblems` the one in a tarball.
 */
import { isDeepStrictEqual } from 'node:util'
import { ISSUES_URL, type Manifest, REPOSITORY_URL, WEB_URL } from './workspace.js'

export const SOURCE_CONDITION = '@m2m-auth/source'
const SIBLING = /^@m2m-auth\//
const VERSION = String.raw`\d+\.\d+\.\d+(?:-[\w.]+)?`
const CARET = new RegExp(String.raw`^\^${VERSION}(?: \|\| \^${VERSION})*$`)
const EXACT = new RegExp(`^${VERSION}$`)
const EXACT_ALIAS = new RegExp(`^npm:(?:@[\\w.-]+/)?[\\w.-]+@${VERSION}$`)
const WORKSPACE = /^workspace:[*^~]$/
const RUNTIME_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies'] as const

type Json = Record<string, unknown>

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** `exports` with the development condition taken out, at any depth. */
export function withoutSourceCondition(value: unknown): unknown {
  if (!isObject(value)) return value
  const entries = Object.entries(value).filter(([key]) => key !== SOURCE_CONDITION)
  return Object.fromEntries(entries.map(([key, v]) => [key, withoutSourceCondition(v)]))
}

/** Every string target of an `exports` map (and friends): `./dist/index.js`, ... */
export function targets(value: unknown): string[] {
  if (typeof value === 'string') return [value]
  if (Array.isArray(value)) return value.flatMap(targets)
  return isObject(value) ? Object.values(value).flatMap(targets) : []
}

function metadataProblems(m: Manifest, relativeDir: string): string[] {
  const problems: string[] = []
  if (m.license !== 'MIT') problems.push('license: must be "MIT"')
  if (typeof m.description !== 'string' || m.description === '') problems.push('description: missing')
  const keywords = m.keywords
  if (
    !Array.isArray(keywords) ||
    keywords.length === 0 ||
    !keywords.every((k) => typeof k === 'string' && k)
  ) {
    problems.push('keywords: must be a non-empty list of words')
  }
  const repository = { type: 'git', url: REPOSITORY_URL, directory: relativeDir }
  if (!isDeepStrictEqual(m.repository, repository)) {
    problems.push(`repository: must be ${JSON.stringify(repository)}`)
  }
  const homepage = `${WEB_URL}/tree/main/${relativeDir}#readme`
  if (m.homepage !== homepage) problems.push(`homepage: must be ${homepage}`)
  if (!isDeepStrictEqual(m.bugs, { url: ISSUES_URL }))
    problems.push(`bugs: must be { "url": "${ISSUES_URL}" }`)
  if (!isObject(m.engines) || typeof m.engines.node !== 'string') problems.push('engines.node: missing')
  return problems
}

function rangeProblems(m: Manifest, published: boolean): string[] {
  const problems: string[] = []
  for (const field of RUNTIME_FIELDS) {
    for (const [name, spec] of Object.entries((m[field] as Json | undefined) ?? {})) {
      const sibling = SIBLING.test(name)
      const ok =
        typeof spec === 'string' &&
        (CARET.test(spec) || (sibling && (EXACT.test(spec) || (!published && WORKSPACE.test(spec)))))
      if (!ok) problems.push(`${field}.${name}: ${JSON.stringify(spec)} must be a caret range (^x.y.z)`)
    }
  }
  if (published) return problems
  for (const [name, spec] of Object.entries((m.devDependencies as Json | undefined) ?? {})) {
    const ok =
      typeof spec === 'string' && (EXACT.test(spec) || EXACT_ALIAS.test(spec) || WORKSPACE.test(spec))
    if (!ok) problems.push(`devDependencies.${name}: ${JSON.stringify(spec)} must be an exact version`)
  }
  return problems
}

/** The fields that say where the published files are; all of them must point into dist/. */
function entryProblems(exports: unknown, imports: unknown, m: Manifest): string[] {
  const problems: string[] = []
  const entries = [
    ...targets(exports),
    ...targets(imports),
    ...targets(m.main),
    ...targets(m.module),
    ...targets(m.types),
    ...targets(m.bin),
  ]
  for (const target of entries) {
    if (target !== './package.json' && !target.startsWith('./dist/')) {
      problems.push(`${target}: published entry points must be in ./dist/`)
    }
  }
  const files = m.files
  if (!Array.isArray(files) || !files.includes('dist')) problems.push('files: must list "dist"')
  else if (files.some((f) => typeof f !== 'string' || /^(\.\/)?(src|test)\b/.test(f))) {
    problems.push('files: must not ship src/ or test/')
  }
  return problems
}

/** Problems of a public package's package.json in the repository (empty when it is ready). */
export function manifestProblems(m: Manifest, relativeDir: string): string[] {
  const problems = [...metadataProblems(m, relativeDir), ...rangeProblems(m, false)]
  const publishConfig = isObject(m.publishConfig) ? m.publishConfig : {}
  if (publishConfig.access !== 'public') problems.push('publishConfig.access: must be "public"')
  // Package `imports` (e.g. `#transport`) follow the same rule as `exports`.
  const published = publishedField('exports', m, publishConfig, problems)
  const publishedImports = publishedField('imports', m, publishConfig, problems)
  return [...problems, ...entryProblems(published, publishedImports, m)]
}

/**
 * What a map field (`exports`, `imports`) will be once published: `publishConfig`'s copy, which must
 * equal the repository's without the source condition. Problems are added to `problems`.
 */
function publishedField(
  field: 'exports' | 'imports',
  m: Manifest,
  publishConfig: Record<string, unknown>,
  problems: string[],
): unknown {
  const published = publishConfig[field] ?? m[field]
  if (JSON.stringify(published ?? null).includes(SOURCE_CONDITION)) {
    problems.push(`publishConfig.${field}: must exist without the ${SOURCE_CONDITION} condition`)
  } else if (
    publishConfig[field] !== undefined &&
    !isDeepStrictEqual(published, withoutSourceCondition(m[field]))
  ) {
    problems.push(`publishConfig.${field}: must equal ${field} without the ${SOURCE_CONDITION} condition`)
  }
  return published
}

/** Problems of the package.json inside a packed tarball. */
export function publishedManifestProblems(m: Manifest, relativeDir: string): string[] {
  const problems = [
    ...metadataProblems(m, relativeDir),
    ...rangeProblems(m, true),
    ...entryProblems(m.exports, m.imports, m),
  ]
  if (JSON.stringify(m).includes(SOURCE_CONDITION))
    problems.push(`the ${SOURCE_CONDITION} condition is published`)
  if (JSON.stringify(m).includes('workspace:')) problems.push('a workspace: range is published')
  return problems
}
