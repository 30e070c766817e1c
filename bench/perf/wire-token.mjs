/**
 * The token object a fake Clerk verify endpoint answers with in the benchmarks (Clerk's wire shape,
 * snake_case, ms timestamps): one place instead of a copy per benchmark.
 */

/** The receiving machine every benchmark token is scoped to. */
export const BENCH_MACHINE = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'

/** Clerk's answer for a valid token (id `mt_` + 32 hex), scoped to `machine`, valid for a day. */
export function wireToken(id = 'mt_f7f0ba8c3b4843ce7d85fcdd5e71853e', machine = BENCH_MACHINE) {
  const now = Date.now()
  return {
    object: 'machine_to_machine_token',
    id,
    subject: 'mch_2yGkLpQ7Y3rXSwtU24CzTk9I7Em',
    claims: { role: 'reporting' },
    scopes: [machine],
    revoked: false,
    revocation_reason: null,
    expired: false,
    expiration: now + 24 * 3600_000,
    last_used_at: null,
    created_at: now,
    updated_at: now,
  }
}
