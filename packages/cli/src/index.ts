/**
 * @m2m-auth/cli: the `m2m-auth` command line, callable in-process through {@link runCli}.
 */
export { type ExitCode, runCli } from './cli.js'
export type { CliIo, TextSink } from './io.js'
export { VERSION } from './version.js'
