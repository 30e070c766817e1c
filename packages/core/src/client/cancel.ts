/**
 * How one attempt is called off (its timeout fired, or the caller aborted): the exchange registers
 * the function that stops its request, and `cancel()` runs it once. A plain object instead of an
 * AbortController per attempt: the verify call is the hot path of every cache miss and refresh,
 * and an AbortSignal with its listeners cost a visible share of it (`node bench/miss-ab.mjs`).
 * The fetch exchange, which needs a real signal, builds one from it.
 */
export class Cancel {
  #cancelled = false
  #reason: unknown
  #stop: ((reason: unknown) => void) | undefined

  /** Whether the attempt was given up. */
  get cancelled(): boolean {
    return this.#cancelled
  }

  /** Why it was given up (a `TimeoutError` DOMException, or the caller's abort reason). */
  get reason(): unknown {
    return this.#reason
  }

  /** Gives the attempt up: the registered stop function runs now, once. Later calls do nothing. */
  cancel(reason: unknown): void {
    if (this.#cancelled) return
    this.#cancelled = true
    this.#reason = reason
    const stop = this.#stop
    this.#stop = undefined
    stop?.(reason)
  }

  /**
   * Registers what stops the request (replacing an earlier one; `undefined` clears it). Already
   * given up: `stop` runs at once.
   */
  onCancel(stop: ((reason: unknown) => void) | undefined): void {
    if (this.#cancelled) stop?.(this.#reason)
    else this.#stop = stop
  }
}
