/**
 * The checks of the guard's options (`budget`, `breaker`, `machineId`/`anyMachine`), run once
 * when a verifier is built; `verify/options.ts` calls them. Mistakes throw `M2MConfigError`
 * naming the option.
 */
import { MACHINE_ID_ENV_VAR } from '../config.js'
import { M2MConfigError } from '../errors.js'
import { checkKnownKeys } from '../options/check.js'
import { BREAKER_OPTION_KEYS, BUDGET_OPTION_KEYS } from '../options/keys.js'
import { type BreakerOptions, type BreakerPolicy, DEFAULT_BREAKER } from './breaker.js'
import { type BudgetOptions, type BudgetPolicy, DEFAULT_BUDGET } from './budget.js'

function fail(option: string, message: string): never {
  throw new M2MConfigError(option, message)
}

function object(option: string, value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(option, `${option} must be an object or false`)
  }
  return value as Record<string, unknown>
}

function positive(option: string, value: unknown, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback
  const ok = typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 2_147_483_647
  if (!ok || (integer && !Number.isSafeInteger(value))) {
    fail(option, `${option} must be a positive ${integer ? 'integer' : 'number'}`)
  }
  return value as number
}

/** `budget`: options, or `false` for none. @default {@link DEFAULT_BUDGET} */
export function resolveBudget(value: BudgetOptions | false | undefined): BudgetPolicy | false {
  if (value === false) return false
  const b = value === undefined ? {} : object('budget', value)
  checkKnownKeys(b, BUDGET_OPTION_KEYS, 'budget')
  return {
    ratePerSecond: positive('budget.ratePerSecond', b.ratePerSecond, DEFAULT_BUDGET.ratePerSecond, false),
    burst: positive('budget.burst', b.burst, DEFAULT_BUDGET.burst, true),
    maxInFlight: positive('budget.maxInFlight', b.maxInFlight, DEFAULT_BUDGET.maxInFlight, true),
  }
}

/** `breaker`: options, or `false` for none (nor a Retry-After back-off). */
export function resolveBreaker(value: BreakerOptions | false | undefined): BreakerPolicy | false {
  if (value === false) return false
  const b = value === undefined ? {} : object('breaker', value)
  checkKnownKeys(b, BREAKER_OPTION_KEYS, 'breaker')
  const policy = {
    failureThreshold: positive(
      'breaker.failureThreshold',
      b.failureThreshold,
      DEFAULT_BREAKER.failureThreshold,
      true,
    ),
    minOpenMs: positive('breaker.minOpenMs', b.minOpenMs, DEFAULT_BREAKER.minOpenMs, false),
    maxOpenMs: positive('breaker.maxOpenMs', b.maxOpenMs, DEFAULT_BREAKER.maxOpenMs, false),
  }
  if (policy.maxOpenMs < policy.minOpenMs) fail('breaker.maxOpenMs', 'breaker.maxOpenMs must be >= minOpenMs')
  return policy
}

/**
 * The receiver's identity. Scoping is ours to enforce whenever the instance key (`sk_`) verifies
 * opaque tokens (it accepts any token of the instance) or a JWT is verified locally: then a
 * machine id is required, unless `anyMachine: true` says the instance has one receiving service.
 */
export function resolveMachineScope(
  machineId: string | undefined,
  anyMachine: unknown,
  secretKey: string,
  jwtAccepted: boolean,
): boolean {
  if (anyMachine !== undefined && typeof anyMachine !== 'boolean')
    fail('anyMachine', 'anyMachine must be a boolean')
  if (anyMachine === true && machineId !== undefined) {
    fail('anyMachine', 'anyMachine: true contradicts machineId: pass one of them (prefer machineId)')
  }
  const weEnforce = secretKey.startsWith('sk_') || jwtAccepted
  if (weEnforce && machineId === undefined && anyMachine !== true) {
    fail(
      'machineId',
      'No machine id: with the instance Secret Key (sk_) or JWT-format tokens, this server must check ' +
        `that a token is scoped to it. Pass the \`machineId\` option or set the ${MACHINE_ID_ENV_VAR} ` +
        'environment variable to this machine (mch_...); or pass `anyMachine: true` if this instance has ' +
        'a single receiving service.',
    )
  }
  return anyMachine === true
}
