/**
 * The invalidation channel of a shared store: `invalidate()` and `revokeToken()` in one process drop
 * the token in every process that shares the store. Messages name a store key (an HMAC, never the
 * token) or a token id, and carry a MAC under the scope's key, so that whoever can publish on the
 * channel cannot make a fleet drop its caches. A process that was not listening (lost connection)
 * hears `reset` when it listens again and drops what it holds: the revocation bound stays `ttlMs`.
 */
import type { SharedCache } from './shared.js'

/** What a message asks of every other process. */
export interface BroadcastHandlers {
  /** Drop the token whose store key is `key` (if this process has it). */
  dropKey(key: string): void
  /** Drop every cached result of the token id `id` (it was revoked). */
  dropId(id: string): void
  /** Messages may have been missed: drop everything held in memory. */
  reset(): void
}

/** The sending side; both resolve once published, and reject when the store fails to publish. */
export interface Broadcast {
  invalidated(key: string): Promise<void>
  revoked(id: string): Promise<void>
}

interface Message {
  v: 2
  from: string
  kind: 'key' | 'id'
  value: string
  mac: string
}

/** Subscribes on the scope's channel; `undefined` when the store cannot publish and subscribe. */
export function createBroadcast(shared: SharedCache, handlers: BroadcastHandlers): Broadcast | undefined {
  const { store, sealer } = shared
  if (typeof store.publish !== 'function' || typeof store.subscribe !== 'function') return undefined
  // Each process hears its own messages too; it has already done what they ask.
  const self = crypto.randomUUID()
  const signed = (from: string, kind: string, value: string) => `bus\n${from}\n${kind}\n${value}`

  sealer
    .channel()
    .then((channel) =>
      store.subscribe?.(channel, {
        message: (text) => {
          receive(text).catch(() => undefined)
        },
        reset: () => handlers.reset(),
      }),
    )
    // A store that cannot subscribe still shares entries; only the broadcast is lost.
    .catch(() => undefined)

  async function receive(text: string): Promise<void> {
    const message = parse(text)
    if (message === undefined || message.from === self) return
    if (!(await sealer.check(signed(message.from, message.kind, message.value), message.mac))) {
      shared.counters.storeRejected++
      return
    }
    if (message.kind === 'key') handlers.dropKey(message.value)
    else handlers.dropId(message.value)
  }

  async function send(kind: Message['kind'], value: string): Promise<void> {
    const mac = await sealer.sign(signed(self, kind, value))
    const message: Message = { v: 2, from: self, kind, value, mac }
    await store.publish?.(await sealer.channel(), JSON.stringify(message))
  }

  return { invalidated: (key) => send('key', key), revoked: (id) => send('id', id) }
}

function parse(text: string): Message | undefined {
  try {
    const m = JSON.parse(text) as Partial<Message>
    const ok =
      m.v === 2 &&
      typeof m.from === 'string' &&
      (m.kind === 'key' || m.kind === 'id') &&
      typeof m.value === 'string' &&
      typeof m.mac === 'string'
    return ok ? (m as Message) : undefined
  } catch {
    return undefined
  }
}
