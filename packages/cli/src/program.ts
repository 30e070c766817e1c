/**
 * The command table. cac matches a command by its first word only, so `token create` and friends are
 * registered under two-word names and {@link joinTokenAction} folds `token create` in argv into the
 * single word `token create` before cac parses it. `token` alone (or with an unknown action) lands
 * on a group command that explains the actions.
 */
import { type CAC, type Command, cac } from 'cac'
import { emulatorCommand } from './commands/emulator.js'
import { machineCreateCommand, machineGrantCommand, machineListCommand } from './commands/machine.js'
import { createCommand, listCommand, revokeCommand, verifyCommand } from './commands/token.js'
import type { CommandContext } from './context.js'
import { UsageError } from './flags.js'

type Flags = Record<string, unknown>
type Run = (args: unknown[], flags: Flags, ctx: CommandContext) => Promise<number>

/** One command: cac's name, its help, its options and what it runs. */
export interface CommandSpec {
  rawName: string
  description: string
  options: ReadonlyArray<readonly [string, string]>
  /** Adds the key, URL, path style, timeout and `--json` options. */
  config?: boolean
  examples?: string[]
  /** Extra paragraphs shown by `--help` under the description. */
  notes?: string[]
  /** Gets the raw arguments after its name, `--help` included, and parses them itself. */
  passthrough?: boolean
  run: Run
}

/** The actions of `m2m-auth token`. */
export const TOKEN_ACTIONS = ['create', 'list', 'revoke', 'verify'] as const

/** The actions of `m2m-auth machine`. */
export const MACHINE_ACTIONS = ['create', 'list', 'grant'] as const

/** Two-word command groups and their actions. */
export const GROUPS: Record<string, readonly string[]> = { token: TOKEN_ACTIONS, machine: MACHINE_ACTIONS }

/** Whether a spec is a group's catch-all (`token [action]`), not a real command. */
export const isGroupSpec = (spec: CommandSpec): boolean => / \[action\]$/.test(spec.rawName)

/** The catch-all of a group: it only explains the group's actions. */
function groupSpec(group: string, description: string): CommandSpec {
  const actions = GROUPS[group] ?? []
  return {
    rawName: `${group} [action]`,
    description,
    options: [],
    run: async ([action]) => {
      if (action === undefined)
        throw new UsageError(`missing ${group} action`, `one of: ${actions.join(', ')}`)
      const shown = /^[a-z-]{1,20}$/.test(String(action)) ? ` '${String(action)}'` : ''
      throw new UsageError(`unknown ${group} action${shown}`, `one of: ${actions.join(', ')}`)
    },
  }
}

/** Options every `token` command takes. */
export const CONFIG_OPTIONS = [
  [
    '--secret-key <key>',
    'Secret key; prefer CLERK_MACHINE_SECRET_KEY / CLERK_SECRET_KEY (flags end up in shell history)',
  ],
  ['--api-url <url>', 'Backend API base URL (default: CLERK_API_URL, else https://api.clerk.com)'],
  ['--path-style <style>', "'unversioned' (/m2m_tokens, default) or 'v1' (/v1/m2m_tokens)"],
  ['--timeout <ms>', 'Time allowed for each request attempt, in milliseconds (default: 5000)'],
  ['--json', 'Print one JSON document on stdout: use this in scripts'],
] as const

