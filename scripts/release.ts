/**
 * `pnpm release`: builds, packs every public package, checks every tarball (contents, published
 * manifest, publint, arethetypeswrong) and then publishes with `changeset publish`.
 * `pnpm release --dry-run` (`pnpm release:check`, run by CI) does everything but publish.
 * Any problem, warnings and suggestions included, stops the release.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { attwProblems, publintProblems } from './release/lint.js'
import { publishedManifestProblems } from './release/manifest.js'
import { contentsProblems, pack } from './release/tarball.js'
import { publicPackages, ROOT, type WorkspacePackage } from './release/workspace.js'

const dryRun = process.argv.includes('--dry-run')
const skipBuild = process.argv.includes('--no-build')
const unknown = process.argv.slice(2).filter((a) => a !== '--dry-run' && a !== '--no-build')
if (unknown.length > 0) {
  process.stderr.write(`release: unknown argument ${unknown.join(' ')} (use --dry-run, --no-build)\n`)
  process.exit(2)
}

const run = (command: string, args: string[]) => execFileSync(command, args, { cwd: ROOT, stdio: 'inherit' })
const license = readFileSync(join(ROOT, 'LICENSE'))

/** Packs one package and returns what is wrong with its tarball, plus what the report lists. */
async function check(pkg: WorkspacePackage): Promise<{ problems: string[]; listing: string }> {
  const tarball = pack(pkg.dir)
  const problems = [
    ...contentsProblems(tarball),
    ...publishedManifestProblems(tarball.manifest, pkg.relativeDir),
    ...(await publintProblems(tarball.file)),
    ...(await attwProblems(tarball.file)),
  ]
  if (!tarball.files.get('LICENSE')?.equals(license))
    problems.push('LICENSE: differs from the repository LICENSE')
  const size = readFileSync(tarball.file).byteLength
  rmSync(dirname(tarball.file), { recursive: true, force: true })
  const rows = [...tarball.files].map(([path, data]) => `    ${String(data.byteLength).padStart(7)}  ${path}`)
  const listing = `${pkg.manifest.name}@${pkg.manifest.version}: ${tarball.files.size} files, ${size} bytes packed\n${rows.join('\n')}`
  return { problems, listing }
}

if (!skipBuild) run('pnpm', ['build'])
const packages = publicPackages()
let failed = 0
for (const pkg of packages) {
  const { problems, listing } = await check(pkg)
  process.stdout.write(`${listing}\n`)
  for (const problem of problems) process.stdout.write(`  ✗ ${problem}\n`)
  if (problems.length > 0) failed++
}
process.stdout.write(`\nrelease check: ${packages.length - failed} of ${packages.length} packages ready\n`)
if (failed > 0) process.exit(1)
if (dryRun) process.stdout.write('dry run: nothing published\n')
else run('pnpm', ['exec', 'changeset', 'publish'])
