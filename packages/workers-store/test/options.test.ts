/**
 * The store's options are checked when it is built (a misspelt option is a deployment error), and
 * the verifier reads its `awaitWrites` capability. Behaviour on workerd: test/runtimes/workers-store.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { createWorkersStore, WorkersCacheUnavailableError } from '../src/index.js'

describe('createWorkersStore options', () => {
  it.each([
    [
      'a misspelt option',
      { baseURL: 'https://x.example/' },
      /Unknown option `baseURL` \(did you mean `baseUrl`\?\)/,
    ],
    ['a cache without match, put and delete', { cache: { get: () => undefined } }, /options\.cache/],
    ['a baseUrl that is not an http(s) URL ending in /', { baseUrl: 'm2m:' }, /options\.baseUrl/],
  ])('refuses %s, naming it', (_name, options, message) => {
    expect(() => createWorkersStore(options as never)).toThrow(message)
  })

  it('asks the verifier to await its writes (Workers cancel work that outlives the request)', () => {
    expect(createWorkersStore().awaitWrites).toBe(true)
  })

  it('rejects every call when there is no caches.default (here, on Node)', async () => {
    const store = createWorkersStore()
    await expect(store.get('k')).rejects.toBeInstanceOf(WorkersCacheUnavailableError)
    await expect(store.delete('k')).rejects.toBeInstanceOf(WorkersCacheUnavailableError)
  })
})