const str = (v: unknown): string | undefined => (v === undefined ? undefined : String(v))

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly CommandSpec[] = [
  {
    rawName: 'token create',
    description: "Create an M2M token (needs the sending machine's Machine Secret Key, ak_...)",
    config: true,
    options: [
      ['--expires-in <seconds>', "Lifetime in seconds (default: the machine's default, 1 hour)"],
      ['--claims <json>', 'Custom claims, as JSON'],
      ['--format <format>', "'opaque' (default) or 'jwt'"],
      ['--min-remaining-ttl <seconds>', 'Reuse a live opaque token with at least this many seconds left'],
    ],
    notes: [
      'Human output ends with the token alone on its last line; with --json the token is in the "token" field.',
      'The token is printed once: Clerk never shows it again.',
    ],
    examples: [
      'TOKEN=$(m2m-auth token create --expires-in 600 --json | jq -r .token)',
      'm2m-auth token create --claims \'{"role":"reader"}\' --format jwt',
    ],
    run: (_args, flags, ctx) => createCommand(flags, ctx),
  },
  {
    rawName: 'token list',
    description: 'List the opaque M2M tokens of a machine',
    config: true,
    options: [
      ['--subject <machineId>', 'The machine whose tokens to list (mch_...; default: CLERK_MACHINE_ID)'],
      ['--revoked', 'Include revoked tokens'],
      ['--expired', 'Include expired tokens'],
      ['--limit <n>', 'Page size, 1 to 100 (default: 10)'],
      ['--offset <n>', 'Tokens to skip (default: 0)'],
    ],
    notes: ["A Machine Secret Key lists only its own machine's tokens; the instance key (sk_) lists any."],
    examples: ['m2m-auth token list --subject mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk --revoked --limit 50'],
    run: (_args, flags, ctx) => listCommand(flags, ctx),
  },
  {
    rawName: 'token revoke <tokenId>',
    description: 'Revoke an M2M token by its id (mt_ followed by 32 hex characters)',
    config: true,
    options: [['--reason <text>', 'Revocation reason, kept with the token']],
    examples: ['m2m-auth token revoke mt_0123456789abcdef0123456789abcdef --reason "key rotation"'],
    run: ([id], flags, ctx) => revokeCommand(String(id), flags, ctx),
  },
  {
    rawName: 'token verify [token]',
    description: 'Ask the token service whether a token is valid (the token is never printed back)',
    config: true,
    options: [['--stdin', 'Read the token from standard input (keeps it out of shell history)']],
    notes: [
      'Exits 0 for a valid token, 1 for a rejected one (unknown, revoked, expired, out of scope).',
      'A Machine Secret Key accepts only tokens scoped to its machine; the instance key (sk_) accepts any.',
    ],
    examples: ['m2m-auth token verify "$TOKEN"', 'printf %s "$TOKEN" | m2m-auth token verify --stdin --json'],
    run: ([token], flags, ctx) => verifyCommand(str(token), flags, ctx),
  },
  groupSpec('token', 'Manage M2M tokens: create, list, revoke, verify'),
  {
    rawName: 'machine create',
    description: 'Create a machine and print its Machine Secret Key (needs the instance key, sk_...)',
    config: true,
    options: [
      ['--name <name>', 'Display name of the machine, required'],
      ['--scope <machineId>', 'A machine (mch_...) the new one may send tokens to; repeat for several'],
    ],
    notes: [
      'Human output ends with the Machine Secret Key alone on its last line; with --json it is "secretKey".',
    ],
    examples: [
      'm2m-auth machine create --name reports-api',
      'AK=$(m2m-auth machine create --name worker --scope mch_... --json | jq -r .secretKey)',
    ],
    run: (_args, flags, ctx) => machineCreateCommand(flags, ctx),
  },
  {
    rawName: 'machine list',
    description: 'List the machines of the instance, newest first (needs the instance key, sk_...)',
    config: true,
    options: [
      ['--query <text>', 'Only machines whose name contains this text, or with this id'],
      ['--limit <n>', 'Page size, 1 to 500 (default: 10)'],
      ['--offset <n>', 'Machines to skip (default: 0)'],
    ],
    examples: ['m2m-auth machine list --query orders'],
    run: (_args, flags, ctx) => machineListCommand(flags, ctx),
  },
  {
    rawName: 'machine grant <from> <to>',
    description: 'Let machine FROM send tokens to machine TO (ids, mch_...; needs the instance key)',
    config: true,
    options: [],
    notes: ['Tokens created after the grant carry the new scope; granting twice is not an error.'],
    examples: ['m2m-auth machine grant mch_orders... mch_billing...'],
    run: ([from, to], flags, ctx) => machineGrantCommand(from, to, flags, ctx),
  },
  groupSpec('machine', 'Manage machines: create, list, grant'),
  {
    rawName: 'emulator',
    description: 'Start the local Clerk-compatible M2M token service (see m2m-auth emulator --help)',
    options: [],
    passthrough: true,
    run: (args, _flags, ctx) => emulatorCommand(args.map(String), ctx),
  },
]

/** Builds the cac program; actions resolve to an exit code. */
export function buildProgram(ctx: CommandContext): CAC {
  const cli = cac('m2m-auth')
  cli.option('-h, --help', 'Show help (works on every command)')
  cli.option('-v, --version', 'Print the version')
  for (const spec of COMMANDS) {
    const command: Command = cli.command(spec.rawName, spec.description)
    const options = spec.config ? [...spec.options, ...CONFIG_OPTIONS] : spec.options
    for (const [flag, text] of options) command.option(flag, text)
    if (isGroupSpec(spec) || spec.passthrough) command.allowUnknownOptions()
    command.action((...parts: unknown[]) => spec.run(parts.slice(0, -1), parts.at(-1) as Flags, ctx))
  }
  return cli
}

/** The spellings (`--api-url`, `-h`) of every option that takes a value, so argv scans can skip values. */
export function valueFlags(cli: CAC): Set<string> {
  const all = [...cli.globalCommand.options, ...cli.commands.flatMap((c) => c.options)]
  const spellings = all
    .filter((o) => !o.isBoolean)
    .flatMap((o) => o.rawName.replace(/[<[].*/, '').split(','))
    .map((s) => s.trim())
  return new Set(spellings)
}

/** Index of the first positional argument at or after `from`, skipping flags and their values. */
function nextPositional(argv: readonly string[], from: number, takesValue: Set<string>): number {
  for (let i = from; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--') return -1
    if (!arg.startsWith('-')) return i
    if (!arg.includes('=') && takesValue.has(arg)) i++
  }
  return -1
}

/** The command that takes over argv after its name (`emulator`), and the arguments it gets. */
export function findPassthrough(
  argv: readonly string[],
  takesValue: Set<string>,
): { spec: CommandSpec; rest: string[] } | undefined {
  const first = nextPositional(argv, 0, takesValue)
  const spec = COMMANDS.find((s) => s.passthrough && s.rawName === argv[first])
  return spec ? { spec, rest: argv.filter((_, i) => i !== first) } : undefined
}

/**
 * `['token', '--json', 'list']` -> `['token list', '--json']` (and the same for `machine`), so that
 * cac can match two-word commands.
 */
export function joinTokenAction(argv: readonly string[], takesValue: Set<string>): string[] {
  const first = nextPositional(argv, 0, takesValue)
  const actions = first < 0 ? undefined : GROUPS[argv[first] ?? '']
  if (!actions) return [...argv]
  const second = nextPositional(argv, first + 1, takesValue)
  const action = second < 0 ? undefined : argv[second]
  if (!action || !actions.includes(action)) return [...argv]
  const out = [...argv]
  out.splice(second, 1)
  out[first] = `${argv[first]} ${action}`
  return out
}
