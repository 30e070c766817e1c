// Bytes allocated per cache hit, per adapter: the m2m-auth middleware (or hook) called in isolation
// with the same minimal fake request objects as bench/dispatch.bench.mjs and a synchronous `next`,
// so that nothing but the adapter and core allocates. Measured as the growth of `heapUsed` over
// 10,000 calls between forced collections; a sample during which a collection ran is discarded.
// Not a timing: it shows whether a hit allocates promises and closures, not how long it takes.
//
//   pnpm build && node --expose-gc bench/dispatch-alloc.mjs
import { PerformanceObserver } from 'node:perf_hooks'
import { createAuthRule, createVerifier, NOT_CACHED } from '@m2m-auth/core'

if (typeof globalThis.gc !== 'function') throw new Error('run with node --expose-gc')
const MACHINE = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'
const TOKEN = 'mt_0123456789abcdef0123456789abcdef'
const HEADER = `Bearer ${TOKEN}`
const SUBJECT = 'mch_2yGkLpQ7Y3rXSwtU24CzTk9I7Em'
const wire = {
  object: 'machine_to_machine_token',
  id: 'mt_f7f0ba8c3b4843ce7d85fcdd5e71853e',
  subject: SUBJECT,
  claims: {},
  scopes: [MACHINE],
  revoked: false,
  revocation_reason: null,
  expired: false,
  expiration: Date.now() + 24 * 3600_000,
  last_used_at: null,
  created_at: Date.now(),
  updated_at: Date.now(),
}
const fetch = async () =>
  new Response(JSON.stringify(wire), { headers: { 'content-type': 'application/json' } })
const options = { secretKey: 'ak_bench_alloc_secret', machineId: MACHINE, fetch, cache: { ttlMs: 3600_000 } }
const CALLS = 10_000
const SAMPLES = 5

let collections = 0
new PerformanceObserver((list) => {
  collections += list.getEntries().length
}).observe({ entryTypes: ['gc'] })
const settle = () => new Promise((resolve) => setTimeout(resolve, 5))

/** Median bytes per call of `fn` over the samples no collection interrupted. */
async function bytesPerCall(fn) {
  for (let i = 0; i < 50_000; i++) fn() // optimised before measuring
  const samples = []
  for (let s = 0; s < SAMPLES; s++) {
    globalThis.gc()
    await settle()
    const [seen, before] = [collections, process.memoryUsage().heapUsed]
    for (let i = 0; i < CALLS; i++) fn()
    const grown = process.memoryUsage().heapUsed - before
    await settle()
    if (collections === seen) samples.push(grown / CALLS)
  }
  samples.sort((a, b) => a - b)
  return samples.length === 0 ? Number.NaN : samples[Math.floor(samples.length / 2)]
}

function expect(ok, what) {
  if (!ok) throw new Error(`${what} did not authenticate`)
}

async function core() {
  const verifier = createVerifier(options)
  await verifier.verify(TOKEN)
  const rule = createAuthRule({ scope: [MACHINE] })
  return () => {
    if (verifier.authenticateSync(HEADER, rule) === NOT_CACHED) throw new Error('expected a hit')
  }
}

async function express() {
  const middleware = (await import('@m2m-auth/express')).m2mAuth(options)
  const req = { headers: { authorization: HEADER }, rawHeaders: ['Authorization', HEADER] }
  await new Promise((resolve) => middleware(req, {}, resolve))
  expect(req.m2m?.subject === SUBJECT, 'express')
  const next = () => {}
  return () => middleware(req, {}, next)
}

async function hono() {
  const middleware = (await import('@m2m-auth/hono')).m2mAuth(options)
  const vars = new Map()
  const raw = new Request('http://localhost/hello', { headers: { authorization: HEADER } })
  const c = {
    req: { header: () => HEADER, raw },
    env: {},
    set: (k, v) => vars.set(k, v),
    get: (k) => vars.get(k),
  }
  await middleware(c, async () => {})
  expect(vars.get('m2m')?.subject === SUBJECT, 'hono')
  const next = () => undefined
  return () => middleware(c, next)
}

async function fastify() {
  const hooks = []
  const log = { warn() {}, error() {}, info() {}, debug() {} }
  const target = { addHook: (name, fn) => hooks.push({ name, fn }), hasRequestDecorator: () => false, log }
  const instance = new Proxy(target, { get: (t, key) => (key in t ? t[key] : () => {}) })
  await (await import('@m2m-auth/fastify')).m2mAuth(instance, options, () => {})
  const hook = hooks.find((h) => h.name === 'onRequest').fn
  const request = {
    headers: { authorization: HEADER },
    raw: { headers: { authorization: HEADER }, rawHeaders: ['Authorization', HEADER] },
    routeOptions: { config: {} },
    m2m: null,
  }
  await new Promise((resolve) => hook(request, {}, resolve))
  expect(request.m2m?.subject === SUBJECT, 'fastify')
  const done = () => {}
  return () => hook(request, {}, done)
}

console.log(`node ${process.version}; median of ${SAMPLES} samples of ${CALLS.toLocaleString('en-US')} calls`)
console.log('| cache hit | bytes allocated per call |\n|---|---:|')
for (const [name, build] of [
  ['empty function (floor)', async () => () => {}],
  ['core `authenticateSync`', core],
  ['Express middleware (sync `next`)', express],
  ['Fastify onRequest hook (sync `done`)', fastify],
  ['Hono middleware (sync `next`, Web Request)', hono],
]) {
  console.log(`| ${name} | ${Math.round(await bytesPerCall(await build()))} |`)
}
