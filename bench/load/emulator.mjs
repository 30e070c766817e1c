// The runner's handle on the emulator child: its URL and keys, its counters, and the tokens the
// benchmark sends (created through the emulator's own API, as a calling machine would).
import { fileURLToPath } from 'node:url'
import { startChild } from './processes.mjs'

const CHILD = fileURLToPath(new URL('./emulator-child.mjs', import.meta.url))
const CREATE_CONCURRENCY = 16

/**
 * Starts the emulator in its own process. The default machines are used: the first one
 * (`orders-service`) sends tokens, the second (`billing-service`) receives them.
 */
export async function startEmulatorProcess(latencyMs) {
  const child = await startChild(CHILD, { name: 'emulator', env: { BENCH_LATENCY_MS: String(latencyMs) } })
  const { url, secretKey, machines } = child.info
  if (machines.length < 2) throw new Error('emulator: expected two default machines')
  return {
    url,
    instanceSecretKey: secretKey,
    sender: machines[0],
    receiver: machines[1],
    pid: child.pid,
    /** { verify, requests, byRoute } since the emulator started. */
    stats: () => child.request('stats'),
    cpu: () => child.request('cpu'),
    stop: child.stop,
  }
}

async function createToken(url, senderKey) {
  const response = await fetch(`${url}/m2m_tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${senderKey}`, 'content-type': 'application/json' },
    body: '{}',
    signal: AbortSignal.timeout(10_000),
  })
  const body = await response.json().catch(() => undefined)
  if (response.status !== 201 || typeof body?.token !== 'string') {
    throw new Error(`emulator: token creation answered ${response.status}`)
  }
  return body
}

/**
 * Creates `count` distinct opaque tokens of the sender machine (a few at a time: each call waits
 * for the emulator's latency). Resolves the tokens and their subject.
 */
export async function createTokens(emulator, count) {
  const tokens = new Array(count)
  let subject
  let next = 0
  const worker = async () => {
    while (next < count) {
      const index = next++
      const created = await createToken(emulator.url, emulator.sender.secretKey)
      tokens[index] = created.token
      subject = created.subject
    }
  }
  await Promise.all(Array.from({ length: Math.min(CREATE_CONCURRENCY, count) }, worker))
  if (new Set(tokens).size !== count) throw new Error('emulator: created tokens are not distinct')
  if (subject !== emulator.sender.id) throw new Error('emulator: token subject is not the sender machine')
  return { tokens, subject }
}
