// Both token formats through the full `createVerifier`, cache off (every call verifies) and cache
// on (the hit path), against baselines measured in the same run.
//
//   node --conditions=@m2m-auth/source --import tsx bench/formats.bench.ts [--rounds 5] [--scale 1]
//
// The emulator runs in a child process (bench/load/emulator-child.mjs, no added latency) on
// loopback, so its work is not counted in this process's CPU time. Tokens are issued by it over
// HTTP: 1000 distinct tokens per format, cycled by the uncached tasks. JWTs are RS256 (2048-bit);
// uncached JWT verification fetches the JWKS once (warm key set) or uses a PEM `jwtKey`; uncached
// opaque verification is one `POST /m2m_tokens/verify` per call, with a Machine Secret Key.
//
// Each task runs ROUNDS interleaved rounds at 1 and at 16 calls in flight; per task the round
// with the least process CPU time (user + system, every thread: WebCrypto runs on the thread pool)
// is reported, with its wall-clock rate. The hit ratio comes from the verifier's own stats() over
// the measured calls, proving which path was measured.
import { parseArgs } from 'node:util'
import { classifyToken, createVerifier, type Verifier } from '@m2m-auth/core'
import { exportSPKI, importJWK, type JWK } from 'jose'
import { createJwtVerifier } from '../packages/core/src/verify/jwt.js'

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '5' }, scale: { type: 'string', default: '1' } },
})
const ROUNDS = Number(values.rounds)
const SCALE = Number(values.scale)
const DISTINCT = 1000
const CONCURRENCY = [1, 16]

/** The part of bench/load/processes.mjs (untyped JavaScript) used here. */
interface ChildProcesses {
  startChild(
    modulePath: string,
    options: { name: string; env?: Record<string, string>; execArgv?: string[] },
  ): Promise<{ info: unknown; request(cmd: string): Promise<unknown> }>
  stopAll(): Promise<void>
}
const processesModule: string = './load/processes.mjs'
const { startChild, stopAll } = (await import(processesModule)) as ChildProcesses

interface EmulatorInfo {
  url: string
  secretKey: string
  machines: { id: string; secretKey: string }[]
}
const emulatorChild = await startChild(new URL('./load/emulator-child.mjs', import.meta.url).pathname, {
  name: 'emulator',
  env: { BENCH_LATENCY_MS: '0' },
  execArgv: ['--conditions=@m2m-auth/source', '--import', 'tsx'],
})
const { url: apiUrl, secretKey: instanceKey, machines } = emulatorChild.info as EmulatorInfo
const [sender, receiver] = machines as [EmulatorInfo['machines'][0], EmulatorInfo['machines'][0]]

async function post(path: string, key: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${apiUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  if (response.status >= 300) throw new Error(`POST ${path}: ${response.status}`)
  return (await response.json()) as Record<string, unknown>
}

async function issue(format: 'opaque' | 'jwt'): Promise<string[]> {
  const tokens: string[] = []
  for (let i = 0; i < DISTINCT; i += 50) {
    const batch = Array.from({ length: 50 }, () =>
      post('/m2m_tokens', sender.secretKey, { token_format: format, claims: { role: 'reporting' } }),
    )
    for (const created of await Promise.all(batch)) tokens.push(String(created.token))
  }
  return tokens
}

const opaqueTokens = await issue('opaque')
const jwtTokens = await issue('jwt')
const jwks = (await (
  await fetch(`${apiUrl}/v1/jwks`, { headers: { authorization: `Bearer ${instanceKey}` } })
).json()) as { keys: JWK[] }
const publicKey = (await importJWK(jwks.keys[0]!, 'RS256', { extractable: true })) as CryptoKey
const pem = await exportSPKI(publicKey)

// No upstream budget: the bench calls the emulator far faster than the default 50/s.
const base = { apiUrl, machineId: receiver.id, fetch, budget: false as const }
const longCache = { ttlMs: 3_600_000 }
const verifiers = {
  jwtJwks: createVerifier({ ...base, secretKey: instanceKey, cache: false }),
  jwtPem: createVerifier({ ...base, secretKey: receiver.secretKey, jwtKey: pem, cache: false }),
  jwtHit: createVerifier({ ...base, secretKey: instanceKey, cache: longCache }),
  opaque: createVerifier({ ...base, secretKey: receiver.secretKey, cache: false }),
  opaqueHit: createVerifier({ ...base, secretKey: receiver.secretKey, cache: longCache }),
}
// The JWT layer alone (no classification, cache or single-flight): what createVerifier adds to it.
const jwtLayer = createJwtVerifier({
  apiUrl,
  secretKey: receiver.secretKey,
  jwtKey: pem,
  fetch,
  timeoutMs: 5000,
  clockSkewMs: 5000,
  now: Date.now,
  machineId: receiver.id,
})
for (const v of [verifiers.jwtJwks, verifiers.jwtPem, verifiers.jwtHit]) await v.verify(jwtTokens[0]!)
await verifiers.opaqueHit.verify(opaqueTokens[0]!)

// Baseline inputs: the bare signature check of one JWT, and one raw verify call on the wire.
const [h, p, s] = jwtTokens[0]!.split('.') as [string, string, string]
const signingInput = new TextEncoder().encode(`${h}.${p}`)
const signature = Buffer.from(s, 'base64url')
const map = new Map([[jwtTokens[0]!, await verifiers.jwtHit.verify(jwtTokens[0]!)]])

interface Task {
  name: string
  ops: number
  run: (i: number) => Promise<unknown>
  verifier?: Verifier
}
const cycle = (tokens: string[], verifier: Verifier) => (i: number) => verifier.verify(tokens[i % DISTINCT]!)
const tasks: Task[] = [
  {
    name: 'baseline: crypto.subtle.verify (RS256 signature only)',
    ops: 4000,
    run: () => crypto.subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, publicKey, signature, signingInput),
  },
  {
    name: 'attribution: classifyToken on a JWT (run by createVerifier on every miss)',
    ops: 20_000,
    run: async (i) => classifyToken(jwtTokens[i % DISTINCT]!),
  },
  {
    name: 'baseline: createJwtVerifier alone, jwtKey PEM',
    ops: 4000,
    run: (i) => jwtLayer(jwtTokens[i % DISTINCT]!),
  },
  {
    name: 'JWT, cache off, JWKS key set (warm)',
    ops: 4000,
    run: cycle(jwtTokens, verifiers.jwtJwks),
    verifier: verifiers.jwtJwks,
  },
  {
    name: 'JWT, cache off, jwtKey PEM',
    ops: 4000,
    run: cycle(jwtTokens, verifiers.jwtPem),
    verifier: verifiers.jwtPem,
  },
  {
    name: 'baseline: raw fetch POST /m2m_tokens/verify',
    ops: 1000,
    run: (i) => post('/m2m_tokens/verify', receiver.secretKey, { token: opaqueTokens[i % DISTINCT] }),
  },
  {
    name: 'opaque, cache off (emulator on loopback)',
    ops: 1000,
    run: cycle(opaqueTokens, verifiers.opaque),
    verifier: verifiers.opaque,
  },
  { name: 'baseline: await Map.get', ops: 100_000, run: async () => map.get(jwtTokens[0]!) },
  {
    name: 'JWT, cache on, hit',
    ops: 100_000,
    run: () => verifiers.jwtHit.verify(jwtTokens[0]!),
    verifier: verifiers.jwtHit,
  },
  {
    name: 'opaque, cache on, hit',
    ops: 100_000,
    run: () => verifiers.opaqueHit.verify(opaqueTokens[0]!),
    verifier: verifiers.opaqueHit,
  },
]

