/**
 * `m2m-auth machine create | list | grant`: Clerk's `/machines` API with the instance Secret Key, so
 * that a machine and its grants can be set up from a terminal or a script (against Clerk or the
 * emulator).
 */
import { createM2MClient, DEFAULT_API_URL, DEFAULT_TIMEOUT_MS, MACHINE_ID_PATTERN } from '@m2m-auth/core'
import { type ConfigFlags, resolveConfig } from '../config.js'
import { type CommandContext, printResult } from '../context.js'
import { numberFlag, stringFlag, UsageError } from '../flags.js'
import { createMachinesApi, type Machine } from '../machines-api.js'

/** Builds the `/machines` client of one command and records what failure messages may mention. */
function apiFor(flags: ConfigFlags, ctx: CommandContext) {
  const config = resolveConfig(flags, ctx.io.env, 'instance')
  ctx.secrets.push(config.client.secretKey)
  ctx.failure.apiUrl = config.client.apiUrl ?? DEFAULT_API_URL
  ctx.failure.timeoutMs = config.client.timeoutMs ?? DEFAULT_TIMEOUT_MS
  ctx.failure.keySource = config.keySource
  createM2MClient(config.client) // validates the URL, key and timeout as the token commands do
  return createMachinesApi(config.client, ctx.io.signal)
}

const ID_HINT = 'machine ids look like mch_ followed by 27 characters; m2m-auth machine list shows them'

/** A machine id argument or flag; never echoed when wrong (it could be anything, a key included). */
function machineId(value: unknown, what: string): string {
  const id = stringFlag(value, what)
  if (!id) throw new UsageError(`missing ${what}`, ID_HINT)
  if (!MACHINE_ID_PATTERN.test(id)) throw new UsageError(`${what} is not a machine id`, ID_HINT)
  return id
}

/** `--scope` given zero, one or many times. */
function scopeIds(value: unknown): string[] {
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value]
  return values.map((v) => machineId(v, '--scope'))
}

const scopesText = (m: Machine) =>
  m.scopedMachines.length ? m.scopedMachines.map((s) => `${s.name} (${s.id})`).join(', ') : '(none)'

/** Flags of `machine create`. */
export interface MachineCreateFlags extends ConfigFlags {
  name?: unknown
  scope?: unknown
}

/** `machine create --name N [--scope mch_...]`: prints the machine, its key alone on the last line. */
export async function machineCreateCommand(flags: MachineCreateFlags, ctx: CommandContext): Promise<number> {
  const name = stringFlag(flags.name, '--name')?.trim()
  if (!name) throw new UsageError('--name is required', 'example: m2m-auth machine create --name reports-api')
  if (name.length > 255) throw new UsageError('--name must be at most 255 characters')
  const scopes = scopeIds(flags.scope)
  const machine = await apiFor(flags, ctx).create(name, scopes)
  const lines = [
    `Created machine ${machine.name}:`,
    `  id          ${machine.id}`,
    `  may call    ${scopesText(machine)}`,
  ]
  if (machine.secretKey) {
    lines.push(
      '',
      'Machine Secret Key (CLERK_MACHINE_SECRET_KEY of this machine; the last line of this output):',
      machine.secretKey,
    )
  }
  printResult(ctx, machine, `${lines.join('\n')}\n`)
  return 0
}

/** Flags of `machine list`. */
export interface MachineListFlags extends ConfigFlags {
  query?: unknown
  limit?: unknown
  offset?: unknown
}

/** `machine list`: one page of machines, as a table. */
export async function machineListCommand(flags: MachineListFlags, ctx: CommandContext): Promise<number> {
  const limit = numberFlag(flags.limit, '--limit', true)
  if (limit !== undefined && (limit < 1 || limit > 500)) throw new UsageError('--limit must be from 1 to 500')
  const offset = numberFlag(flags.offset, '--offset', true)
  if (offset !== undefined && offset < 0) throw new UsageError('--offset must be 0 or more')
  const query = stringFlag(flags.query, '--query')
  const page = await apiFor(flags, ctx).list({ limit, offset, query })
  printResult(ctx, page, formatMachines(page.data, page.totalCount, offset ?? 0))
  return 0
}

function formatMachines(machines: Machine[], total: number, offset: number): string {
  if (machines.length === 0)
    return total > 0 ? `No machines at offset ${offset} (${total} in total).\n` : 'No machines.\n'
  const rows = machines.map((m) => [m.name, m.id, m.scopedMachines.map((s) => s.name).join(', ') || '(none)'])
  const header = ['NAME', 'ID', 'MAY CALL']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  const last = offset + machines.length
  const footer = `Showing ${offset + 1}-${last} of ${total}.${last < total ? ` Next page: --offset ${last}` : ''}`
  return `${[line(header), ...rows.map(line), '', footer].join('\n')}\n`
}

/** `machine grant FROM TO`: FROM may then send tokens to TO. Granting twice is not an error. */
export async function machineGrantCommand(
  from: unknown,
  to: unknown,
  flags: ConfigFlags,
  ctx: CommandContext,
): Promise<number> {
  const fromId = machineId(from, 'FROM')
  const toId = machineId(to, 'TO')
  const created = await apiFor(flags, ctx).grant(fromId, toId)
  const result = { fromMachineId: fromId, toMachineId: toId, alreadyGranted: !created }
  const human = created
    ? `Granted: ${fromId} may now send tokens to ${toId} (tokens created from now on carry this scope).\n`
    : `Already granted: ${fromId} may send tokens to ${toId}.\n`
  printResult(ctx, result, human)
  return 0
}
