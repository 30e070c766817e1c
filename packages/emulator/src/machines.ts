import { type Handler, requireInstance } from './context.js'
import { conflict, notFound } from './errors.js'
import { MACHINE_ID_PATTERN } from './ids.js'
import type { MachineRecord, Store } from './state.js'
import { Params } from './validate.js'
import { machineToWire } from './wire.js'

function machineOr404(store: Store, id: string | undefined): MachineRecord {
  const machine = id === undefined ? undefined : store.machines.get(id)
  if (!machine) throw notFound('No machine with that id.') // the id is not echoed: it came from the URL
  return machine
}

function compareMachines(orderBy: string): (a: MachineRecord, b: MachineRecord) => number {
  const sign = orderBy.startsWith('-') ? -1 : 1
  const byName = orderBy.replace(/^[+-]/, '') === 'name'
  // Machines created in the same millisecond are told apart by their creation sequence.
  return (a, b) =>
    sign * (byName ? a.name.localeCompare(b.name) : a.createdAt - b.createdAt || a.sequence - b.sequence)
}

/** `GET /machines`: newest first by default; `query` matches an id exactly or a name partially. */
export const listMachines: Handler = (ctx, { store }) => {
  requireInstance(ctx, store)
  const p = Params.query(ctx.query)
  const limit = p.queryInteger('limit', { min: 1, max: 500 }) ?? 10
  const offset = p.queryInteger('offset', { min: 0 }) ?? 0
  const query = p.string('query') ?? ''
  const orderBy = p.string('order_by', { pattern: /^[+-]?(name|created_at)$/ }) ?? '-created_at'
  p.done()
  const matching = [...store.machines.values()]
    .filter((m) => query === '' || m.id === query || m.name.toLowerCase().includes(query.toLowerCase()))
    .sort(compareMachines(orderBy))
  return {
    status: 200,
    body: {
      data: matching.slice(offset, offset + limit).map((m) => machineToWire(m, store)),
      total_count: matching.length,
    },
  }
}

/** `POST /machines`: `{ name, scoped_machines?, default_token_ttl? }`; answers with `secret_key`. */
export const createMachine: Handler = (ctx, { store }) => {
  requireInstance(ctx, store)
  const p = Params.body(ctx.json()).rejectUnknown(['name', 'scoped_machines', 'default_token_ttl'])
  const name = p.string('name', { required: true, minLength: 1, maxLength: 255 })
  const ttl = p.number('default_token_ttl', { integer: true, min: 1, max: 315_360_000 }) ?? undefined
  const scoped = p.raw('scoped_machines') ?? []
  if (!Array.isArray(scoped) || scoped.length > 150 || scoped.some((s) => typeof s !== 'string')) {
    p.problem({
      param: 'scoped_machines',
      kind: 'invalid',
      detail: 'must be an array of at most 150 machine ids',
    })
  } else if (scoped.some((s) => !store.machines.has(s as string))) {
    p.problem({ param: 'scoped_machines', kind: 'value', detail: 'contains an unknown machine id' })
  }
  p.done()
  const machine = store.createMachine({
    name: name!,
    scopes: scoped as string[],
    ...(ttl === undefined ? {} : { defaultTokenTtlSeconds: ttl }),
  })
  return { status: 200, body: { ...machineToWire(machine, store), secret_key: machine.secretKey } }
}

/** `GET /machines/{id}`. */
export const getMachine: Handler = (ctx, { store }) => {
  requireInstance(ctx, store)
  return { status: 200, body: machineToWire(machineOr404(store, ctx.params.id), store) }
}

/** `GET /machines/{id}/secret_key`. */
export const getMachineSecretKey: Handler = (ctx, { store }) => {
  requireInstance(ctx, store)
  const machine = machineOr404(store, ctx.params.id)
  return { status: 200, body: { object: 'machine_secret_key', secret: machine.secretKey } }
}

/** `POST /machines/{id}/scopes` `{ to_machine_id }`: 409 when the scope exists already. */
export const createMachineScope: Handler = (ctx, { store }) => {
  requireInstance(ctx, store)
  const from = machineOr404(store, ctx.params.id)
  const p = Params.body(ctx.json()).rejectUnknown(['to_machine_id'])
  const toId = p.string('to_machine_id', { required: true, pattern: MACHINE_ID_PATTERN })
  p.done()
  const to = machineOr404(store, toId!)
  if (!store.grantScope(from.id, to.id)) throw conflict('This machine already has access to that machine.')
  const createdAt = from.scopes.get(to.id)!
  return {
    status: 200,
    body: { object: 'machine_scope', from_machine_id: from.id, to_machine_id: to.id, created_at: createdAt },
  }
}

/** `DELETE /machines/{id}/scopes/{otherId}`. */
export const deleteMachineScope: Handler = (ctx, { store }) => {
  requireInstance(ctx, store)
  const from = machineOr404(store, ctx.params.id)
  const toId = ctx.params.otherId ?? ''
  if (!store.revokeScope(from.id, toId)) throw notFound('This machine has no access to that machine.')
  return {
    status: 200,
    body: { object: 'machine_scope', from_machine_id: from.id, to_machine_id: toId, deleted: true },
  }
}
