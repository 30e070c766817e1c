/**
 * The options table of the adapter READMEs stays true: every README carries the same copy of
 * docs/adapter-options.md, and the table lists exactly the keys the adapters accept (the known-key
 * lists of core), each adapter's own keys in its own README.
 */
import { readFileSync } from 'node:fs'
import {
  ADAPTER_OPTION_KEYS,
  ADAPTER_OWN_OPTION_KEYS,
  RULE_OPTION_KEYS,
  VERIFIER_OPTION_KEYS,
} from '@m2m-auth/core'
import { describe, expect, it } from 'vitest'

const START = '<!-- adapter-options:start -->'
const END = '<!-- adapter-options:end -->'
const ADAPTERS = ['express', 'fastify', 'hono'] as const

function read(path: string): string {
  return readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')
}

function sharedBlock(text: string): string {
  const start = text.indexOf(START)
  const end = text.indexOf(END)
  if (start < 0 || end < start) throw new Error('no shared options block')
  return text.slice(start, end + END.length)
}

/** The option names of a table's first column: every backticked name of each row's first cell. */
function optionNames(table: string): string[] {
  return table
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1] as string))
}

const master = sharedBlock(read('docs/adapter-options.md'))

describe('the shared adapter options table', () => {
  it.each(ADAPTERS)(
    'is copied unchanged into the %s README (node scripts/sync-options-table.mjs)',
    (adapter) => {
      expect(sharedBlock(read(`packages/${adapter}/README.md`))).toBe(master)
    },
  )

  it('lists exactly the keys every adapter accepts', () => {
    const expected = [...VERIFIER_OPTION_KEYS, ...RULE_OPTION_KEYS, ...ADAPTER_OPTION_KEYS]
    expect([...new Set(optionNames(master))].sort()).toEqual([...new Set(expected)].sort())
  })

  it.each(ADAPTERS)("has the %s adapter's own keys in its README, outside the shared table", (adapter) => {
    const readme = read(`packages/${adapter}/README.md`)
    const outside = readme.replace(sharedBlock(readme), '')
    for (const key of ADAPTER_OWN_OPTION_KEYS[adapter]) expect(optionNames(outside)).toContain(key)
    expect(optionNames(master)).not.toContain(ADAPTER_OWN_OPTION_KEYS[adapter][0] ?? '\0')
  })
})
