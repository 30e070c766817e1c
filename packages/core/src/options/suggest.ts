/**
 * "Did you mean": the known key closest to a misspelt one, by edit distance, so that `scopes`
 * points at `scope`, `secretkey` at `secretKey` and `ttl` at `ttlMs`.
 */

/**
 * The known key closest to `key`, or `undefined` when none is close enough to be a likely typo.
 * Case is ignored; a known key that starts with `key` (a unit left out: `ttl` for `ttlMs`) counts.
 *
 * @example
 * ```ts
 * suggestKey('scopes', ['scope', 'realm']) // 'scope'
 * suggestKey('colour', ['scope', 'realm']) // undefined
 * ```
 */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  const wanted = key.toLowerCase()
  let best: string | undefined
  let bestDistance = Number.POSITIVE_INFINITY
  for (const candidate of known) {
    const lower = candidate.toLowerCase()
    const distance = wanted.length >= 3 && lower.startsWith(wanted) ? 1 : editDistance(wanted, lower)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  // Up to a third of the key may differ (at least one edit): closer than that is a typo, not a guess.
  const allowed = Math.max(1, Math.floor(key.length / 3))
  return bestDistance <= allowed ? best : undefined
}

/**
 * The first own key of `options` that is not in `known`, with the message that refuses it
 * (``Unknown option `cache.ttl` (did you mean `cache.ttlMs`?)``), or `undefined` when every key is
 * known. The one unknown-key check behind client options, call options and verifier/adapter options;
 * each caller throws its own error class. Keys whose value is `undefined` count: a misspelling is a
 * mistake whatever its value.
 */
export function unknownKey(
  options: object,
  known: readonly string[],
  path = '',
  noun = 'option',
): { name: string; message: string } | undefined {
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue
    const prefix = path === '' ? '' : `${path}.`
    const suggestion = suggestKey(key, known)
    const hint = suggestion === undefined ? '' : ` (did you mean \`${prefix}${suggestion}\`?)`
    const name = `${prefix}${key}`
    return { name, message: `Unknown ${noun} \`${printable(name)}\`${hint}` }
  }
  return undefined
}

/** A key as we repeat it in a message: it comes from the app's code, but keep it short and plain. */
function printable(name: string): string {
  const plain = name.replace(/[^\x20-\x7e]/g, '?')
  return plain.length > 64 ? `${plain.slice(0, 64)}...` : plain
}

/** Optimal string alignment distance: insertions, deletions, substitutions and transpositions. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0
  const rows = a.length + 1
  const cols = b.length + 1
  const d: number[] = new Array(rows * cols).fill(0)
  for (let i = 0; i < rows; i++) d[i * cols] = i
  for (let j = 0; j < cols; j++) d[j] = j
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      let value = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      )
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, d[(i - 2) * cols + j - 2]! + 1)
      }
      d[i * cols + j] = value
    }
  }
  return d[rows * cols - 1]!
}
