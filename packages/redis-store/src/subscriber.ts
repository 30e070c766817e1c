/**
 * The store's own subscriber connection (a connection in subscribe mode can send nothing else, so it
 * is a `duplicate()` of the client). Opened on the first `subscribe`, it reconnects by itself (the
 * client's own reconnect strategy) and resubscribes; each time it is back, every listener hears
 * `reset`, because messages published while it was away are lost.
 */
import type { StoreListener } from '@m2m-auth/core'
import type { RedisClientLike, RedisSubscriberLike } from './client.js'
import type { RedisStoreOperation } from './timeout.js'

/** The subscribing side of one store. */
export interface Subscriber {
  subscribe(channel: string, listener: StoreListener): () => void
  close(): Promise<void>
}

/** `report` receives connection errors and failed subscriptions; it must not throw. */
export function createSubscriber(
  client: RedisClientLike,
  report: (error: unknown, operation: RedisStoreOperation, key: string) => void,
): Subscriber {
  const channels = new Map<string, Set<StoreListener>>()
  let connection: Promise<RedisSubscriberLike | undefined> | undefined
  let closed = false

  const each = (channel: string, fn: (listener: StoreListener) => void) => {
    for (const listener of channels.get(channel) ?? []) {
      try {
        fn(listener)
      } catch {
        // A listener that throws must not stop the others.
      }
    }
  }

  function open(): Promise<RedisSubscriberLike | undefined> {
    connection ??= (async () => {
      const sub = client.duplicate?.()
      if (sub === undefined) return undefined
      let readies = 0
      sub.on('error', (error: unknown) => report(error, 'subscribe', ''))
      // The first 'ready' is the initial connection; later ones follow a lost connection.
      sub.on('ready', () => {
        if (++readies > 1) for (const channel of channels.keys()) each(channel, (l) => l.reset())
      })
      try {
        await sub.connect?.()
      } catch (error) {
        report(error, 'subscribe', '')
      }
      return sub
    })()
    return connection
  }

  async function listen(channel: string): Promise<void> {
    const sub = await open()
    if (sub === undefined || closed) return
    try {
      await sub.subscribe(channel, (message) => each(channel, (l) => l.message(message)))
      each(channel, (l) => l.reset()) // listening from now on: anything before may have been missed
    } catch (error) {
      report(error, 'subscribe', channel)
    }
  }

  return {
    subscribe(channel, listener) {
      const set = channels.get(channel)
      if (set !== undefined) {
        set.add(listener)
        queueMicrotask(() => listener.reset())
      } else {
        channels.set(channel, new Set([listener]))
        listen(channel).catch(() => undefined)
      }
      return () => channels.get(channel)?.delete(listener)
    },
    async close() {
      closed = true
      const sub = await connection
      try {
        if (sub?.destroy !== undefined) sub.destroy()
        else sub?.disconnect?.()
      } catch {
        // Already closed (node-redis throws on closing a closed client): nothing left to release.
      }
    },
  }
}
