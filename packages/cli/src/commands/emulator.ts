/**
 * `m2m-auth emulator [options]`: hands its arguments to the emulator package's own command line
 * (`runEmulatorCli`), so that its options, help and output live in one place.
 */
import type { EmulatorCliIo } from '@m2m-auth/emulator'
import type { CommandContext } from '../context.js'
import { writeLine } from '../io.js'

/**
 * Runs the emulator until Ctrl-C, SIGTERM or the io's signal; resolves to its exit code (0 after a
 * clean stop or `--help`, 2 for bad arguments, 1 if it cannot start).
 */
export async function emulatorCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const io: EmulatorCliIo = {
    stdout: (line) => writeLine(ctx.io.stdout, line),
    stderr: (line) => writeLine(ctx.io.stderr, line),
  }
  if (ctx.io.signal) io.signal = ctx.io.signal
  // Loaded on demand: token commands should not pay for the emulator's server and JWT code at start.
  const { runEmulatorCli } = await import('@m2m-auth/emulator')
  return runEmulatorCli(argv, io)
}
