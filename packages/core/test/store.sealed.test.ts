/**
 * Entries nobody can forge: whoever can write to the shared store (a shared Redis, a loose ACL)
 * can neither change what an entry says, nor move an entry to another token's key, nor plant one
 * under another scope's key. Each such entry is ignored (the token is verified upstream) and
 * counted in `stats().storeRejected` and `store_rejected` events.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { mapStore } from './helpers/map-store.js'
import { type Harness, harness, opaqueToken, STRANGER, validReply } from './verifier.fixtures.js'

const TOKEN = opaqueToken(7)
const OTHER = opaqueToken(8)
const FORGED_SUBJECT = 'mch_2zForgedDDDDDDDDDDDDDDDDDD'

let hs: Harness[] = []
afterEach(async () => {
  await Promise.all(hs.map((h) => h.close()))
  hs = []
})

/** A writer that verified TOKEN and OTHER into `store`, and a reader with an empty memory tier. */
async function writerAndReader() {
  const store = mapStore()
  const writer = await harness({ cache: { store } })
  hs.push(writer)
  writer.replies.set(TOKEN, validReply())
  writer.replies.set(OTHER, validReply({ subject: STRANGER, id: 'mt_00000000000000000000000000000009' }))
  await writer.verifier.verify(TOKEN)
  await writer.verifier.verify(OTHER)
  await vi.waitFor(() => expect(store.data.size).toBe(2))
  const reader = await harness({ apiUrl: writer.fake.url, cache: { store } })
  hs.push(reader)
  const keyOf = async (token: string) => {
    const probe = mapStore()
    const h = await harness({ apiUrl: writer.fake.url, cache: { store: probe } })
    hs.push(h)
    await h.verifier.verify(token)
    await vi.waitFor(() => expect(probe.data.size).toBe(1))
    return [...probe.data.keys()][0] as string
  }
  return { store, writer, reader, keyOf }
}

type Rewrite = (sealed: { v: number; body: string; mac: string }) => unknown

describe('an entry rewritten in the store', () => {
  it.each<[string, Rewrite]>([
    [
      'another subject and one more scope, MAC kept',
      (s) => {
        const body = JSON.parse(s.body)
        body.token.subject = FORGED_SUBJECT
        body.token.scopes.push(STRANGER)
        return { ...s, body: JSON.stringify(body) }
      },
    ],
    ['a MAC that is not hex', (s) => ({ ...s, mac: 'z'.repeat(64) })],
    ['a flipped MAC bit', (s) => ({ ...s, mac: (s.mac.startsWith('0') ? '1' : '0') + s.mac.slice(1) })],
    ['a bare entry of the old format', (s) => JSON.parse(s.body)],
    [
      'a newer verifiedAt, MAC kept',
      (s) => ({ ...s, body: s.body.replace(/"verifiedAt":\d+/, '"verifiedAt":9e15') }),
    ],
  ])('is ignored and verified upstream: %s', async (_name, rewrite) => {
    const { store, writer, reader, keyOf } = await writerAndReader()
    const key = await keyOf(TOKEN)
    const slot = store.data.get(key)!
    store.data.set(key, { ...slot, entry: JSON.stringify(rewrite(JSON.parse(slot.entry))) })
    const before = writer.upstreamCount(TOKEN)
    const token = await reader.verifier.verify(TOKEN)
    expect(token.subject).not.toBe(FORGED_SUBJECT)
    expect(token.scopes).not.toContain(STRANGER)
    expect(writer.upstreamCount(TOKEN) - before).toBe(1)
    expect(reader.verifier.stats()).toMatchObject({ storeRejected: 1, hits: 0 })
    expect(reader.events.filter((e) => e.type === 'store_rejected')).toHaveLength(1)
  })
})

it("ignores another token's valid entry copied under this token's key", async () => {
  const { store, writer, reader, keyOf } = await writerAndReader()
  const [mine, theirs] = [await keyOf(TOKEN), await keyOf(OTHER)]
  store.data.set(mine, store.data.get(theirs)!)
  const before = writer.upstreamCount(TOKEN)
  const token = await reader.verifier.verify(TOKEN)
  expect(token.subject).not.toBe(STRANGER)
  expect(writer.upstreamCount(TOKEN) - before).toBe(1)
  expect(reader.verifier.stats().storeRejected).toBe(1)
})

it('ignores an entry sealed under another secret key, planted under this scope’s key', async () => {
  const { store, writer, reader, keyOf } = await writerAndReader()
  const foreignStore = mapStore()
  const foreign = await harness({
    apiUrl: writer.fake.url,
    secretKey: 'ak_an_attacker_controlled_key_000000',
    cache: { store: foreignStore },
  })
  hs.push(foreign)
  foreign.replies.set(TOKEN, validReply({ subject: FORGED_SUBJECT }))
  await foreign.verifier.verify(TOKEN)
  await vi.waitFor(() => expect(foreignStore.data.size).toBe(1))
  store.data.set(await keyOf(TOKEN), [...foreignStore.data.values()][0]!)
  await expect(reader.verifier.verify(TOKEN)).resolves.not.toMatchObject({ subject: FORGED_SUBJECT })
  expect(reader.verifier.stats().storeRejected).toBe(1)
})
