import type { M2MToken } from '@m2m-auth/core'
import type { MachineRecord, Store } from './state.js'

type TokenFields = Omit<M2MToken, 'token' | 'expired'>

/**
 * Clerk's `machine_to_machine_token` wire object. `expired` is computed at answer time; `token`
 * appears only in the answer to create, as at Clerk.
 */
export function tokenToWire(token: TokenFields, expired: boolean, secret?: string): Record<string, unknown> {
  return {
    object: 'machine_to_machine_token',
    id: token.id,
    subject: token.subject,
    claims: token.claims,
    scopes: [...token.scopes],
    ...(secret === undefined ? {} : { token: secret }),
    revoked: token.revoked,
    revocation_reason: token.revocationReason,
    expired,
    expiration: token.expiration,
    last_used_at: token.lastUsedAt,
    created_at: token.createdAt,
    updated_at: token.updatedAt,
  }
}

function machineBase(machine: MachineRecord, instanceId: string): Record<string, unknown> {
  return {
    object: 'machine',
    id: machine.id,
    name: machine.name,
    instance_id: instanceId,
    created_at: machine.createdAt,
    updated_at: machine.updatedAt,
    default_token_ttl: machine.defaultTokenTtlSeconds,
  }
}

/** Clerk's `machine` object, with `scoped_machines` (each without its own scoped machines). */
export function machineToWire(machine: MachineRecord, store: Store): Record<string, unknown> {
  const scoped: Record<string, unknown>[] = []
  for (const id of machine.scopes.keys()) {
    const other = store.machines.get(id)
    if (other) scoped.push(machineBase(other, store.instanceId))
  }
  return { ...machineBase(machine, store.instanceId), scoped_machines: scoped }
}
