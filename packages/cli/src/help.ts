/**
 * `--help` text, rendered from the command table. cac's own help writes through `console.info`,
 * which would escape the `io` that `runCli` is given, so we render it ourselves from the same data.
 */
import type { CAC } from 'cac'
import { COMMANDS, CONFIG_OPTIONS, type CommandSpec, GROUPS, isGroupSpec } from './program.js'
import { VERSION } from './version.js'

const BIN = 'm2m-auth'

function table(rows: ReadonlyArray<readonly [string, string]>): string {
  const width = Math.max(...rows.map(([left]) => left.length))
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`.trimEnd()).join('\n')
}

function section(title: string, body: string): string {
  return `${title}:\n${body}`
}

const ENVIRONMENT = table([
  [
    'CLERK_MACHINE_SECRET_KEY',
    'Machine Secret Key (ak_...): needed by token create, used first by the others',
  ],
  ['CLERK_SECRET_KEY', 'Instance Secret Key (sk_...): list, revoke and verify any token of the instance'],
  ['CLERK_API_URL', "Backend API base URL, e.g. the emulator's http://127.0.0.1:PORT"],
  ['CLERK_MACHINE_ID', 'This machine (mch_...): the default --subject of token list'],
])

const EXIT_CODES = table([
  ['0', 'success'],
  ['1', 'the token service or the network failed, or the token was rejected (details on stderr)'],
  ['2', 'usage error: unknown command or flag, bad value, missing argument or key'],
])

const GLOBAL_OPTIONS = [
  ['-h, --help', 'Show help (works on every command)'],
  ['-v, --version', 'Print the version'],
] as const

function globalHelp(): string {
  const listed = COMMANDS.filter((c) => !isGroupSpec(c))
  return [
    `${BIN} ${VERSION}: create, list, revoke and verify Clerk M2M tokens; run a local emulator`,
    section('Usage', `  $ ${BIN} <command> [options]`),
    section('Commands', table(listed.map((c) => [c.rawName, c.description]))),
    section('Options', table(GLOBAL_OPTIONS)),
    section('Environment (token commands; flags win)', ENVIRONMENT),
    section('Exit codes', EXIT_CODES),
    `Run any command with --help for its options, e.g. $ ${BIN} token create --help`,
  ].join('\n\n')
}

function groupHelp(group: string): string {
  const actions = COMMANDS.filter((c) => c.rawName.startsWith(`${group} `) && !isGroupSpec(c))
  return [
    `${BIN} ${VERSION}`,
    section('Usage', `  $ ${BIN} ${group} <${(GROUPS[group] ?? []).join('|')}> [options]`),
    section('Actions', table(actions.map((c) => [c.rawName, c.description]))),
    section('Environment (flags win)', ENVIRONMENT),
    `Run an action with --help for its options, e.g. $ ${BIN} ${group} list --help`,
  ].join('\n\n')
}

function commandHelp(spec: CommandSpec): string {
  const options = [...spec.options, ...(spec.config ? CONFIG_OPTIONS : []), GLOBAL_OPTIONS[0]]
  const parts = [
    `${BIN} ${VERSION}`,
    section('Usage', `  $ ${BIN} ${spec.rawName} [options]`),
    [spec.description, ...(spec.notes ?? [])].join('\n'),
    section('Options', table(options)),
  ]
  if (spec.config)
    parts.push(section('Environment (flags win)', ENVIRONMENT), section('Exit codes', EXIT_CODES))
  if (spec.examples?.length) parts.push(section('Examples', spec.examples.map((e) => `  $ ${e}`).join('\n')))
  return parts.join('\n\n')
}

/** Help for what cac matched: a command, the `token` group, or the whole program. */
export function renderHelp(cli: CAC): string {
  const name = cli.matchedCommand?.rawName
  const spec = COMMANDS.find((c) => c.rawName === name)
  if (!spec) return `${globalHelp()}\n`
  if (isGroupSpec(spec)) return `${groupHelp(spec.rawName.split(' ')[0] ?? '')}\n`
  return `${commandHelp(spec)}\n`
}
