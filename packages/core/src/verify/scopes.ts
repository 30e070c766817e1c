/**
 * The scope check, written once for every adapter. An M2M token's `scopes` are the machines
 * (`mch_...`) it may be presented to; a route requires one or more of them.
 */
import { InsufficientScopeError, MissingTokenError } from '../http/errors.js'
import type { VerifiedM2MToken } from '../types.js'

/**
 * Throws `InsufficientScopeError` (403, `scope="..."` in the challenge) unless `token.scopes`
 * contains **every** entry of `required`. An empty `required` always passes. A `null` token (optional
 * mode let a request without credentials through) throws `MissingTokenError` (401): a route that
 * requires scopes always requires credentials.
 *
 * @example
 * ```ts
 * const token = await verifier.verify(raw)
 * checkScopes(token, ['mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'])
 * ```
 */
export function checkScopes(token: VerifiedM2MToken | null, required: readonly string[]): void {
  if (token === null) throw new MissingTokenError()
  if (!hasScopes(token, required)) throw new InsufficientScopeError(required)
}

/** Whether `token.scopes` contains every entry of `required` (no throw: for hot paths). */
export function hasScopes(token: VerifiedM2MToken, required: readonly string[]): boolean {
  const granted = token.scopes
  for (const scope of required) {
    if (!granted.includes(scope)) return false
  }
  return true
}
