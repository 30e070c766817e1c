// Micro-benchmark of local JWT-format M2M token verification (RS256), against baselines measured
// in the same run.
//
//   npx tsx bench/jwt.bench.ts [--time <ms per task>] [--cpu-ops <n>]
//
// createJwtVerifier has no token cache: every call parses the header, picks the key, checks the
// RS256 signature (WebCrypto) and the claims. Its key set comes from a loopback JWKS server
// (127.0.0.1) fetched once before measuring (warm key set); the server must see exactly one request.
// Baselines: the bare WebCrypto signature check (the floor) and jose's jwtVerify with a CryptoKey.
// Node runs WebCrypto jobs on its thread pool, so the second table reports process CPU time
// (user + system, every thread) per verification over sequential calls: the "verifications per
// CPU-second" column is the per-core figure, and it is less sensitive than wall time to other load.
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { parseArgs } from 'node:util'
import { exportJWK, exportSPKI, generateKeyPair, jwtVerify, SignJWT } from 'jose'
import { Bench } from 'tinybench'
import { createJwtVerifier } from '../packages/core/src/verify/jwt.js'

const { values } = parseArgs({
  options: { time: { type: 'string', default: '3000' }, 'cpu-ops': { type: 'string', default: '5000' } },
})
const time = Number(values.time)
const cpuOps = Number(values['cpu-ops'])

const SENDER = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'
const RECEIVER = 'mch_2yReceiverAAAAAAAAAAAAAAAA'
const SECRET = 'sk_test_bench_only_not_a_real_key'
const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true })
const jwk = { ...(await exportJWK(publicKey)), kid: 'ins_bench', alg: 'RS256', use: 'sig' }

let jwksRequests = 0
const server = createServer((req, res) => {
  jwksRequests++
  const ok = req.url === '/v1/jwks' && req.headers.authorization === `Bearer ${SECRET}`
  res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' })
  res.end(JSON.stringify(ok ? { keys: [jwk] } : { errors: [] }))
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

const nowSeconds = Math.floor(Date.now() / 1000)
const sign = (i: number) =>
  new SignJWT({ sub: SENDER, jti: `mt_bench_${i}`, scopes: RECEIVER, role: 'reporting' })
    .setProtectedHeader({ alg: 'RS256', kid: 'ins_bench', cat: 'cl_B7d4PD333AAA' })
    .setIssuedAt(nowSeconds)
    .setNotBefore(nowSeconds)
    .setExpirationTime(nowSeconds + 3600)
    .sign(privateKey)
const distinct = await Promise.all(Array.from({ length: 1000 }, (_, i) => sign(i)))
const token = distinct[0]!

const common = {
  secretKey: SECRET,
  fetch,
  timeoutMs: 5000,
  clockSkewMs: 5000,
  now: Date.now,
  machineId: RECEIVER,
}
const viaJwks = createJwtVerifier({ ...common, apiUrl })
const viaPem = createJwtVerifier({ ...common, apiUrl, jwtKey: await exportSPKI(publicKey) })
await viaJwks(token) // warms the key set: the only JWKS request of the run
await viaPem(token)

const [headerB64, payloadB64, signatureB64] = token.split('.') as [string, string, string]
const signingInput = new TextEncoder().encode(`${headerB64}.${payloadB64}`)
const signature = Buffer.from(signatureB64, 'base64url')
const rsa = { name: 'RSASSA-PKCS1-v1_5' }

let next = 0
const tasks: [string, () => Promise<unknown>][] = [
  [
    'baseline: crypto.subtle.verify (signature only)',
    () => crypto.subtle.verify(rsa, publicKey, signature, signingInput),
  ],
  [
    'baseline: jose jwtVerify(token, CryptoKey)',
    () => jwtVerify(token, publicKey, { algorithms: ['RS256'] }),
  ],
  ['createJwtVerifier, JWKS (warm), same token', () => viaJwks(token)],
  ['createJwtVerifier, JWKS (warm), 1000 distinct tokens', () => viaJwks(distinct[next++ % 1000]!)],
  ['createJwtVerifier, jwtKey PEM, same token', () => viaPem(token)],
]

const bench = new Bench({ time, warmupTime: Math.min(500, time) })
for (const [name, fn] of tasks) bench.add(name, fn)
await bench.run()
console.log(`node ${process.version}, ${time} ms per task`)
console.table(bench.table())

// Rounds interleave the tasks so that load from other processes spreads over all of them; the
// best round per task is reported (contention only ever adds CPU time).
const ROUNDS = 5
const perRound = Math.ceil(cpuOps / ROUNDS)
const best = new Map<string, { cpuMicros: number; opsPerSecond: number }>()
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, fn] of tasks) {
    const start = process.cpuUsage()
    const wallStart = performance.now()
    for (let i = 0; i < perRound; i++) await fn()
    const wallMs = performance.now() - wallStart
    const { user, system } = process.cpuUsage(start)
    const cpuMicros = (user + system) / perRound
    const previous = best.get(name)
    if (previous === undefined || cpuMicros < previous.cpuMicros) {
      best.set(name, { cpuMicros, opsPerSecond: (perRound / wallMs) * 1000 })
    }
  }
}
console.log(`process CPU time, best of ${ROUNDS} interleaved rounds of ${perRound} sequential calls per task`)
console.table(
  [...best].map(([task, { cpuMicros, opsPerSecond }]) => ({
    task,
    'CPU µs/op': Number(cpuMicros.toFixed(1)),
    'verifications per CPU-second': Math.round(1e6 / cpuMicros),
    'ops/s (wall, same round)': Math.round(opsPerSecond),
  })),
)

server.close()
if (jwksRequests !== 1) throw new Error(`expected one JWKS request (warm key set), saw ${jwksRequests}`)
