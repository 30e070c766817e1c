/**
 * createM2MInterceptor: an undici interceptor (for `Agent.compose()` and `setGlobalDispatcher()`)
 * that gives requests to the listed origins the token source's token, and nothing to any other
 * origin. It decides per dispatch, and every redirect hop is a dispatch of its own, so a hop that
 * leaves the listed origins carries no token from us (undici's redirect handling also drops
 * `authorization` when the origin changes).
 */
import {
  checkKnownKeys,
  createOriginMatcher,
  M2M_INTERCEPTOR_OPTION_KEYS,
  M2MConfigError,
  type TokenSource,
} from '@m2m-auth/core'
import type { Dispatcher } from 'undici'
import { isReplayableBody, withAuthorization } from './headers.js'
import { ReplayOn401Handler } from './replay.js'

/**
 * Options of {@link createM2MInterceptor}.
 *
 * @example
 * ```ts
 * createM2MInterceptor({ source, origins: ['https://billing.internal'] })
 * ```
 */
export interface M2MInterceptorOptions {
  /** Where tokens come from (`createTokenSource` of `@m2m-auth/core`). */
  source: Pick<TokenSource, 'getToken' | 'invalidate'>
  /** Origins (`scheme://host[:port]`, exact match) whose requests get `Authorization: Bearer <token>`. */
  origins: readonly string[]
}

/**
 * Builds the interceptor. On a request whose origin is listed it replaces `authorization` with
 * `Bearer <token>`; after a 401 it calls `source.invalidate(token)` and dispatches the request once
 * more with a new token, when the body can be sent again (none, a string or bytes; not a stream).
 * A request dispatched without an `origin` (straight on a `Client` or `Pool`) is left untouched.
 * If no token can be had, the request fails with the source's error.
 *
 * @example
 * ```ts
 * import { Agent, setGlobalDispatcher, interceptors } from 'undici'
 * const m2m = createM2MInterceptor({ source, origins: ['https://billing.internal'] })
 * setGlobalDispatcher(new Agent().compose(interceptors.redirect({ maxRedirections: 3 }), m2m))
 * await fetch('https://billing.internal/invoices') // carries the token
 * ```
 */
export function createM2MInterceptor(
  options: M2MInterceptorOptions,
): Dispatcher.DispatcherComposeInterceptor {
  if (typeof options !== 'object' || options === null) {
    throw new M2MConfigError('options', 'options must be an object')
  }
  checkKnownKeys(options, M2M_INTERCEPTOR_OPTION_KEYS)
  const { source } = options
  if (typeof source?.getToken !== 'function' || typeof source.invalidate !== 'function') {
    throw new M2MConfigError('source', 'source must be a token source (see createTokenSource)')
  }
  const listed = createOriginMatcher(options.origins)

  return (dispatch) =>
    function m2mAuthInterceptor(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
      const origin = opts.origin === undefined ? undefined : originOf(opts.origin)
      if (origin === undefined || !listed.matches(origin)) return dispatch(opts, handler)
      const context = { dispatch, opts, source, replayable: isReplayableBody(opts.body) }
      source.getToken().then(
        (token) => {
          const headers = withAuthorization(opts.headers, `Bearer ${token}`)
          dispatch({ ...opts, headers }, new ReplayOn401Handler(handler, context, token))
        },
        // No request was made: fail it the way undici's own interceptors do before dispatching.
        (error: Error) => handler.onResponseError?.(null as unknown as Dispatcher.DispatchController, error),
      )
      return true
    }
}

function originOf(origin: string | URL): string | undefined {
  if (typeof origin !== 'string') return origin.origin
  return URL.canParse(origin) ? origin : undefined
}
