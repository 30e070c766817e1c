/**
 * The receiver's identity at startup: when this server must enforce scoping itself (the instance
 * key, or JWTs verified locally), building a verifier without a machine id fails, naming the
 * option and the environment variable; `anyMachine: true` is the explicit, logged opt-out.
 */
import { describe, expect, it } from 'vitest'
import {
  createVerifier,
  M2MConfigError,
  MACHINE_ID_ENV_VAR,
  resolveVerifierOptions,
  type VerifierOptions,
} from '../src/index.js'

const INSTANCE_KEY = 'sk_test_instance_key_for_machine_id'
const MACHINE_KEY = 'ak_machine_key_for_machine_id'
const MACHINE = 'mch_2xReceiverMachineIdTest'
const PEM = '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----'

function configError(options: VerifierOptions): M2MConfigError {
  try {
    createVerifier(options)
  } catch (error) {
    if (error instanceof M2MConfigError) return error
    throw error
  }
  throw new Error('createVerifier accepted these options')
}

function quietLogger(lines: string[] = []) {
  return { warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) }
}

describe('machineId requirement', () => {
  it.each([
    ['the instance key (opaque and JWT)', { secretKey: INSTANCE_KEY }],
    ['the instance key with JWTs off', { secretKey: INSTANCE_KEY, jwt: false as const }],
    ['a Machine Secret Key with a jwtKey (JWTs verified locally)', { secretKey: MACHINE_KEY, jwtKey: PEM }],
  ])('is enforced with %s: M2MConfigError naming machineId and CLERK_MACHINE_ID', (_name, options) => {
    const error = configError(options)
    expect(error.option).toBe('machineId')
    expect(error.message).toContain('machineId')
    expect(error.message).toContain(MACHINE_ID_ENV_VAR)
    expect(error.message).not.toContain(options.secretKey)
  })

  it('is not needed with a Machine Secret Key and opaque tokens only (Clerk enforces scoping)', () => {
    expect(() => createVerifier({ secretKey: MACHINE_KEY })).not.toThrow()
  })

  it('is met by machineId', () => {
    expect(() => createVerifier({ secretKey: INSTANCE_KEY, machineId: MACHINE })).not.toThrow()
  })

  it('anyMachine: true opts out and warns once, at construction', () => {
    const lines: string[] = []
    createVerifier({ secretKey: INSTANCE_KEY, anyMachine: true, logger: quietLogger(lines) })
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/anyMachine: true/)
  })

  it('refuses anyMachine together with machineId, and a non-boolean anyMachine', () => {
    expect(configError({ secretKey: INSTANCE_KEY, machineId: MACHINE, anyMachine: true }).option).toBe(
      'anyMachine',
    )
    const notBoolean = { secretKey: INSTANCE_KEY, anyMachine: 'yes' } as unknown as VerifierOptions
    expect(configError(notBoolean).option).toBe('anyMachine')
  })
})

describe('CLERK_MACHINE_ID', () => {
  it('fills machineId when the option leaves it out; the option wins; empty counts as unset', () => {
    const env = { CLERK_SECRET_KEY: INSTANCE_KEY, CLERK_MACHINE_ID: MACHINE }
    expect(resolveVerifierOptions({}, env).machineId).toBe(MACHINE)
    expect(resolveVerifierOptions({ machineId: 'mch_other' }, env).machineId).toBe('mch_other')
    expect('machineId' in resolveVerifierOptions({}, { ...env, CLERK_MACHINE_ID: ' ' })).toBe(false)
  })

  it('lets a verifier with the instance key start from the environment alone', () => {
    const env = { CLERK_SECRET_KEY: INSTANCE_KEY, CLERK_MACHINE_ID: MACHINE }
    expect(() => createVerifier(resolveVerifierOptions({}, env))).not.toThrow()
  })
})

describe('budget and breaker options', () => {
  const base = { secretKey: MACHINE_KEY }
  it.each([
    ['budget', { budget: 'lots' }],
    ['budget.ratePerSecond', { budget: { ratePerSecond: 0 } }],
    ['budget.burst', { budget: { burst: 1.5 } }],
    ['budget.maxInFlight', { budget: { maxInFlight: -1 } }],
    ['breaker', { breaker: [] }],
    ['breaker.failureThreshold', { breaker: { failureThreshold: 0 } }],
    ['breaker.minOpenMs', { breaker: { minOpenMs: Number.NaN } }],
    ['breaker.maxOpenMs', { breaker: { minOpenMs: 5000, maxOpenMs: 1000 } }],
  ])('a bad %s fails at startup, naming it', (option, extra) => {
    expect(configError({ ...base, ...(extra as Partial<VerifierOptions>) }).option).toBe(option)
  })

  it('accepts false for both, and partial objects', () => {
    expect(() => createVerifier({ ...base, budget: false, breaker: false })).not.toThrow()
    expect(() =>
      createVerifier({ ...base, budget: { burst: 10 }, breaker: { maxOpenMs: 5000 } }),
    ).not.toThrow()
  })
})
