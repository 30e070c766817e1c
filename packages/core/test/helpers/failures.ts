/** Assertions on failing calls, shared by the client tests. */
import { expect } from 'vitest'
import { M2MApiError } from '../../src/index.js'

/** The rejection of `promise`; fails the test if it resolves. */
export async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected the call to fail'),
    (error: unknown) => error,
  )
}

/** The `M2MApiError` that `promise` rejects with; fails the test otherwise. */
export async function apiFailure(promise: Promise<unknown>): Promise<M2MApiError> {
  const error = await failure(promise)
  expect(error).toBeInstanceOf(M2MApiError)
  return error as M2MApiError
}
