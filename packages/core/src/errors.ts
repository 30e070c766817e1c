/**
 * Where a class's brand lives. `Symbol.for` gives the same key in every copy of this module (the ESM
 * and the CJS build, two installed copies), so an error thrown by one copy is recognised by another.
 */
const BRAND = Symbol.for('@m2m-auth/core.errorBrand')

type ErrorClass<T> = abstract new (...args: never[]) => T

/**
 * Gives an error class its cross-build identity (call it in a `static {}` block). Only the class
 * itself carries the brand: a subclass without its own brand falls back to plain `instanceof`.
 */
export function brand(ctor: ErrorClass<unknown>, name: string): void {
  Object.defineProperty(ctor, BRAND, { value: `@m2m-auth/core:${name}` })
}

/** Plain `instanceof`, else true when a prototype on `value`'s chain has the same brand as `ctor`. */
function isInstance(ctor: ErrorClass<unknown>, value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false
  // A plain object (the verified token an adapter tells apart from an `AuthError` on every cache
  // hit) is an error of no copy: answered without the brand walk below.
  const proto: unknown = Object.getPrototypeOf(value)
  if (proto === Object.prototype || proto === null) return false
  if (Function.prototype[Symbol.hasInstance].call(ctor, value)) return true
  const wanted: unknown = Object.hasOwn(ctor, BRAND) ? Reflect.get(ctor, BRAND) : undefined
  if (typeof wanted !== 'string') return false
  for (let proto = Object.getPrototypeOf(value); proto !== null; proto = Object.getPrototypeOf(proto)) {
    const owner: unknown = Object.hasOwn(proto, 'constructor') ? proto.constructor : undefined
    if (typeof owner === 'function' && Object.hasOwn(owner, BRAND) && Reflect.get(owner, BRAND) === wanted) {
      return true
    }
  }
  return false
}

/**
 * The one error base class of @m2m-auth/core. Every error we throw is an `M2MError` with a stable
 * string `code` that a `switch` can narrow on. Messages never contain a token or a secret key.
 *
 * `instanceof` holds across module formats: an app that both `require`s and `import`s the package
 * loads two copies of these classes, and an error from either copy is an instance of the classes of
 * both (each class carries a `Symbol.for` brand).
 *
 * @example
 * ```ts
 * try { await client.verifyToken({ token }) } catch (e) {
 *   if (e instanceof M2MError) metrics.increment(e.code)
 * }
 * ```
 */
export class M2MError extends Error {
  static {
    brand(M2MError, 'M2MError')
  }

  /** Recognises instances of this class from another copy of the package too (see above). */
  static override [Symbol.hasInstance]<T>(this: ErrorClass<T>, value: unknown): value is T {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class on the right of `instanceof`.
    return isInstance(this, value)
  }

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
  static {
    brand(M2MConfigError, 'M2MConfigError')
  }

  readonly option: string

  constructor(option: string, message: string) {
    super('m2m_config_error', message)
    this.option = option
  }
}
