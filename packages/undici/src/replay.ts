/**
 * The handler of a request that carries our token: passes everything through, except a 401 to a
 * replayable request, whose answer is read and dropped before the request is dispatched once more
 * with a new token (undici's own redirect and retry handlers re-dispatch the same way).
 */
import type { TokenSource } from '@m2m-auth/core'
import type { Dispatcher } from 'undici'
import { withAuthorization } from './headers.js'

type Controller = Dispatcher.DispatchController
type Headers = Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>[2]

/** What a replay needs. */
export interface ReplayContext {
  dispatch: Dispatcher.Dispatch
  opts: Dispatcher.DispatchOptions
  source: Pick<TokenSource, 'getToken' | 'invalidate'>
  /** The body can be sent again. */
  replayable: boolean
}

export class ReplayOn401Handler implements Dispatcher.DispatchHandler {
  readonly #handler: Dispatcher.DispatchHandler
  readonly #context: ReplayContext
  #token: string
  #replayed = false
  #dropping = false

  constructor(handler: Dispatcher.DispatchHandler, context: ReplayContext, token: string) {
    this.#handler = handler
    this.#context = context
    this.#token = token
  }

  onRequestStart(controller: Controller, context: unknown): void {
    this.#handler.onRequestStart?.(controller, context)
  }

  onRequestUpgrade(controller: Controller, statusCode: number, headers: Headers, socket: never): void {
    this.#handler.onRequestUpgrade?.(controller, statusCode, headers, socket)
  }

  onResponseStart(
    controller: Controller,
    statusCode: number,
    headers: Headers,
    statusMessage?: string,
  ): void {
    if (statusCode === 401 && this.#context.replayable && !this.#replayed) {
      this.#dropping = true
      return
    }
    this.#handler.onResponseStart?.(controller, statusCode, headers, statusMessage)
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (!this.#dropping) this.#handler.onResponseData?.(controller, chunk)
  }

  onResponseEnd(controller: Controller, trailers: Headers): void {
    if (!this.#dropping) {
      this.#handler.onResponseEnd?.(controller, trailers)
      return
    }
    this.#dropping = false
    this.#replayed = true
    const { source, dispatch, opts } = this.#context
    source.invalidate(this.#token)
    source.getToken().then(
      (token) => {
        this.#token = token
        dispatch({ ...opts, headers: withAuthorization(opts.headers, `Bearer ${token}`) }, this)
      },
      (error: Error) => this.#handler.onResponseError?.(controller, error),
    )
  }

  onResponseError(controller: Controller, error: Error): void {
    this.#handler.onResponseError?.(controller, error)
  }
}
