/**
 * No oracle: what a caller learns from a refusal is only "not valid here". Every 401 for a token
 * that is not valid here carries one description (unknown, expired, revoked, scoped to another
 * machine, wrong type, malformed), and a 500 carries a generic one; otherwise a thief could tell
 * a stolen token that is alive elsewhere from a dead one, or learn how this server is set up.
 * The precise reason stays on the server: in the log and in events.
 */
import { type AuthError, InvalidTokenError, ServerConfigError } from '../http/errors.js'

/** The one description of every 401 `invalid_token` answer. */
export const INVALID_TOKEN_DESCRIPTION = 'The access token is invalid'

/** The one description of every 500 answer (our own configuration is broken). */
export const SERVER_ERROR_DESCRIPTION = 'The server could not verify the access token'

const reasons = new WeakMap<AuthError, string>()

/**
 * The answer for `error`: 401s and 500s with their generic description (the original is kept as
 * `cause` and as {@link reasonOf}); every other outcome (400, 403, 503) unchanged.
 */
export function conceal(error: AuthError): AuthError {
  if (reasons.has(error)) return error
  if (error instanceof InvalidTokenError)
    return hide(new InvalidTokenError(INVALID_TOKEN_DESCRIPTION, error), error)
  if (error instanceof ServerConfigError)
    return hide(new ServerConfigError(SERVER_ERROR_DESCRIPTION, error), error)
  return error
}

/** A refused token: 401 with the generic description, `reason` kept for the log and events. */
export function rejectToken(reason: string): InvalidTokenError {
  const error = new InvalidTokenError(INVALID_TOKEN_DESCRIPTION)
  reasons.set(error, reason)
  return error
}

/** The precise reason behind a concealed answer (the original description), for logs and events. */
export function reasonOf(error: AuthError): string {
  return reasons.get(error) ?? error.description
}

function hide<T extends AuthError>(shown: T, original: AuthError): T {
  reasons.set(shown, reasonOf(original))
  return shown
}
