/**
 * Runs in vitest's edge-runtime environment (project core-edge): sealing store entries (HKDF, HMAC)
 * and the fleet channel need nothing but Web APIs. The token service is a plain function answering
 * Web `Response`s; the store is the Map-backed test store.
 */
import { expect, it } from 'vitest'
import { createVerifier, type FetchLike } from '../src/index.js'
import { mapStore } from './helpers/map-store.js'

const RECEIVER = 'mch_2yGkLpQ7Y3rXSwtU24CzTk9I7Em'
const TOKEN = 'mt_0123456789abcdef0123456789abcdef'
const T0 = Date.UTC(2026, 2, 1)
const answer = {
  object: 'machine_to_machine_token',
  id: 'mt_f7f0ba8c3b4843ce7d85fcdd5e71853e',
  subject: 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk',
  claims: null,
  scopes: [RECEIVER],
  revoked: false,
  revocation_reason: null,
  expired: false,
  expiration: T0 + 3600_000,
  last_used_at: null,
  created_at: T0,
  updated_at: T0,
}

it('shares sealed entries between verifiers and rejects a forged one, on Web APIs alone', async () => {
  let calls = 0
  const fetch: FetchLike = async () => {
    calls++
    return new Response(JSON.stringify(answer), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    })
  }
  const store = mapStore({ fleet: true })
  const options = { secretKey: 'ak_edge_key_000000000000000', machineId: RECEIVER, fetch, now: () => T0 }
  const a = createVerifier({ ...options, cache: { store } })
  await a.verify(TOKEN)
  for (let i = 0; i < 100 && store.data.size === 0; i++) await new Promise((r) => setTimeout(r, 5))
  const b = createVerifier({ ...options, cache: { store } })
  await expect(b.verify(TOKEN)).resolves.toMatchObject({ subject: answer.subject })
  expect(calls).toBe(1)

  const [key, slot] = [...store.data.entries()][0]!
  const sealed = JSON.parse(slot.entry)
  store.data.set(key, {
    ...slot,
    entry: JSON.stringify({ ...sealed, body: sealed.body.replace(answer.subject, 'mch_x') }),
  })
  const c = createVerifier({ ...options, cache: { store } })
  await expect(c.verify(TOKEN)).resolves.toMatchObject({ subject: answer.subject })
  expect(calls).toBe(2)
  expect(c.stats().storeRejected).toBe(1)
})
