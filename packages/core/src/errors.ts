/**
 * The one error base class of @m2m-auth/core. Every error we throw is an `M2MError` with a stable
 * string `code` that a `switch` can narrow on. Messages never contain a token or a secret key.
 */
export class M2MError extends Error {
  readonly code: string

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}

/**
 * A configuration mistake found when a client, verifier or adapter is built (never per request).
 * `option` names the offending option.
 */
export class M2MConfigError extends M2MError {
  readonly option: string

  constructor(option: string, message: string) {
    super('m2m_config_error', message)
    this.option = option
  }
}