async function measure(task: Task, concurrency: number) {
  const ops = Math.max(concurrency, Math.round(task.ops * SCALE))
  const perWorker = Math.floor(ops / concurrency)
  const cpuStart = process.cpuUsage()
  const wallStart = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      // Calls in flight at the same moment use distinct tokens: no single-flight sharing.
      for (let i = 0; i < perWorker; i++) await task.run(i * concurrency + w)
    }),
  )
  const wallMs = performance.now() - wallStart
  const { user, system } = process.cpuUsage(cpuStart)
  const done = perWorker * concurrency
  return { cpuMicros: (user + system) / done, opsPerSecond: (done / wallMs) * 1000 }
}

type Best = { cpuMicros: number; opsPerSecond: number; hits: number; calls: number }
const best = new Map<string, Best>()
for (let round = 0; round < ROUNDS; round++) {
  for (const task of tasks) {
    for (const concurrency of CONCURRENCY) {
      const before = task.verifier?.stats()
      const result = await measure(task, concurrency)
      const after = task.verifier?.stats()
      const hits = (after?.hits ?? 0) - (before?.hits ?? 0)
      const calls = hits + (after?.misses ?? 0) - (before?.misses ?? 0)
      if ((after?.coalesced ?? 0) !== (before?.coalesced ?? 0)) throw new Error(`${task.name}: coalesced`)
      const key = `${task.name}\t${concurrency}`
      const previous = best.get(key)
      if (previous === undefined || result.cpuMicros < previous.cpuMicros)
        best.set(key, { ...result, hits, calls })
    }
  }
}

const stats = (await emulatorChild.request('stats')) as { byRoute: Record<string, number> }
await stopAll()

console.log(`node ${process.version}, best of ${ROUNDS} interleaved rounds (by process CPU time)`)
console.log('| task | in flight | ops/s (wall) | CPU µs/op | ops per CPU-second | cache hit ratio |')
console.log('|---|---:|---:|---:|---:|---:|')
for (const [key, r] of best) {
  const [name, concurrency] = key.split('\t')
  const ratio = r.calls > 0 ? `${((100 * r.hits) / r.calls).toFixed(1)}%` : 'n/a'
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
  console.log(
    `| ${name} | ${concurrency} | ${fmt(r.opsPerSecond)} | ${r.cpuMicros.toFixed(2)} | ${fmt(1e6 / r.cpuMicros)} | ${ratio} |`,
  )
}
// The uncached JWT tasks must have run on a warm key set: the runner's own JWKS read, one fetch.
if (stats.byRoute.jwks !== 2) throw new Error(`expected 2 JWKS requests, saw ${stats.byRoute.jwks}`)
for (const name of ['jwtHit', 'opaqueHit'] as const) {
  if (verifiers[name].stats().misses !== 1) throw new Error(`${name}: expected exactly one miss`)
}
