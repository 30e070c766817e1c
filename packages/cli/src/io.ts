/**
 * Where the CLI reads and writes. `runCli` takes these instead of touching `process` so that it can
 * run in-process (tests, the demo) as well as from the bin.
 */

/** Something text can be written to (a Node stream, or a collector in tests). */
export interface TextSink {
  write(chunk: string): unknown
}

/**
 * The CLI's surroundings.
 *
 * @example
 * ```ts
 * let out = ''
 * await runCli(['token', 'list', '--subject', id], { stdout: { write: (s) => (out += s) }, stderr, env: {} })
 * ```
 */
export interface CliIo {
  /** Results: human text, or one JSON document with `--json`. @default process.stdout */
  stdout: TextSink
  /** Errors and hints. @default process.stderr */
  stderr: TextSink
  /** Where `CLERK_MACHINE_SECRET_KEY`, `CLERK_SECRET_KEY` and `CLERK_API_URL` are read. @default process.env */
  env: Record<string, string | undefined>
  /** Read by `token verify --stdin`. @default process.stdin */
  stdin?: AsyncIterable<string | Uint8Array>
  /** Clock for relative times in human output (ms since the epoch). @default Date.now */
  now?: () => number
  /**
   * Stops long-running commands (`m2m-auth emulator`) when aborted. The bin aborts it on SIGINT and
   * SIGTERM.
   */
  signal?: AbortSignal
}

/** Writes `text` followed by a newline. */
export function writeLine(sink: TextSink, text: string): void {
  sink.write(`${text}\n`)
}
