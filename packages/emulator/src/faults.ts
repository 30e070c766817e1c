import { type Faults, type LatencyMs, ROUTE_NAMES, type RouteName } from './types.js'

/** What an injected fault does to a request. */
export type FaultKind = 'hang' | 'reset' | 'rateLimit' | 'error' | 'malformed'

const RATE_KEYS = [
  ['hangRate', 'hang'],
  ['resetRate', 'reset'],
  ['rateLimitRate', 'rateLimit'],
  ['errorRate', 'error'],
  ['malformedRate', 'malformed'],
] as const

const FAULT_KEYS = new Set<string>([
  ...RATE_KEYS.map(([key]) => key),
  'errorStatus',
  'retryAfterSeconds',
  'slowMs',
  'routes',
])

/** mulberry32: a small seedable PRNG, so runs with the same seed draw the same faults. */
export function createRng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

function checkNumber(value: unknown, name: string, min: number, max: number): void {
  if (value === undefined) return
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new RangeError(`${name} must be a number in [${min}, ${max}]`)
  }
}

/** Checks a {@link Faults} value (from code or from the admin endpoint); throws naming the option. */
export function validateFaults(input: unknown, option = 'faults'): Faults {
  if (!isRecord(input)) throw new TypeError(`${option} must be an object`)
  for (const key of Object.keys(input)) {
    if (!FAULT_KEYS.has(key)) throw new TypeError(`${option}.${key.slice(0, 64)} is not a known fault option`)
  }
  for (const [key] of RATE_KEYS) checkNumber(input[key], `${option}.${key}`, 0, 1)
  checkNumber(input.retryAfterSeconds, `${option}.retryAfterSeconds`, 0, 86_400)
  checkNumber(input.slowMs, `${option}.slowMs`, 0, 600_000)
  if (input.errorStatus !== undefined && ![500, 502, 503].includes(input.errorStatus as number)) {
    throw new RangeError(`${option}.errorStatus must be 500, 502 or 503`)
  }
  const routes = input.routes
  if (routes !== undefined) {
    if (!Array.isArray(routes) || routes.some((r) => !ROUTE_NAMES.includes(r as RouteName))) {
      throw new TypeError(`${option}.routes must be an array of: ${ROUTE_NAMES.join(', ')}`)
    }
  }
  return { ...(input as Faults), ...(routes ? { routes: [...(routes as RouteName[])] } : {}) }
}

/** Checks a {@link LatencyMs} value; throws naming the option. */
export function validateLatency(input: unknown, option = 'latencyMs'): LatencyMs {
  if (typeof input === 'number') {
    checkNumber(input, option, 0, 600_000)
    return input
  }
  if (!isRecord(input)) throw new TypeError(`${option} must be a number or { min, max }`)
  checkNumber(input.min, `${option}.min`, 0, 600_000)
  checkNumber(input.max, `${option}.max`, 0, 600_000)
  const { min, max } = input as { min: number; max: number }
  if (typeof min !== 'number' || typeof max !== 'number' || min > max) {
    throw new RangeError(`${option} needs numbers min <= max`)
  }
  return { min, max }
}

/** Decides, per request, which fault (if any) fires and how long to delay. */
export class FaultInjector {
  private faults: Faults = {}
  private latency: LatencyMs = 0

  constructor(
    private readonly faultRng: () => number,
    private readonly latencyRng: () => number,
  ) {}

  /** Replaces the faults (validated first). */
  set(faults: Faults): void {
    this.faults = validateFaults(faults)
  }

  /** A copy of the active faults. */
  get(): Faults {
    return { ...this.faults }
  }

  /** Replaces the latency of the M2M routes (validated first). */
  setLatency(latency: LatencyMs): void {
    this.latency = validateLatency(latency)
  }

  /** The active latency. */
  getLatency(): LatencyMs {
    return this.latency
  }

  private applies(route: RouteName): boolean {
    return this.faults.routes === undefined || this.faults.routes.includes(route)
  }

  /** The fault for this request; a rate of 0 or 1 never draws from the PRNG, so it is exact. */
  decide(route: RouteName): FaultKind | undefined {
    if (!this.applies(route)) return undefined
    for (const [key, kind] of RATE_KEYS) {
      const rate = this.faults[key] ?? 0
      if (rate >= 1 || (rate > 0 && this.faultRng() < rate)) return kind
    }
    return undefined
  }

  /** Milliseconds to wait before answering: latency (M2M routes) plus `slowMs` (faulted routes). */
  delayMs(route: RouteName, isM2MRoute: boolean): number {
    const slow = this.applies(route) ? (this.faults.slowMs ?? 0) : 0
    if (!isM2MRoute) return slow
    const latency = this.latency
    const base =
      typeof latency === 'number' ? latency : latency.min + (latency.max - latency.min) * this.latencyRng()
    return slow + base
  }

  /** Status of an injected error. */
  errorStatus(): 500 | 502 | 503 {
    return this.faults.errorStatus ?? 500
  }

  /** `Retry-After` of an injected 429, in seconds. */
  retryAfterSeconds(): number {
    return this.faults.retryAfterSeconds ?? 1
  }
}
