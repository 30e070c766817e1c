/**
 * How results look: human text by default, one JSON document with `--json`. Nothing here prints a
 * secret key; the token itself appears only in `token create`'s output, which exists to show it.
 */
import type { M2MToken, M2MTokenList } from '@m2m-auth/core'

/** A token object without its secret `token` field (what verify, revoke and list print). */
export type PublicToken = Omit<M2MToken, 'token'>

/** Drops the secret `token` field, should an answer ever carry it where it should not. */
export function withoutSecret(token: M2MToken): PublicToken {
  const { token: _secret, ...rest } = token
  return rest
}

/** One JSON document, pretty-printed, with a trailing newline. */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`
}

/** `5m`, `2h 3m`, `3d 4h`: the larger units only, since the exact time is printed beside it. */
export function formatDuration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000)
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`
  const d = Math.floor(h / 24)
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`
}

/** `2026-05-12T10:00:00.000Z (in 59m)`; `never` for null. */
export function formatTime(ms: number | null, now: number): string {
  if (ms === null) return 'never'
  const when = new Date(ms).toISOString()
  return ms >= now ? `${when} (in ${formatDuration(ms - now)})` : `${when} (${formatDuration(now - ms)} ago)`
}

/** `active`, `revoked`, `expired` (revoked wins: it is the more deliberate state). */
export function tokenStatus(token: PublicToken, now: number): 'active' | 'revoked' | 'expired' {
  if (token.revoked) return 'revoked'
  if (token.expired || (token.expiration !== null && token.expiration <= now)) return 'expired'
  return 'active'
}

function row(label: string, value: string): string {
  return `  ${label.padEnd(12)}${value}`
}

/** The detail lines shared by create, verify and revoke. */
export function tokenDetails(token: PublicToken, now: number): string[] {
  const lines = [
    row('id', token.id),
    row('status', tokenStatus(token, now)),
    row('subject', token.subject),
    row('scopes', token.scopes.length ? token.scopes.join(', ') : '(none)'),
    row('expires', formatTime(token.expiration, now)),
    row('created', formatTime(token.createdAt, now)),
  ]
  if (token.claims !== null && token.claims !== undefined)
    lines.push(row('claims', JSON.stringify(token.claims)))
  if (token.revoked) lines.push(row('reason', token.revocationReason ?? '(none given)'))
  if (token.lastUsedAt !== null) lines.push(row('last used', formatTime(token.lastUsedAt, now)))
  return lines
}

/** `token create`: details, then the token alone on the last line so `tail -n 1` can take it. */
export function formatCreated(token: M2MToken, format: 'opaque' | 'jwt', now: number): string {
  const lines = [`Created an M2M token (${format}):`, ...tokenDetails(withoutSecret(token), now)]
  if (token.token)
    lines.push('', 'Token (shown once: store it now; it is the last line of this output):', token.token)
  return `${lines.join('\n')}\n`
}

/** `token verify`: the token is valid; what it says. Never the token itself. */
export function formatVerified(token: PublicToken, now: number): string {
  return `${['Valid M2M token.', ...tokenDetails(token, now)].join('\n')}\n`
}

/** `token revoke`. */
export function formatRevoked(token: PublicToken, now: number): string {
  return `${[`Revoked ${token.id}.`, ...tokenDetails(token, now)].join('\n')}\n`
}

/** `token list`: a table, then where this page sits in the whole list. */
export function formatList(list: M2MTokenList, offset: number, now: number): string {
  if (list.data.length === 0) {
    return list.totalCount > 0
      ? `No tokens at offset ${offset} (${list.totalCount} in total).\n`
      : 'No tokens match (revoked and expired tokens are listed only with --revoked / --expired).\n'
  }
  const header = ['ID', 'STATUS', 'EXPIRES', 'CREATED', 'SCOPES']
  const rows = list.data.map((t) => [
    t.id,
    tokenStatus(t, now),
    t.expiration === null ? 'never' : new Date(t.expiration).toISOString(),
    new Date(t.createdAt).toISOString(),
    String(t.scopes.length),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  const first = offset + 1
  const last = offset + list.data.length
  const footer = `Showing ${first}-${last} of ${list.totalCount}.${last < list.totalCount ? ` Next page: --offset ${last}` : ''}`
  return `${[line(header), ...rows.map(line), '', footer].join('\n')}\n`
}
