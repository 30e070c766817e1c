/**
 * The load bench's figures for many tokens: the (h) control row (the same tokens and load, none
 * re-verified during the run) is in every full run and left out of the quick one, and the server
 * CPU per re-verification is the (b) - (h) difference per request over (b)'s calls per request.
 */
import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs module of the bench, without types
import { rowsFor } from '../../bench/load/scenarios.mjs'
// @ts-expect-error: a plain .mjs module of the bench, without types
import { summarize } from '../../bench/load/summary.mjs'

type Row = { key: string; variant: string; tokens: number; baseline?: string; control?: string }

/** One measured sample: `cpuPerRequestUs` of server CPU per request over `total` requests. */
function sample(row: Row, round: number, rps: number, cpuPerRequestUs: number, calls = 0) {
  const total = rps * 4
  const result = { rps, total, p50: 0.2, p99: 1, non2xx: 0, errors: 0, timeouts: 0 }
  return {
    framework: 'hono',
    row,
    round,
    result,
    calls,
    cpuUs: cpuPerRequestUs * total,
    emulatorCpuUs: 0,
    windowMs: 4000,
    problems: [],
  }
}

describe('bench load rows for many tokens', () => {
  it('adds the (h) control to full runs only, with the rotating no-auth row as its baseline', () => {
    const full: Row[] = rowsFor([1000])
    const held = full.find((row) => row.key === 'hMany')
    expect(held).toMatchObject({ variant: 'm2m-held', tokens: 1000, baseline: 'aMany', control: 'nMany' })
    expect(rowsFor([1000], { quick: true }).some((row: Row) => row.key === 'hMany')).toBe(false)
    expect(rowsFor([1000], { rate: 3000 }).some((row: Row) => row.key === 'hMany')).toBe(true)
  })

  it('charges to each re-verification what (b) costs over (h), paired within a round', () => {
    const rows: Row[] = rowsFor([1000])
    const byKey = new Map(rows.map((row) => [row.key, row]))
    const samples = []
    // Round 1: (b) costs 3 µs per request more than (h) and makes 1 call per 100 requests: 300 µs
    // per call. Round 2: 2 µs more, 1 call per 200 requests: 400 µs. Round 3: 1 µs, 1 per 100: 100.
    for (const [round, extra, perCall] of [
      [0, 3, 100],
      [1, 2, 200],
      [2, 1, 100],
    ] as const) {
      const rps = 40_000
      samples.push(sample(byKey.get('aMany')!, round, rps, 20))
      samples.push(sample(byKey.get('nMany')!, round, rps, 21))
      samples.push(sample(byKey.get('hMany')!, round, rps * 0.98, 22))
      samples.push(sample(byKey.get('bMany')!, round, rps * 0.9, 22 + extra, (rps * 0.9 * 4) / perCall))
    }
    const [hono] = summarize(samples, { frameworks: ['hono'], rounds: 3, rows })
    expect(hono.refreshCpu.perCallUs).toBeCloseTo(300, 6)
    expect(hono.refreshCpu.byRound.map((x: number) => Math.round(x * 10) / 10)).toEqual([3, 2, 1])
    expect(hono.ratios.manyHOverA).toBeCloseTo(0.98, 6)
    expect(hono.ratios.manyBOverH).toBeCloseTo(0.9 / 0.98, 6)
    const held = hono.rows.find((r: { row: Row }) => r.row.key === 'hMany')
    expect(held.cpuOverControlUs).toBeCloseTo(1, 6)
  })
})
