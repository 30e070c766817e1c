/**
 * Checks shared by every options object: unknown keys (refused with a suggestion) and the value
 * checks that core and the adapters both need. All run once, at construction, never per request.
 */
import { M2MConfigError } from '../errors.js'
import { unknownKey } from './suggest.js'

/**
 * Refuses any own key of `options` that is not in `known`: `M2MConfigError` whose `option` is the
 * key (prefixed by `path` for nested objects, e.g. `cache.ttl`) and whose message suggests the
 * closest known key. Keys whose value is `undefined` are refused too: a misspelling is a mistake
 * whatever its value.
 *
 * @example
 * ```ts
 * checkKnownKeys({ scopes: ['mch_a'] }, ['scope', 'realm'])
 * // M2MConfigError: Unknown option `scopes` (did you mean `scope`?)
 * ```
 */
export function checkKnownKeys(options: object, known: readonly string[], path = ''): void {
  const unknown = unknownKey(options, known, path)
  if (unknown !== undefined) throw new M2MConfigError(unknown.name, unknown.message)
}

/** Throws unless `value` is a plain options object (or `undefined`, when `optional`). */
export function checkObject(option: string, value: unknown): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new M2MConfigError(option, `${option} must be an object`)
  }
}

/**
 * A machine id or a list of them, as a frozen list of distinct non-empty strings. Used for `scope`
 * and `callers`; `undefined` stays `undefined`.
 */
export function machineList(option: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? [...value] : undefined
  if (list === undefined || !list.every((id) => typeof id === 'string' && id.trim() !== '')) {
    throw new M2MConfigError(option, `${option} must be a machine id (mch_...) or an array of them`)
  }
  return Object.freeze([...new Set(list as string[])])
}

/** A boolean option, or its default. */
export function booleanOption(option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback
  if (typeof value !== 'boolean') throw new M2MConfigError(option, `${option} must be a boolean`)
  return value
}

/** A function option, or `undefined`. */
export function functionOption<T>(option: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new M2MConfigError(option, `${option} must be a function`)
  }
  return value
}
