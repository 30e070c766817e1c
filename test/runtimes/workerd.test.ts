import { createRequire } from 'node:module'
import type { VerifierStats } from '@m2m-auth/core'
import { Miniflare } from 'miniflare'
import { expect, it, vi } from 'vitest'
import { bundleWorker, bundleWorkerSource } from './bundle.js'
import { bearer, describeRuntime } from './checks.js'

/** workerd ships inside miniflare's dependency tree; a broken optional install leaves it out. */
function workerdAvailable(): boolean {
  try {
    createRequire(createRequire(import.meta.url).resolve('miniflare')).resolve('workerd')
    return true
  } catch {
    console.warn('[runtimes] workerd (miniflare dependency) not found: the Workers checks are SKIPPED')
    return false
  }
}

describeRuntime(
  'Cloudflare Workers (workerd via Miniflare, no nodejs_compat)',
  'workerd',
  workerdAvailable(),
  async ({ env }) => {
    const script = await bundleWorker('examples/hono/src/worker.mjs')
    const mf = new Miniflare({
      modules: true,
      script,
      // No compatibility flags: the bundle must run on Web APIs alone.
      compatibilityDate: '2026-04-01',
      bindings: env,
    })
    await mf.ready
    return {
      fetch: async (path, init) => {
        const res = await mf.dispatchFetch(`http://example.test${path}`, init as never)
        // Miniflare's Response comes from its own undici: re-wrap so callers see the Web type.
        return new Response(await res.arrayBuffer(), { status: res.status, headers: [...res.headers] })
      },
      stop: () => mf.dispose(),
    }
  },
  (fixture, issue) => {
    it('builds the verifier from explicit options at Worker global scope (no disallowed work there)', async () => {
      const { emulator } = fixture()
      // Options are given in code: m2mAuth() builds its verifier when the module is evaluated.
      const machineId = emulator.machines[1]!.id // the default machines are scoped to each other
      const options = JSON.stringify({ secretKey: emulator.secretKey, apiUrl: emulator.url, machineId })
      const script = await bundleWorkerSource(`
        import { Hono } from 'hono'
        import { m2mAuth } from '@m2m-auth/hono'
        const app = new Hono().use(m2mAuth(${options})).get('/', (c) => c.json({ caller: c.var.m2m.subject }))
        export default { fetch: app.fetch }`)
      const mf = new Miniflare({ modules: true, script, compatibilityDate: '2026-04-01' })
      try {
        const res = await mf.dispatchFetch('http://example.test/', { headers: bearer(await issue()) })
        expect(res.status).toBe(200)
        expect(await res.json()).toEqual({ caller: fixture().sender.id })
      } finally {
        await mf.dispose()
      }
    })

    it('lands a refresh ahead after the response that started it (waitUntil), so no later request waits', async () => {
      const { emulator, sender } = fixture()
      const machineId = emulator.machines[1]!.id
      // A refresh window of half of ttlMs, so the timings below have wide margins on a loaded machine.
      const options = JSON.stringify({
        secretKey: emulator.secretKey,
        apiUrl: emulator.url,
        machineId,
        cache: { ttlMs: 3000, refreshAheadRatio: 0.5 },
      })
      const script = await bundleWorkerSource(`
        import { Hono } from 'hono'
        import { m2mAuth } from '@m2m-auth/hono'
        const auth = m2mAuth(${options})
        const app = new Hono()
          .get('/stats', (c) => c.json(auth.verifier.stats()))
          .use('/orders', auth)
          .get('/orders', (c) => c.json({ caller: c.var.m2m.subject }))
        export default { fetch: app.fetch }`)
      const mf = new Miniflare({ modules: true, script, compatibilityDate: '2026-04-01' })
      const token = await issue()
      const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, at - performance.now()))
      const orders = async () => {
        const res = await mf.dispatchFetch('http://example.test/orders', { headers: bearer(token) })
        expect(res.status).toBe(200)
        expect(await res.json()).toEqual({ caller: sender.id })
      }
      // The refresh's verify call takes 300 ms: far longer than the response that starts it.
      emulator.setLatency(300)
      try {
        const before = emulator.stats().verify
        await orders() // the miss: cached for 3 s from its answer, refreshed from 1.5 s on
        const cached = performance.now()
        await sleepUntil(cached + 1600)
        await orders() // a hit in the refresh window: answered at once, starts the refresh
        await sleepUntil(cached + 3300)
        // The first entry has expired: only the refresh's answer can make this a hit. Without
        // waitUntil, workerd cancels the refresh's call when the response above is sent.
        await orders()
        const stats = (await (await mf.dispatchFetch('http://example.test/stats')).json()) as VerifierStats
        // One miss (the first request); the third request may start the next refresh itself.
        expect(stats).toMatchObject({ misses: 1, hits: 2 })
        expect(stats.refreshes).toBeGreaterThanOrEqual(1)
        expect(stats.upstreamCalls).toBe(1 + stats.refreshes)
        expect(emulator.stats().verify - before).toBeGreaterThanOrEqual(2)
      } finally {
        emulator.setLatency(0)
        await mf.dispose()
      }
    })

    it('answers a miss without waiting for the shared store write, which still lands (waitUntil)', async () => {
      const { sender } = fixture()
      // A store whose writes take 1.5 s: without waitUntil the miss's answer would wait for them.
      const script = await slowStoreWorker(
        1500,
        `const app = new Hono()
          .get('/stored', (c) => c.json({ entries: entries.size }))
          .use('/orders', auth)
          .get('/orders', (c) => c.json({ caller: c.var.m2m.subject }))
        export default { fetch: app.fetch }`,
      )
      const mf = new Miniflare({ modules: true, script, compatibilityDate: '2026-04-01' })
      try {
        const res = await mf.dispatchFetch('http://example.test/orders', { headers: bearer(await issue()) })
        expect(await res.json()).toEqual({ caller: sender.id })
        const stored = async () =>
          ((await (await mf.dispatchFetch('http://example.test/stored')).json()) as { entries: number })
            .entries
        // Answered before the write ended (had it waited, the entry would be there), and the write
        // still lands after the response.
        expect(await stored()).toBe(0)
        await vi.waitFor(async () => expect(await stored()).toBe(1), { timeout: 5000, interval: 100 })
      } finally {
        await mf.dispose()
      }
    })

    it('awaits the store write of a request that has no execution context (app.request() in a test)', async () => {
      const { sender } = fixture()
      // The outer Worker calls its app in-process, without an execution context: nothing could
      // keep the write alive, so the answer must wait for it rather than leave it to be cancelled.
      const script = await slowStoreWorker(
        300,
        `const app = new Hono()
          .use('/orders', auth)
          .get('/orders', (c) => c.json({ caller: c.var.m2m.subject }))
        export default {
          async fetch(request, env) {
            const inner = await app.request('/orders', { headers: request.headers }, env)
            return Response.json({ status: inner.status, body: await inner.json(), entries: entries.size })
          },
        }`,
      )
      const mf = new Miniflare({ modules: true, script, compatibilityDate: '2026-04-01' })
      try {
        const res = await mf.dispatchFetch('http://example.test/', { headers: bearer(await issue()) })
        expect(await res.json()).toEqual({ status: 200, body: { caller: sender.id }, entries: 1 })
      } finally {
        await mf.dispose()
      }
    })

    /**
     * A Worker with `entries` (a Map), a `store` over it whose writes take `writeMs` (with
     * `awaitWrites`, as a Workers store has it) and `auth`, m2m-auth over that store; `body` builds
     * the app and its default export.
     */
    async function slowStoreWorker(writeMs: number, body: string): Promise<string> {
      const { emulator } = fixture()
      const options = JSON.stringify({
        secretKey: emulator.secretKey,
        apiUrl: emulator.url,
        machineId: emulator.machines[1]!.id,
      })
      return bundleWorkerSource(`
        import { Hono } from 'hono'
        import { m2mAuth } from '@m2m-auth/hono'
        const entries = new Map()
        const store = {
          awaitWrites: true,
          get: async (key) => entries.get(key),
          set: (key, entry) => new Promise((resolve) => setTimeout(() => resolve(entries.set(key, entry)), ${writeMs})),
          delete: async (key) => void entries.delete(key),
        }
        const auth = m2mAuth({ ...${options}, cache: { store } })
        ${body}`)
    }

    it('does not make one request await the upstream call of another (no single-flight on Workers)', async () => {
      const { emulator, target } = fixture()
      const token = await issue()
      // Slow verify answers keep the three requests in flight together.
      emulator.setLatency(400)
      try {
        const before = emulator.stats().verify
        const answers = await Promise.all(
          [0, 1, 2].map(() => target.fetch('/orders', { headers: bearer(token) })),
        )
        expect(answers.map((res) => res.status)).toEqual([200, 200, 200])
        // With single-flight they would share one call; each request made its own (at least 2 of 3
        // were in flight together even on a loaded machine: the first takes 400 ms).
        expect(emulator.stats().verify - before).toBeGreaterThanOrEqual(2)
      } finally {
        emulator.setLatency(0)
      }
    })
  },
)
