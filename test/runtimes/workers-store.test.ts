/**
 * `@m2m-auth/workers-store` on real workerd (Miniflare, no nodejs_compat): verifiers with separate
 * memory (one per `m2mAuth()`, as isolates of one location have) share verified answers through
 * `caches.default`; entries rewritten in the cache are ignored; and with no Cache API, or one whose
 * `match`/`put` throw, every request is still answered through the token service.
 */
import { createRequire } from 'node:module'
import { type Emulator, type EmulatorMachine, startEmulator } from '@m2m-auth/emulator'
import { Miniflare } from 'miniflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { issueToken } from '../helpers/emulator.js'
import { bundleWorkerSource } from './bundle.js'
import { assertBuilt } from './process.js'

function workerdAvailable(): boolean {
  try {
    createRequire(createRequire(import.meta.url).resolve('miniflare')).resolve('workerd')
    return true
  } catch {
    console.warn('[runtimes] workerd (miniflare dependency) not found: the Workers store checks are SKIPPED')
    return false
  }
}

/**
 * A Worker with three routes, each behind its own `m2mAuth()` (own verifier, own memory) on one
 * store built by `storeSetup` (which defines `base`). A thin wrapper records the keys written, so
 * that `POST /tamper` can rewrite those entries directly in `caches.default`.
 */
function workerSource(options: Record<string, unknown>, storeSetup: string): string {
  return `
    import { Hono } from 'hono'
    import { m2mAuth } from '@m2m-auth/hono'
    import { createWorkersStore } from '@m2m-auth/workers-store'
    ${storeSetup}
    const keys = []
    const store = { ...base, set: (key, entry, ttlMs) => { keys.push(key); return base.set(key, entry, ttlMs) } }
    const errors = []
    const logger = { warn: (m) => errors.push(m), error: (m) => errors.push(m) }
    const options = { ...${JSON.stringify(options)}, logger, cache: { ttlMs: 60000, store } }
    const app = new Hono()
    for (const name of ['a', 'b', 'c']) {
      app.use('/' + name + '/*', m2mAuth(options))
      app.get('/' + name + '/whoami', (c) => c.json({ caller: c.var.m2m.subject }))
    }
    app.get('/log', (c) => c.json({ errors, keys: keys.length }))
    app.post('/tamper', async (c) => {
      for (const key of keys) {
        const url = 'https://m2m-auth.invalid/' + encodeURIComponent(key)
        const sealed = await (await caches.default.match(url)).json()
        const body = JSON.parse(sealed.body)
        body.token.subject = 'mch_2zForgedDDDDDDDDDDDDDDDDDD'
        const forged = JSON.stringify({ ...sealed, body: JSON.stringify(body) })
        await caches.default.put(url, new Response(forged, { headers: { 'cache-control': 'max-age=60' } }))
      }
      return c.json({ rewritten: keys.length })
    })
    export default { fetch: app.fetch }`
}

describe.skipIf(!workerdAvailable())('the Workers Cache API store on workerd (Miniflare)', () => {
  let emulator: Emulator
  let caller: EmulatorMachine
  let api: EmulatorMachine
  const running: Miniflare[] = []

  beforeAll(async () => {
    assertBuilt(['core', 'hono', 'workers-store'])
    emulator = await startEmulator({ port: 0, host: '127.0.0.1' })
    ;[caller, api] = emulator.machines as [EmulatorMachine, EmulatorMachine]
  })
  afterAll(async () => {
    await Promise.all(running.map((mf) => mf.dispose()))
    await emulator?.close()
  })

  async function start(storeSetup: string) {
    const options = { secretKey: api.secretKey, apiUrl: emulator.url }
    const script = await bundleWorkerSource(workerSource(options, storeSetup), 'test/runtimes')
    const mf = new Miniflare({ modules: true, script, compatibilityDate: '2026-04-01' })
    running.push(mf)
    await mf.ready
    return async (path: string, token?: string, method = 'GET') => {
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
      const res = await mf.dispatchFetch(`http://example.test${path}`, { method, headers })
      return { status: res.status, body: (await res.json()) as Record<string, unknown> }
    }
  }
  const verifyCalls = () => emulator.stats().verify

  it('lets verifiers with separate memory share answers through caches.default', async () => {
    const ask = await start('const base = createWorkersStore()')
    const { token } = await issueToken(emulator.url, caller.secretKey)
    const before = verifyCalls()
    expect(await ask('/a/whoami', token)).toEqual({ status: 200, body: { caller: caller.id } })
    expect(await ask('/b/whoami', token)).toEqual({ status: 200, body: { caller: caller.id } })
    expect(await ask('/c/whoami', token)).toEqual({ status: 200, body: { caller: caller.id } })
    expect(verifyCalls() - before).toBe(1)
    expect((await ask('/log')).body).toEqual({ errors: [], keys: 1 })
  })

  it('ignores entries rewritten in the cache and verifies upstream', async () => {
    const ask = await start('const base = createWorkersStore()')
    const { token } = await issueToken(emulator.url, caller.secretKey)
    expect((await ask('/a/whoami', token)).status).toBe(200)
    expect((await ask('/tamper', undefined, 'POST')).body).toEqual({ rewritten: 1 })
    const before = verifyCalls()
    expect(await ask('/b/whoami', token)).toEqual({ status: 200, body: { caller: caller.id } })
    expect(verifyCalls() - before).toBe(1)
  })

  it.each([
    ['no Cache API at all', 'Object.defineProperty(globalThis, "caches", { value: undefined });'],
    [
      'match and put throwing',
      `const fail = () => { throw new Error('cache down') };
       const broken = { match: fail, put: fail, delete: fail };`,
    ],
  ])('answers through the token service with %s, and logs it', async (name, setup) => {
    const cache = name.startsWith('no') ? '' : '{ cache: broken }'
    const ask = await start(`${setup}\nconst base = createWorkersStore(${cache})`)
    const { token } = await issueToken(emulator.url, caller.secretKey)
    const before = verifyCalls()
    for (const route of ['/a/whoami', '/b/whoami', '/a/whoami']) {
      expect(await ask(route, token)).toEqual({ status: 200, body: { caller: caller.id } })
    }
    expect(verifyCalls() - before).toBe(2) // one per verifier; a's memory answers its second request
    const { errors } = (await ask('/log')).body as { errors: string[] }
    expect(errors.length).toBeGreaterThanOrEqual(1)
    expect(errors.join('\n')).toContain('the shared cache store failed')
    expect(errors.join('\n')).not.toContain(token)
  })
})
