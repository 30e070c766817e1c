/**
 * The verifier's loud line when the token service refuses our own key or request: once per
 * verifier and kind of rejection, never the key itself.
 */
import type { ServerConfigError } from '../http/errors.js'
import type { LibraryLog } from '../logger.js'
import type { ResolvedVerifierConfig } from './options.js'

/**
 * One loud line per verifier and kind of rejection when the token service refuses our own key or
 * request; never the key itself. Clerk's error codes are included (they name no token or key).
 */
export function reportOnce(
  config: ResolvedVerifierConfig,
  log: LibraryLog,
): (error: ServerConfigError) => void {
  return (error) => {
    const cause = error.cause as { status?: unknown; errors?: { code?: unknown }[] } | undefined
    const codes = Array.isArray(cause?.errors) ? cause.errors.map((e) => String(e?.code)).join(', ') : ''
    const detail = `${error.description}${codes === '' ? '' : ` (${codes})`}`
    const hint = KEY_PROBLEM.test(error.description)
      ? 'check the secretKey option or the CLERK_MACHINE_SECRET_KEY / CLERK_SECRET_KEY environment variables.'
      : 'this library and the token service disagree about the request (apiUrl, apiVersion, an upgrade?).'
    log.once(
      `server-config:${detail}`,
      'error',
      `M2M token verification is misconfigured: ${detail} (token service ${config.apiUrl}). Requests ` +
        `needing verification are answered 500 until this is fixed: ${hint}`,
    )
  }
}

const KEY_PROBLEM = /secret key/i

/** Once per verifier: `anyMachine: true` turns off the receiver check; say what that means. */
export function warnAnyMachine(log: LibraryLog): void {
  log.once(
    'any-machine',
    'warn',
    'anyMachine: true: this verifier accepts a token of this Clerk instance whatever machine it is ' +
      'scoped to. Fine for an instance with a single receiving service; otherwise set machineId ' +
      '(or CLERK_MACHINE_ID) so that a token minted for another service is refused.',
  )
}
