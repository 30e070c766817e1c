/**
 * Every public package's package.json is ready to publish (issue 12): MIT with a LICENSE file,
 * repository with its folder, homepage, bugs, keywords, caret ranges for runtime dependencies and
 * peers, exact devDependencies, no `@m2m-auth/source` condition in what is published, and the whole
 * set released together by changesets. Packages are discovered, so a new one is held to the same rules.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { manifestProblems, withoutSourceCondition } from '../../scripts/release/manifest.js'
import { type Manifest, publicPackages, ROOT, workspacePackages } from '../../scripts/release/workspace.js'

const packages = publicPackages()
const rootLicense = readFileSync(join(ROOT, 'LICENSE'), 'utf8')

describe('public package manifests', () => {
  it('finds every public package of the workspace, and no private one', () => {
    const names = packages.map((p) => p.manifest.name)
    for (const known of ['core', 'express', 'fastify', 'hono', 'emulator', 'cli', 'redis-store']) {
      expect(names).toContain(`@m2m-auth/${known}`)
    }
    expect(names).not.toContain('@m2m-auth/test')
    expect(workspacePackages().length).toBeGreaterThan(packages.length)
  })

  for (const pkg of packages) {
    describe(pkg.manifest.name, () => {
      it('meets the publishing rules', () => {
        expect(manifestProblems(pkg.manifest, pkg.relativeDir)).toEqual([])
      })

      it('has an MIT LICENSE file identical to the repository one, and a README', () => {
        expect(rootLicense).toMatch(/^MIT License\n/)
        expect(readFileSync(join(pkg.dir, 'LICENSE'), 'utf8')).toBe(rootLicense)
        expect(readFileSync(join(pkg.dir, 'README.md'), 'utf8')).toContain(pkg.manifest.name)
      })
    })
  }

  it('releases every public package together: one changesets fixed group, private packages unversioned', () => {
    const config = JSON.parse(readFileSync(join(ROOT, '.changeset/config.json'), 'utf8'))
    expect(config.fixed).toHaveLength(1)
    expect([...config.fixed[0]].sort()).toEqual(packages.map((p) => p.manifest.name).sort())
    expect(config.access).toBe('public')
    expect(config.privatePackages).toEqual({ version: false, tag: false })
    expect(new Set(packages.map((p) => p.manifest.version)).size).toBe(1)
  })
})

describe('the publishing rules reject what an unready manifest says', () => {
  const [sample] = packages.filter((p) => p.manifest.name === '@m2m-auth/fastify')
  if (!sample) throw new Error('@m2m-auth/fastify not found')
  const good = sample.manifest
  const problemsOf = (change: (m: Record<string, unknown>) => void): string[] => {
    const copy = structuredClone(good) as Manifest
    change(copy)
    return manifestProblems(copy, sample.relativeDir)
  }

  it.each([
    [
      'an exact runtime dependency',
      (m: Record<string, unknown>) => Object.assign(m.dependencies as object, { x: '1.2.3' }),
      'dependencies.x',
    ],
    [
      'a star peer range',
      (m: Record<string, unknown>) => Object.assign(m.peerDependencies as object, { fastify: '5.x' }),
      'peerDependencies.fastify',
    ],
    [
      'a workspace range for a non-sibling',
      (m: Record<string, unknown>) => Object.assign(m.dependencies as object, { x: 'workspace:*' }),
      'dependencies.x',
    ],
    [
      'a caret devDependency',
      (m: Record<string, unknown>) => Object.assign(m.devDependencies as object, { x: '^1.0.0' }),
      'devDependencies.x',
    ],
    ['no repository', (m: Record<string, unknown>) => delete m.repository, 'repository'],
    [
      'a repository without its folder',
      (m: Record<string, unknown>) => Object.assign(m.repository as object, { directory: undefined }),
      'repository',
    ],
    ['no homepage', (m: Record<string, unknown>) => delete m.homepage, 'homepage'],
    ['no bugs', (m: Record<string, unknown>) => delete m.bugs, 'bugs'],
    ['no keywords', (m: Record<string, unknown>) => delete m.keywords, 'keywords'],
    ['another license', (m: Record<string, unknown>) => Object.assign(m, { license: 'ISC' }), 'license'],
    ['no publishConfig', (m: Record<string, unknown>) => delete m.publishConfig, 'publishConfig'],
    ['src in files', (m: Record<string, unknown>) => Object.assign(m, { files: ['dist', 'src'] }), 'files'],
  ])('%s', (_what, change, field) => {
    const problems = problemsOf(change)
    expect(problems.length).toBeGreaterThan(0)
    expect(problems.join('\n')).toContain(field)
  })

  it('the source condition in publishConfig.exports, or an export missing from it', () => {
    const leaked = problemsOf((m) => {
      m.publishConfig = { access: 'public', exports: m.exports }
    })
    expect(leaked.join('\n')).toContain('@m2m-auth/source')
    const stale = problemsOf((m) => {
      const exports = withoutSourceCondition(m.exports) as Record<string, unknown>
      delete exports['./package.json']
      m.publishConfig = { access: 'public', exports }
    })
    expect(stale.join('\n')).toContain('must equal exports')
  })
})
