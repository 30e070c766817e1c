#!/usr/bin/env node
/**
 * The `m2m-auth` executable: runs the CLI on the process's arguments and streams, and reports the
 * exit code through `process.exitCode` so that pending output is flushed before Node exits.
 */
import { runCli } from './cli.js'
import type { CliIo } from './io.js'

const controller = new AbortController()
// The first Ctrl-C stops the running command cleanly (the emulator closes its server, a pending
// request is aborted); a second one exits at once.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    controller.abort()
    process.once(signal, () => process.exit(130))
  })
}

const io: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  // Touch process.stdin only when a command reads it: an idle stdin pipe must not hold the process.
  stdin: { [Symbol.asyncIterator]: () => process.stdin[Symbol.asyncIterator]() },
  signal: controller.signal,
}

runCli(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    // runCli reports its own failures; reaching this is a bug, reported without any input echoed.
    process.stderr.write(`m2m-auth: internal error: ${error instanceof Error ? error.name : 'unknown'}\n`)
    process.exitCode = 1
  },
)
