/**
 * The bench's CPU-profile summary attributes each sample to the innermost package frame, runtime
 * frames to the package that called them: m2m-auth's share must count the verify call's socket
 * write and our hook's own code, and not the framework's work that runs inside our `next()`.
 */
import { describe, expect, it } from 'vitest'
// @ts-expect-error: a plain .mjs module of the bench, without types
import { summarizeProfile } from '../../bench/load/profile.mjs'

const frame = (functionName: string, url: string) => ({ functionName, url, lineNumber: 0, columnNumber: 0 })
const FASTIFY = '/repo/node_modules/.pnpm/fastify@5/node_modules/fastify/lib/route.js'
const CORE = '/repo/packages/core/dist/index.js'
const UNDICI = '/repo/node_modules/.pnpm/undici@7/node_modules/undici/lib/dispatcher/client-h1.js'

/** A profile where node `id` took `ms[id]` of self time (one sample per node). */
function profile(
  nodes: { id: number; callFrame: ReturnType<typeof frame>; children?: number[] }[],
  ms: Record<number, number>,
) {
  const ids = Object.keys(ms).map(Number)
  return { nodes, samples: ids, timeDeltas: ids.map((id) => ms[id]! * 1000) }
}

describe('bench profile summary', () => {
  it("charges runtime frames to their caller's package and framework work under our hook to the framework", () => {
    const p = profile(
      [
        { id: 1, callFrame: frame('(root)', ''), children: [2, 7, 9] },
        { id: 2, callFrame: frame('runHooks', FASTIFY), children: [3] },
        { id: 3, callFrame: frame('m2mAuthOnRequest', CORE), children: [4, 5] },
        { id: 4, callFrame: frame('writev', ''), children: [] }, // the verify call's write: ours
        { id: 5, callFrame: frame('done', FASTIFY), children: [6] }, // the route, inside our next()
        { id: 6, callFrame: frame('writev', ''), children: [] }, // the response write: Fastify's
        { id: 7, callFrame: frame('onHttpSocketReadable', UNDICI), children: [8] },
        { id: 8, callFrame: frame('wasm-function[20]', 'wasm://wasm/00034eea'), children: [] },
        { id: 9, callFrame: frame('(garbage collector)', ''), children: [] },
      ],
      { 3: 1, 4: 2, 5: 4, 6: 8, 7: 16, 8: 32, 9: 64 },
    )
    const summary = summarizeProfile(p)
    expect(summary.busyMs).toBe(127)
    expect(summary.oursMs).toBe(1 + 2 + 16 + 32)
  })
})
