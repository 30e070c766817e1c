/**
 * What every command action receives: the io, the clock, the output mode, and a failure context the
 * action fills in as it learns things (API URL, timeout, key source, secrets to keep out of output).
 */
import type { CliIo } from './io.js'
import { toJson } from './output.js'
import type { FailureContext } from './report.js'

/** Shared by the actions of one `runCli` call. */
export interface CommandContext {
  io: CliIo
  now: () => number
  /** `--json` was given: print one JSON document on stdout. */
  json: boolean
  failure: FailureContext
  /** Strings that must never reach stdout or stderr of a failure report (keys, the verified token). */
  secrets: string[]
}

/** Prints a result: `value` as JSON with `--json`, else the `human` text. */
export function printResult(ctx: CommandContext, value: unknown, human: string): void {
  ctx.io.stdout.write(ctx.json ? toJson(value) : human)
}
