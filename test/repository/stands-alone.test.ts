/**
 * The repository stands on its own (issue 12): a clone with nothing beside it has everything its
 * tests, scripts and documents need, so no tracked file may refer to a path outside it.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { outsideReferences } from './outside-paths.js'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const BESIDE = ['..', 'shared'].join('/') // spelt in pieces: this file must pass its own check
const MACHINE = ['', 'work', 'shared'].join('/')
/** `n` parent steps, built at run time for the same reason. */
const up = (n: number) => '../'.repeat(n)

describe('the repository stands alone', () => {
  it('no tracked file refers to a path outside the repository', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0')
    const texts = files
      .filter((f) => f !== '')
      .map((file) => ({ file, text: readFileSync(join(ROOT, file), 'utf8') }))
      .filter(({ text }) => !text.includes('\0'))
    expect(texts.length).toBeGreaterThan(100)
    expect(texts.flatMap(({ file, text }) => outsideReferences(ROOT, file, text))).toEqual([])
  })
})

describe('what counts as a path outside the repository', () => {
  const at = (file: string, text: string) => outsideReferences(ROOT, file, text).map((r) => r.why)

  it.each([
    [
      'a spec read from beside the repository',
      'packages/core/test/helpers/openapi.ts',
      `new URL('${up(5)}${BESIDE}/x.yml', import.meta.url)`,
    ],
    ['an import climbing above the root', 'packages/core/test/a.test.ts', `import { x } from '${up(4)}x.js'`],
    ['a markdown link above the root', 'docs/design.md', `see [the style](${up(2)}style.md)`],
    [
      'a tsconfig extends above the root',
      'packages/core/tsconfig.json',
      `{ "extends": "${up(3)}tsconfig.json" }`,
    ],
    ['an absolute path of this machine', 'README.md', `read ${MACHINE}/docs/style.md first`],
    ['the folder beside the repository by name', 'ARCHITECTURE.md', `the design notes in ${BESIDE}/docs`],
    [
      'a lockfile link out of the workspace',
      'pnpm-lock.yaml',
      `importers:\n  packages/core:\n    dependencies:\n      x:\n        specifier: link:${up(3)}x\n        version: link:${up(3)}x\n`,
    ],
  ])('flags %s', (_what, file, text) => {
    expect(at(file, text)).not.toEqual([])
  })

  it.each([
    ['prose about a shared store', 'README.md', 'processes share answers through a shared store'],
    [
      'a relative import inside the repository',
      'packages/core/test/a.test.ts',
      `import { x } from '${up(3)}test/helpers/http.js'`,
    ],
    ['a link to a sibling folder', 'packages/fastify/README.md', `[example](${up(2)}examples/fastify)`],
    ['a URL path', 'README.md', `https://example.com${MACHINE}/x and https://example.com/home/x`],
    [
      'dot segments inside a URL path',
      'packages/emulator/test/a.test.ts',
      "await get('/v1/../../etc/passwd')",
    ],
    [
      'workspace links in the lockfile',
      'pnpm-lock.yaml',
      `importers:\n  test:\n    dependencies:\n      x:\n        specifier: workspace:*\n        version: link:${up(1)}packages/core\n`,
    ],
  ])('accepts %s', (_what, file, text) => {
    expect(at(file, text)).toEqual([])
  })
})
