/**
 * The release check's tarball rules (scripts/release/tarball.ts), on tarball contents built here:
 * what a ready package holds passes, and each way a tarball goes wrong is reported.
 */
import { describe, expect, it } from 'vitest'
import { contentsProblems, type Tarball } from '../../scripts/release/tarball.js'

const manifest = {
  name: '@m2m-auth/sample',
  version: '1.0.0',
  main: './dist/index.cjs',
  types: './dist/index.d.cts',
  bin: { sample: './dist/bin.js' },
  exports: {
    '.': {
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    },
    './package.json': './package.json',
  },
}

function tarball(changes: Record<string, string | null> = {}): Tarball {
  const files: Record<string, string | null> = {
    LICENSE: 'MIT License',
    'README.md':
      '# sample\n\nSee [the example](https://github.com/m2m-auth/m2m-auth/tree/main/examples) and [options](#options).',
    'package.json': JSON.stringify(manifest),
    'dist/index.js': "export { run } from './chunk-AB12.js'",
    'dist/bin.js': "#!/usr/bin/env node\nimport { run } from './chunk-AB12.js'\nrun()",
    'dist/chunk-AB12.js': 'export function run() {}',
    'dist/index.cjs': 'exports.run = function run() {}',
    'dist/index.d.ts': '/** Runs it; see README.md. */\nexport declare function run(): void',
    'dist/index.d.cts': 'export declare function run(): void',
    ...changes,
  }
  const present = Object.entries(files).filter((e): e is [string, string] => e[1] !== null)
  return {
    file: 'sample.tgz',
    packWarnings: [],
    manifest: JSON.parse(files['package.json'] ?? '{}'),
    files: new Map(present.map(([path, text]) => [path, Buffer.from(text)])),
  }
}

describe('tarball contents check', () => {
  it('accepts LICENSE, README, package.json and dist files that the entry points use', () => {
    expect(contentsProblems(tarball())).toEqual([])
  })

  it.each([
    ['no LICENSE', { LICENSE: null }, 'LICENSE: missing'],
    ['sources', { 'src/index.ts': 'export {}' }, 'src/index.ts: not expected'],
    ['tests', { 'test/a.test.ts': '' }, 'test/a.test.ts: not expected'],
    ['source maps', { 'dist/index.js.map': '{}' }, 'dist/index.js.map: not expected'],
    [
      'a CJS copy of the executable nothing uses',
      { 'dist/bin.cjs': 'run()' },
      'dist/bin.cjs: shipped but no entry point uses it',
    ],
    [
      'an entry point that is not shipped',
      { 'dist/index.cjs': null },
      'dist/index.cjs: named by package.json, not shipped',
    ],
    ['a map reference', { 'dist/index.cjs': 'x\n//# sourceMappingURL=index.cjs.map' }, 'sourceMappingURL'],
    [
      'a document that is not shipped',
      { 'dist/index.d.cts': '/** as design.md says */' },
      'refers to design.md',
    ],
    [
      'a README link out of the package',
      { 'README.md': '[example](../../examples/fastify)' },
      'links to ../../examples/fastify',
    ],
    [
      'a path of the machine it was built on',
      { 'dist/index.cjs': `require('${['', 'work', 'x'].join('/')}')` },
      'outside the package',
    ],
  ])('reports %s', (_what, changes, expected) => {
    expect(contentsProblems(tarball(changes)).join('\n')).toContain(expected)
  })
})
