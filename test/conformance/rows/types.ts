import type { AuthErrorCode, VerifierOptions } from '@m2m-auth/core'
import type {
  Emulator,
  EmulatorMachine,
  Faults,
  IssuedToken,
  IssueTokenParams,
} from '../../helpers/emulator.js'
import type { TestResponse } from '../../helpers/http.js'

/** The machines of the conformance emulator and what each is for. */
export interface ConformanceMachines {
  /** Sends the tokens of most rows; scoped to `receiver` only. */
  sender: EmulatorMachine
  /** The API under test runs as this machine (`machineId`). */
  receiver: EmulatorMachine
  /** The machine `GET /scoped` requires; only `privileged` is scoped to it. */
  admin: EmulatorMachine
  /** Scoped to `receiver` and `admin`: its tokens pass `GET /scoped`. */
  privileged: EmulatorMachine
  /** No machine is scoped to it: an API running as it must refuse every token. */
  stranger: EmulatorMachine
}

/** What a row may use. Changes made through it are undone after the row. */
export interface RowContext {
  emulator: Emulator
  machines: ConformanceMachines
  /** The realm the subjects are started with. */
  realm: string
  /** Base URL of an emulator that was started and stopped: nothing answers there. */
  stoppedApiUrl: string
  /** Creates a token as `from` (default `sender`); its string is checked never to be echoed. */
  issue(params?: IssueTokenParams & { from?: keyof ConformanceMachines }): Promise<IssuedToken>
  /** Revokes a token with the instance key. */
  revoke(tokenId: string): Promise<void>
  /** Injects emulator faults until the row ends. Call it after issuing the row's tokens. */
  setFaults(faults: Faults): void
  /** Moves the emulator's clock until the row ends (the subject keeps real time). */
  advanceEmulatorClock(ms: number): void
}

/** Paths every subject serves (see `ConformanceSubject`). */
export type RoutePath = '/public' | '/protected' | '/scoped' | '/optional' | '/optional-scoped'

/** What the answer to a row must be. The suite also checks what every answer of its kind must carry. */
export interface RowExpectation {
  status: 200 | 400 | 401 | 403 | 500 | 503
  /** `error` of the JSON body (and of the challenge) for error answers. */
  error?: AuthErrorCode
  /** The `scope` attribute a 403 challenge must carry (space-separated machine ids). */
  scope?: (ctx: RowContext) => string
  /** The exact `Retry-After` of a 503. When left out, any whole number of seconds >= 1 passes. */
  retryAfter?: string
  /** Extra checks of a 200 answer; throw (e.g. with `expect`) to fail. */
  check?: (response: TestResponse, ctx: RowContext) => void
}

/**
 * One request and its expected answer. The suite runs every row against every subject: add rows
 * to a group (or a group to `rows/index.ts`); nothing in the runner changes.
 */
export interface ConformanceRow {
  /** The situation, as a test name: "a revoked token". */
  name: string
  /** @default '/protected' */
  path?: RoutePath
  /**
   * Verifier options that differ from the suite's defaults for this row. A subject is started
   * with them for this row alone (a fresh cache), then closed.
   */
  verifier?: (ctx: RowContext) => Partial<VerifierOptions>
  /**
   * The `Authorization` value to send (an array: that many header lines), or `undefined` for none.
   * Runs after the row's subject is started, so it may also inject faults or move the clock.
   */
  authorization?: (ctx: RowContext) => Promise<string | string[] | undefined> | string | string[] | undefined
  expect: RowExpectation
}

/** A titled list of rows (a `describe` block per subject). */
export interface RowGroup {
  title: string
  rows: ConformanceRow[]
}
