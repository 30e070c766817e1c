import { bodyInvalid, type ParamProblem, paramErrors } from './errors.js'

/** Constraints of a numeric parameter. */
export interface NumberRule {
  integer?: boolean
  nullable?: boolean
  /** Inclusive lower bound. */
  min?: number
  /** Exclusive lower bound. */
  above?: number
  max?: number
}

/** Constraints of a string parameter. */
export interface StringRule {
  required?: boolean
  nullable?: boolean
  pattern?: RegExp
  minLength?: number
  maxLength?: number
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Reads and checks request parameters, collecting every problem so one 400 lists them all (as
 * Clerk does). Call {@link Params.done} after the reads.
 */
export class Params {
  private readonly problems: ParamProblem[] = []
  private readonly source: Record<string, unknown>

  private constructor(source: Record<string, unknown>) {
    this.source = source
  }

  /** A JSON body: absent means `{}`; anything but an object is a 400. */
  static body(body: unknown): Params {
    if (body === undefined) return new Params({})
    if (!isPlainObject(body)) throw bodyInvalid('The request body must be a JSON object.')
    return new Params(body)
  }

  /** Query parameters (the first value of each name). */
  static query(query: URLSearchParams): Params {
    const source: Record<string, unknown> = {}
    for (const [key, value] of query) if (!(key in source)) source[key] = value
    return new Params(source)
  }

  /** Adds a problem found outside the typed readers. */
  problem(problem: ParamProblem): void {
    this.problems.push(problem)
  }

  /** Every parameter not in `allowed` is a `form_param_unknown`. */
  rejectUnknown(allowed: readonly string[]): this {
    for (const key of Object.keys(this.source)) {
      if (!allowed.includes(key)) this.problems.push({ param: key, kind: 'unknown' })
    }
    return this
  }

  /** Whether the parameter is present (not `undefined`). */
  has(name: string): boolean {
    return this.source[name] !== undefined
  }

  /** The raw value (any JSON). */
  raw(name: string): unknown {
    return this.source[name]
  }

  /** A string parameter checked against `rule`; `undefined` when absent or invalid. */
  string(name: string, rule: StringRule = {}): string | null | undefined {
    const value = this.source[name]
    if (value === undefined) return this.absent(name, rule.required)
    if (value === null && rule.nullable) return null
    if (typeof value !== 'string') return this.invalid(name, 'must be a string')
    if (rule.minLength !== undefined && value.length < rule.minLength) {
      return this.invalid(name, `must be at least ${rule.minLength} characters long`, 'value')
    }
    if (rule.maxLength !== undefined && value.length > rule.maxLength) {
      return this.invalid(name, `must be at most ${rule.maxLength} characters long`, 'value')
    }
    if (rule.pattern && !rule.pattern.test(value)) return this.invalid(name, 'has an invalid format')
    return value
  }

  /** A JSON number checked against `rule`; `undefined` when absent or invalid. */
  number(name: string, rule: NumberRule = {}): number | null | undefined {
    const value = this.source[name]
    if (value === undefined) return undefined
    if (value === null && rule.nullable) return null
    if (typeof value !== 'number' || !Number.isFinite(value)) return this.invalid(name, 'must be a number')
    return this.checkRange(name, value, rule)
  }

  /** One of `values`; `undefined` when absent or invalid. */
  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const value = this.source[name]
    if (value === undefined) return undefined
    if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T
    return this.invalid(name, `must be one of: ${values.join(', ')}`)
  }

  /** A boolean query parameter: `true` or `false`. */
  queryBoolean(name: string): boolean | undefined {
    const value = this.source[name]
    if (value === undefined || value === '') return undefined
    if (value === 'true' || value === 'false') return value === 'true'
    return this.invalid(name, 'must be true or false')
  }

  /** An integer query parameter. */
  queryInteger(name: string, rule: NumberRule = {}): number | undefined {
    const value = this.source[name]
    if (value === undefined || value === '') return undefined
    if (typeof value !== 'string' || !/^-?\d{1,15}$/.test(value))
      return this.invalid(name, 'must be an integer')
    return this.checkRange(name, Number(value), rule) ?? undefined
  }

  /** Throws the collected problems as one 400. */
  done(): void {
    if (this.problems.length > 0) throw paramErrors(this.problems)
  }

  private checkRange(name: string, value: number, rule: NumberRule): number | undefined {
    if (rule.integer && !Number.isInteger(value)) return this.invalid(name, 'must be an integer')
    if (rule.min !== undefined && value < rule.min)
      return this.invalid(name, `must be >= ${rule.min}`, 'value')
    if (rule.above !== undefined && value <= rule.above) {
      return this.invalid(name, `must be greater than ${rule.above}`, 'value')
    }
    if (rule.max !== undefined && value > rule.max)
      return this.invalid(name, `must be <= ${rule.max}`, 'value')
    return value
  }

  private absent(name: string, required: boolean | undefined): undefined {
    if (required) this.problems.push({ param: name, kind: 'missing' })
    return undefined
  }

  private invalid(name: string, detail: string, kind: 'invalid' | 'value' = 'invalid'): undefined {
    this.problems.push({ param: name, kind, detail })
    return undefined
  }
}
