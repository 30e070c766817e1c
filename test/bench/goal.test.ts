/**
 * `pnpm bench --goal`: only the rows of the many-token goal, its spread over many rounds (each
 * round a fresh set of server processes), and a section of bench/RESULTS.md of its own that leaves
 * the other load sections as they are.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs module of the bench, without types
import { parseOptions } from '../../bench/load/options.mjs'
// @ts-expect-error: a plain .mjs module of the bench, without types
import { writeLoadSection } from '../../bench/load/results-file.mjs'
// @ts-expect-error: a plain .mjs module of the bench, without types
import { GOAL_KEYS, lastUses, rowsFor, schedule } from '../../bench/load/scenarios.mjs'
// @ts-expect-error: a plain .mjs module of the bench, without types
import { quartiles, summarize } from '../../bench/load/summary.mjs'

type Row = { key: string; variant: string; tokens: number }

function sample(row: Row, round: number, rps: number, cpuPerRequestUs: number) {
  const total = rps * 4
  const result = { rps, total, p50: 0.2, p99: 1, non2xx: 0, errors: 0, timeouts: 0 }
  const cpuUs = cpuPerRequestUs * total
  return {
    framework: 'fastify',
    row,
    round,
    result,
    calls: 0,
    cpuUs,
    emulatorCpuUs: 0,
    windowMs: 4000,
    problems: [],
  }
}

describe('bench --goal', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  it('runs only the goal rows of the first many-token count, as a load run', () => {
    const rows: Row[] = rowsFor([1000, 10000], { goal: true })
    expect(rows.map((row) => row.key)).toEqual(GOAL_KEYS)
    expect(rows.map((row) => row.variant)).toEqual(['none', 'noop', 'm2m', 'm2m-held'])
    expect(rows.every((row) => row.tokens === 1000)).toBe(true)
    const options = parseOptions(['--goal', '--rounds', '15'])
    expect(options).toMatchObject({ goal: true, only: 'load', rounds: 15 })
    expect(parseOptions([]).goal).toBe(false)
  })

  it('stops each server of a round after the last row that uses it', () => {
    type Step = { framework: string; row: Row }
    const key = (step: Step) => `${step.framework}/${step.row.variant}`
    // The full run: one server per framework and variant, some variants serving several rows.
    for (const [round, steps] of (
      schedule(['express', 'hono'], 2, rowsFor([1000, 10000], {})) as Step[][]
    ).entries()) {
      const last: Map<string, number> = lastUses(steps)
      expect([...last.keys()].sort()).toEqual([...new Set(steps.map(key))].sort())
      for (const [index, step] of steps.entries()) {
        // No later step of the round needs the server that is stopped after `last.get(key)`.
        const later = steps.slice(index + 1).some((other) => key(other) === key(step))
        expect(last.get(key(step)) === index, `round ${round}, step ${index}`).toBe(!later)
      }
    }
  })

  it('refuses what a goal run cannot be', () => {
    expect(() => parseOptions(['--goal', '--rate', '3000'])).toThrow(/--goal .* excludes --quick and --rate/)
    expect(() => parseOptions(['--goal', '--quick'])).toThrow(/excludes --quick/)
    expect(() => parseOptions(['--goal', '--only', 'micro'])).toThrow(/excludes --only micro/)
  })

  it('gives the paired ratio of every round, its quartiles and the rounds that reached 0.9', () => {
    const rows: Row[] = rowsFor([1000], { goal: true })
    const byKey = new Map(rows.map((row) => [row.key, row]))
    // (b) / (a) by round: 0.8, 0.95, 0.9, 1.0, 0.85; (b) costs 3 µs over (a), the no-op 1 µs.
    const ratios = [0.8, 0.95, 0.9, 1.0, 0.85]
    const samples = ratios.flatMap((r, round) => [
      sample(byKey.get('aMany')!, round, 30_000 + round * 1000, 20),
      sample(byKey.get('nMany')!, round, 30_000, 21),
      sample(byKey.get('bMany')!, round, (30_000 + round * 1000) * r, 23),
      sample(byKey.get('hMany')!, round, 30_000, 22),
    ])
    const [fastify] = summarize(samples, { frameworks: ['fastify'], rounds: ratios.length, rows })
    expect(fastify.goal.byRound.map((x: number) => Math.round(x * 100) / 100)).toEqual(ratios)
    expect(fastify.goal.quartiles.map((x: number) => Math.round(x * 1000) / 1000)).toEqual([0.825, 0.975])
    expect(fastify.goal).toMatchObject({ reached: 3, measured: 5 })
    expect(fastify.goal.cpuOverNoAuthUs).toBeCloseTo(3, 6)
    expect(fastify.goal.controlCpuOverNoAuthUs).toBeCloseTo(1, 6)
    expect(fastify.ratios.manyBOverA).toBeCloseTo(0.9, 6)
    expect(quartiles([1])).toEqual([Number.NaN, Number.NaN])
  })

  it('writes a section of its own, leaving the saturation and fixed-rate sections alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'm2m-auth-goal-'))
    dirs.push(dir)
    const path = join(dir, 'RESULTS.md')
    writeFileSync(path, '# Results\n\n<!-- load:start -->\nsaturation\n<!-- load:end -->\n')
    await writeLoadSection(path, 'goal, first run', 'goal')
    await writeLoadSection(path, 'goal, second run', 'goal')
    await writeLoadSection(path, 'rate', 'rate')
    const text = readFileSync(path, 'utf8')
    expect(text).toContain('<!-- load:start -->\nsaturation\n<!-- load:end -->')
    expect(text).toContain('<!-- load-goal:start -->\ngoal, second run\n<!-- load-goal:end -->')
    expect(text).not.toContain('goal, first run')
    expect(text).toContain('<!-- load-rate:start -->\nrate\n<!-- load-rate:end -->')
  })
})
