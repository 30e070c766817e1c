/**
 * `runCli`: parse, dispatch, and turn every outcome into an exit code. Nothing here touches
 * `process`: the bin passes it in, and tests and the demo call `runCli` in-process.
 */
import type { CommandContext } from './context.js'
import { UsageError } from './flags.js'
import { renderHelp } from './help.js'
import { type CliIo, writeLine } from './io.js'
import { toJson } from './output.js'
import { buildProgram, findPassthrough, joinTokenAction, valueFlags } from './program.js'
import { reportFailure } from './report.js'
import { VERSION } from './version.js'

/** Exit codes: 0 success, 1 the token service / network failed or a token was rejected, 2 usage. */
export type ExitCode = 0 | 1 | 2

function defaultIo(): CliIo {
  const stdin = { [Symbol.asyncIterator]: () => process.stdin[Symbol.asyncIterator]() }
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, stdin }
}

/** Replaces every secret (key, verified token) in `text`: a last guard, messages should not carry any. */
function redact(text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) if (secret.length >= 8) out = out.split(secret).join('[redacted]')
  return out
}

async function dispatch(argv: readonly string[], ctx: CommandContext): Promise<number> {
  const cli = buildProgram(ctx)
  const takesValue = valueFlags(cli)
  const passthrough = findPassthrough(argv, takesValue)
  if (passthrough) {
    ctx.failure.command = passthrough.spec.rawName
    return passthrough.spec.run(passthrough.rest, {}, ctx)
  }
  const parsed = cli.parse(['node', 'm2m-auth', ...joinTokenAction(argv, takesValue)], { run: false })
  ctx.json = parsed.options.json === true
  ctx.failure.command = cli.matchedCommand?.name
  if (parsed.options.help) {
    ctx.io.stdout.write(renderHelp(cli))
    return 0
  }
  if (parsed.options.version && !cli.matchedCommand) {
    writeLine(ctx.io.stdout, `m2m-auth ${VERSION}`)
    return 0
  }
  if (!cli.matchedCommand) {
    const word = parsed.args[0]
    if (word === undefined) throw new UsageError('missing command', 'try: m2m-auth token --help')
    const shown = /^[a-z-]{1,20}$/.test(word) ? ` '${word}'` : ''
    throw new UsageError(
      `unknown command${shown}`,
      'commands: token create|list|revoke|verify, machine create|list|grant, emulator',
    )
  }
  return await cli.runMatchedCommand()
}

/**
 * Runs the `m2m-auth` command line.
 *
 * @param argv - The arguments after the program name (`process.argv.slice(2)`).
 * @param io - Where to read and write. @default the process's streams and environment
 * @returns The exit code: 0 success, 1 API, network or rejected-token failure, 2 usage error.
 *
 * @example
 * ```ts
 * const code = await runCli(['token', 'verify', token, '--json'], { stdout, stderr, env: {
 *   CLERK_SECRET_KEY: emulator.secretKey, CLERK_API_URL: emulator.url } })
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo()): Promise<ExitCode> {
  const ctx: CommandContext = { io, now: io.now ?? Date.now, json: false, failure: {}, secrets: [] }
  try {
    const code = await dispatch(argv, ctx)
    return code === 0 || code === 1 || code === 2 ? code : 1
  } catch (error) {
    const report = reportFailure(error, ctx.failure, ctx.now())
    for (const line of report.lines) writeLine(io.stderr, redact(line, ctx.secrets))
    if (ctx.json) io.stdout.write(redact(toJson(report.json), ctx.secrets))
    return report.exitCode
  }
}
