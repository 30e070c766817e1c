/**
 * Reading flag values as cac (mri) parsed them. mri turns numeric-looking values into numbers, a
 * repeated flag into an array, and a value-less flag into `true`; these helpers turn every such
 * surprise into a usage error that names the flag (never the value: it may be a secret).
 */

/**
 * A mistake in how the command was called: unknown command, bad flag value, missing argument. The
 * CLI exits with code 2 and prints `hint` (if any) under the message.
 */
export class UsageError extends Error {
  readonly hint: string | undefined

  constructor(message: string, hint?: string) {
    super(message)
    this.name = 'UsageError'
    this.hint = hint
  }
}

function single(value: unknown, flag: string): unknown {
  if (Array.isArray(value)) throw new UsageError(`${flag} was given more than once`)
  if (value === true || value === '') throw new UsageError(`${flag} needs a value`)
  return value
}

/** A string flag; numbers mri made of it are turned back into text. */
export function stringFlag(value: unknown, flag: string): string | undefined {
  const v = single(value, flag)
  if (v === undefined || v === false) return undefined
  if (typeof v === 'number') return String(v)
  if (typeof v !== 'string') throw new UsageError(`${flag} needs a value`)
  return v
}

/** A numeric flag; `integer` rejects fractions. */
export function numberFlag(value: unknown, flag: string, integer = false): number | undefined {
  const v = single(value, flag)
  if (v === undefined || v === false) return undefined
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN
  if (!Number.isFinite(n)) throw new UsageError(`${flag} must be a number`)
  if (integer && !Number.isSafeInteger(n)) throw new UsageError(`${flag} must be a whole number`)
  return n
}

/** One of a fixed set of words. */
export function choiceFlag<T extends string>(
  value: unknown,
  flag: string,
  choices: readonly T[],
): T | undefined {
  const v = stringFlag(value, flag)
  if (v === undefined) return undefined
  if (!(choices as readonly string[]).includes(v)) {
    throw new UsageError(`${flag} must be one of: ${choices.join(', ')}`)
  }
  return v as T
}

/** A boolean switch (`--revoked`); `--revoked=false` reads as false. */
export function booleanFlag(value: unknown, flag: string): boolean | undefined {
  if (Array.isArray(value)) return booleanFlag(value.at(-1), flag)
  if (value === undefined || typeof value === 'boolean') return value
  throw new UsageError(`${flag} takes no value`)
}

/** `--claims`: any JSON value. The parser's message is kept out: it may quote the input. */
export function jsonFlag(value: unknown, flag: string): unknown {
  const text = stringFlag(value, flag)
  if (text === undefined) return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw new UsageError(`${flag} is not valid JSON`, `example: ${flag} '{"role":"reader"}'`)
  }
}
