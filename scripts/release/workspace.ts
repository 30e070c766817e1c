/**
 * The workspace's public packages, found the way pnpm finds them (the globs of pnpm-workspace.yaml),
 * so a package added to the workspace is checked without editing the release scripts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const REPOSITORY_URL = 'git+https://github.com/m2m-auth/m2m-auth.git'
export const WEB_URL = 'https://github.com/m2m-auth/m2m-auth'
export const ISSUES_URL = `${WEB_URL}/issues`

/** The fields of package.json the release checks read. */
export interface Manifest {
  name: string
  version: string
  private?: boolean
  [field: string]: unknown
}

export interface WorkspacePackage {
  /** Absolute path of the package's folder. */
  dir: string
  /** Path from the repository root, with `/` separators (what `repository.directory` says). */
  relativeDir: string
  manifest: Manifest
}

/** Folders matched by one pnpm-workspace.yaml entry: `dir` or `dir/*` (anything else is refused). */
function expand(pattern: string): string[] {
  if (!/^[\w.-]+(\/[\w.-]+)*(\/\*)?$/.test(pattern)) {
    throw new Error(
      `pnpm-workspace.yaml: pattern ${JSON.stringify(pattern)} is not supported by scripts/release`,
    )
  }
  if (!pattern.endsWith('/*')) return [pattern]
  const parent = pattern.slice(0, -2)
  const entries = readdirSync(join(ROOT, parent), { withFileTypes: true })
  return entries.filter((e) => e.isDirectory()).map((e) => `${parent}/${e.name}`)
}

/** Every workspace package (private ones included), sorted by folder. */
export function workspacePackages(root = ROOT): WorkspacePackage[] {
  const config = parse(readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8')) as { packages?: string[] }
  const patterns = config.packages ?? []
  const excluded = new Set(patterns.filter((p) => p.startsWith('!')).flatMap((p) => expand(p.slice(1))))
  const dirs = patterns.filter((p) => !p.startsWith('!')).flatMap(expand)
  return [...new Set(dirs)]
    .filter((d) => !excluded.has(d) && existsSync(join(root, d, 'package.json')))
    .sort()
    .map((d) => {
      const dir = join(root, d)
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest
      return { dir, relativeDir: relative(root, dir).split('\\').join('/'), manifest }
    })
}

/** The packages that get published: every workspace package not marked `private`. */
export function publicPackages(root = ROOT): WorkspacePackage[] {
  return workspacePackages(root).filter((p) => p.manifest.private !== true)
}
