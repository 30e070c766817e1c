/**
 * The transport seam on edge runtimes: `#transport` resolves to the fetch variant (no undici, no
 * Node API), so the client uses the runtime's `fetch`.
 */
import { expect, it } from 'vitest'
import { defaultExchange } from '#transport'

it('selects the fetch variant of #transport outside Node', () => {
  expect(defaultExchange()).toBeUndefined()
})
