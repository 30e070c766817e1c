import type { VerifierOptions } from '@m2m-auth/core'
import type { EmulatorOptions } from '@m2m-auth/emulator'
import { subjects } from '../../conformance/subjects/index.js'
import type { ConformanceSubject, StartedSubject } from '../../conformance/subjects/types.js'
import {
  type Emulator,
  type EmulatorMachine,
  type IssuedToken,
  issueToken,
  startEmulator,
} from '../../helpers/emulator.js'
import { loopbackFetch } from '../../helpers/http.js'

export type { ConformanceSubject, StartedSubject }
export { subjects }

/** The realm every reliability subject answers with. */
export const REALM = 'reliability'

/** The two machines of a reliability emulator: `sender` may send tokens to `receiver`. */
export const MACHINES = [{ name: 'sender', scopes: ['receiver'] }, { name: 'receiver' }]

/** An emulator with a sender and a receiver, and the verifier options of an API run as receiver. */
export interface ReliabilityEnv {
  emulator: Emulator
  sender: EmulatorMachine
  receiver: EmulatorMachine
  /** Verifier options for the receiving API (instance key + `machineId`), with `overrides` on top. */
  verifier(overrides?: Partial<VerifierOptions>): VerifierOptions
  /** A fresh token from sender to receiver. Its `token` is a credential: never print it. */
  issue(): Promise<IssuedToken>
  /** `count` fresh tokens, created a few at a time. */
  issueMany(count: number): Promise<IssuedToken[]>
  /** Starts `subject` against this emulator with these verifier options. */
  start(subject: ConformanceSubject, overrides?: Partial<VerifierOptions>): Promise<StartedSubject>
  close(): Promise<void>
}

/** Starts an emulator on loopback (port 0 unless given) with {@link MACHINES}. */
export async function startReliabilityEnv(options: EmulatorOptions = {}): Promise<ReliabilityEnv> {
  const emulator = await startEmulator({ host: '127.0.0.1', port: 0, machines: MACHINES, ...options })
  return envOf(emulator)
}

/** The {@link ReliabilityEnv} view of an already started emulator (one started with MACHINES). */
export function envOf(emulator: Emulator): ReliabilityEnv {
  const find = (name: string) => {
    const machine = emulator.machines.find((m) => m.name === name)
    if (machine === undefined) throw new Error(`the emulator has no machine named ${name}`)
    return machine
  }
  const sender = find('sender')
  const receiver = find('receiver')
  const verifier = (overrides: Partial<VerifierOptions> = {}): VerifierOptions => ({
    secretKey: emulator.secretKey,
    apiUrl: emulator.url,
    machineId: receiver.id,
    fetch: loopbackFetch,
    ...overrides,
  })
  const issue = () => issueToken(emulator.url, sender.secretKey)
  return {
    emulator,
    sender,
    receiver,
    verifier,
    issue,
    async issueMany(count) {
      const tokens: IssuedToken[] = []
      for (let i = 0; i < count; i += 8) {
        const batch = Array.from({ length: Math.min(8, count - i) }, issue)
        tokens.push(...(await Promise.all(batch)))
      }
      return tokens
    },
    start: (subject, overrides) =>
      subject.start({ verifier: verifier(overrides), realm: REALM, scopedRouteScopes: [receiver.id] }),
    close: () => emulator.close(),
  }
}

/** An opaque token of the right shape that no token service ever issued (`mt_` + 32 hex). */
export function unknownOpaqueToken(n: number): string {
  return `mt_${n.toString(16).padStart(32, 'f')}`
}

/** Reads a positive integer from the environment (test knobs such as `SOAK_SECONDS`). */
export function envInt(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`)
  return value
}

/**
 * fast-check parameters shared by the fuzz suites: a replay of a reported failure with
 * `FUZZ_SEED=<seed> FUZZ_PATH=<path>` (both printed by fast-check), otherwise a fresh seed per run.
 */
export function fuzzReplay(): { seed?: number; path?: string } {
  const seed = process.env.FUZZ_SEED
  const path = process.env.FUZZ_PATH
  return {
    ...(seed ? { seed: Number(seed) } : {}),
    ...(path ? { path } : {}),
  }
}

/** Rounds to one decimal, for printed figures. */
export const round1 = (n: number) => Math.round(n * 10) / 10
