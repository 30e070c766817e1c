// In-process dispatch of a cache hit, per framework: the m2m-auth middleware (or hook) called in
// isolation with minimal fake request objects, against a no-op middleware of the same calling
// convention, in many alternating rounds. The difference of the two is what m2m-auth adds to a
// request for a cached token, resolved to a few tenths of a µs (the HTTP rows of `pnpm bench`
// cannot: their spread is about ±2 µs). Also the core's own hit paths: `authenticate` (a promise)
// and `authenticateSync` (none). The token service is an injected fetch; only the warm-up misses.
//
//   pnpm build && node bench/dispatch.bench.mjs [--rounds N] [--calls N]
import { parseArgs } from 'node:util'
import { createAuthRule, createVerifier, NOT_CACHED } from '@m2m-auth/core'
import { median, percentile, quick, report } from './perf/stats.mjs'
import { wireToken } from './perf/wire-token.mjs'

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: quick ? '6' : '30' },
    calls: { type: 'string', default: quick ? '20000' : '100000' },
  },
})
const rounds = Number(values.rounds)
const calls = Number(values.calls)
const MACHINE = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'
const TOKEN = 'mt_0123456789abcdef0123456789abcdef'
const HEADER = `Bearer ${TOKEN}`
const SECRET = 'ak_bench_dispatch_secret'
const wire = wireToken(undefined, MACHINE)
const fetch = async () =>
  new Response(JSON.stringify(wire), { headers: { 'content-type': 'application/json' } })
const options = { secretKey: SECRET, machineId: MACHINE, fetch, cache: { ttlMs: 3600_000 } }

/** Nanoseconds per call of `once` (an async function doing one dispatch), over `calls` calls. */
async function timeAsync(once) {
  const started = performance.now()
  for (let i = 0; i < calls; i++) await once()
  return ((performance.now() - started) * 1e6) / calls
}

function timeSync(once) {
  const started = performance.now()
  for (let i = 0; i < calls; i++) once()
  return ((performance.now() - started) * 1e6) / calls
}

/** Alternating rounds of `control` and `subject`; medians and the spread of the differences. */
async function compare(control, subject) {
  const time = (fn) => (fn.sync ? timeSync(fn.run) : timeAsync(fn.run))
  await time(control)
  await time(subject)
  const controls = []
  const subjects = []
  const diffs = []
  for (let round = 0; round < rounds; round++) {
    const first = round % 2 === 0
    const a = first ? await time(control) : await time(subject)
    const b = first ? await time(subject) : await time(control)
    const [c, s] = first ? [a, b] : [b, a]
    controls.push(c)
    subjects.push(s)
    diffs.push(s - c)
  }
  return {
    controlNs: median(controls),
    subjectNs: median(subjects),
    addedNs: median(diffs),
    addedP25Ns: percentile(diffs, 25),
    addedP75Ns: percentile(diffs, 75),
  }
}

async function coreRows() {
  const verifier = createVerifier(options)
  await verifier.verify(TOKEN)
  const rule = createAuthRule({ scope: [MACHINE] })
  const authOptions = { scope: [MACHINE] }
  const noop = { sync: true, run: () => HEADER.length }
  const asyncNoop = { run: async () => HEADER.length }
  const sync = {
    sync: true,
    run: () => {
      if (verifier.authenticateSync(HEADER, rule) === NOT_CACHED) throw new Error('expected a hit')
    },
  }
  const viaPromise = { run: () => verifier.authenticate(HEADER, authOptions) }
  return [
    { name: 'core `authenticateSync` (hit) vs a sync no-op', ...(await compare(noop, sync)) },
    {
      name: 'core `authenticate` (hit, awaited) vs an awaited async no-op',
      ...(await compare(asyncNoop, viaPromise)),
    },
  ]
}

async function expressRow() {
  const { m2mAuth } = await import('@m2m-auth/express')
  const middleware = m2mAuth(options)
  const req = { headers: { authorization: HEADER }, rawHeaders: ['Authorization', HEADER], get: () => HEADER }
  const res = {}
  const noop = (_req, _res, next) => next()
  const dispatch = (mw) => () =>
    new Promise((resolve, reject) => mw(req, res, (error) => (error ? reject(error) : resolve())))
  await dispatch(middleware)()
  if (req.m2m?.subject !== wire.subject) throw new Error('the middleware did not authenticate')
  return compare({ run: dispatch(noop) }, { run: dispatch(middleware) })
}

/**
 * The same middleware on the objects Express itself hands it: a fresh Node request and response per
 * call whose prototypes are swapped to the app's (`app.handle` does `Object.setPrototypeOf(req,
 * app.request)`), with `res.locals`. On Node 20 and 22 (V8 11.3, 12.4) every object whose prototype
 * was swapped gets a map of its own, so each new property on it is a slow add (about 2-4 µs for
 * `req.m2m`; `node --allow-natives-syntax bench/proto-swap-maps.mjs`); on Node 24 it is not. The
 * no-op gets the same fresh pair, so the difference is still the middleware.
 */
async function expressObjectsRow() {
  const { m2mAuth } = await import('@m2m-auth/express')
  const { default: express } = await import('express')
  const { IncomingMessage, ServerResponse } = await import('node:http')
  const { Socket } = await import('node:net')
  const app = express()
  const middleware = m2mAuth(options)
  const socket = new Socket()
  let last
  const pair = () => {
    const req = new IncomingMessage(socket)
    req.headers = { authorization: HEADER }
    req.rawHeaders = ['Authorization', HEADER]
    const res = new ServerResponse(req)
    req.res = res
    res.req = req
    Object.setPrototypeOf(req, app.request)
    Object.setPrototypeOf(res, app.response)
    res.locals = Object.create(null)
    last = req
    return [req, res]
  }
  const noop = (_req, _res, next) => next()
  const dispatch = (mw) => () =>
    new Promise((resolve, reject) => {
      const [req, res] = pair()
      mw(req, res, (error) => (error ? reject(error) : resolve()))
    })
  await dispatch(middleware)()
  if (last.m2m?.subject !== wire.subject) throw new Error('the middleware did not authenticate')
  return compare({ run: dispatch(noop) }, { run: dispatch(middleware) })
}

/** `env`: `{}` as on Workers/Bun/Deno (the header from the Web Request), or node-server's `incoming`. */
async function honoRow(env = {}) {
  const { m2mAuth } = await import('@m2m-auth/hono')
  const middleware = m2mAuth(options)
  const vars = new Map()
  const raw = new Request('http://localhost/hello', { headers: { authorization: HEADER } })
  const c = {
    req: { header: (name) => (name.toLowerCase() === 'authorization' ? HEADER : undefined), raw },
    env,
    set: (key, value) => vars.set(key, value),
    get: (key) => vars.get(key),
  }
  const next = async () => {}
  const noop = async (_c, next) => {
    await next()
  }
  await middleware(c, next)
  if (vars.get('m2m')?.subject !== wire.subject) throw new Error('the middleware did not authenticate')
  return compare({ run: () => noop(c, next) }, { run: () => middleware(c, next) })
}

/** Registers the plugin on a recording stand-in for a Fastify instance and returns its onRequest hook. */
async function fastifyHook(plugin, pluginOptions) {
  const hooks = []
  const decorations = new Map()
  const instance = new Proxy(
    {
      addHook: (name, fn) => hooks.push({ name, fn }),
      hasRequestDecorator: () => false,
      hasDecorator: (name) => decorations.has(name),
      decorate: (name, value) => decorations.set(name, value),
      decorateRequest: () => {},
      decorateReply: () => {},
      log: { warn() {}, error() {}, info() {}, debug() {} },
    },
    { get: (target, key) => (key in target ? target[key] : () => {}) },
  )
  await new Promise((resolve, reject) => {
    const result = plugin(instance, pluginOptions, (error) => (error ? reject(error) : resolve()))
    if (result && typeof result.then === 'function') result.then(resolve, reject)
  })
  const hook = hooks.find((h) => h.name === 'onRequest')?.fn
  if (hook === undefined) throw new Error('the plugin registered no onRequest hook')
  return { hook, instance }
}

async function fastifyRow() {
  const { m2mAuth } = await import('@m2m-auth/fastify')
  const { hook, instance } = await fastifyHook(m2mAuth, options)
  const request = {
    headers: { authorization: HEADER },
    raw: { headers: { authorization: HEADER }, rawHeaders: ['Authorization', HEADER] },
    routeOptions: { config: {} },
    m2m: null,
  }
  const reply = { code: () => reply, header: () => reply, send: () => reply }
  // The hook is callback style (`done`, answering a hit with no promise); an async one is awaited.
  const callback = hook.length >= 3
  const dispatch = callback
    ? (fn) => () =>
        new Promise((resolve, reject) =>
          fn.call(instance, request, reply, (error) => (error ? reject(error) : resolve())),
        )
    : (fn) => () => fn.call(instance, request, reply)
  const noop = callback
    ? function onRequest(_request, _reply, done) {
        done()
      }
    : async function onRequest() {}
  await dispatch(hook)()
  if (request.m2m?.subject !== wire.subject) throw new Error('the hook did not authenticate')
  return compare({ run: dispatch(noop) }, { run: dispatch(hook) })
}

const rows = await coreRows()
for (const [framework, row] of [
  ['Express (middleware, plain objects)', expressRow],
  ["Express (middleware, Express's own req/res: fresh, prototype swapped)", expressObjectsRow],
  ['Fastify (onRequest hook)', fastifyRow],
  ['Hono (middleware, Web Request)', () => honoRow()],
  [
    'Hono (middleware, @hono/node-server: `c.env.incoming`)',
    () =>
      honoRow({ incoming: { rawHeaders: ['Authorization', HEADER], headers: { authorization: HEADER } } }),
  ],
]) {
  try {
    rows.push({ name: `${framework} vs a no-op of the same shape`, ...(await row()) })
  } catch (error) {
    rows.push({ name: `${framework} vs a no-op of the same shape`, error: String(error?.message ?? error) })
  }
}

const us = (ns) => `${(ns / 1000).toFixed(2)} µs`
console.log(
  `node ${process.version}; ${rounds} alternating rounds of ${calls.toLocaleString('en-US')} calls each; medians`,
)
console.log('| dispatch of a cache hit | no-op | m2m-auth | added (median, IQR of rounds) | goal <= 1 µs |')
console.log('|---|---:|---:|---:|---|')
for (const r of rows) {
  if (r.error !== undefined) {
    console.log(`| ${r.name} | | | n/a: ${r.error} | |`)
    continue
  }
  const spread = `${us(r.addedP25Ns)} .. ${us(r.addedP75Ns)}`
  console.log(
    `| ${r.name} | ${us(r.controlNs)} | ${us(r.subjectNs)} | ${us(r.addedNs)} (${spread}) | ${r.addedNs <= 1000 ? 'MET' : 'MISS'} |`,
  )
}
report('dispatch', { rounds, calls, rows })
