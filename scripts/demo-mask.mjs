/**
 * Masking for the demo's printout: a token keeps its first 8 characters (enough to tell tokens
 * apart), a secret key only its prefix (`ak_`, `sk_test_`), so nothing printed can be used.
 */

/** `mt_0123456789...` -> `mt_01234…`; `sk_test_abc...` -> `sk_test_…`. */
export function maskOne(secret) {
  const keyPrefix = /^(ak_|sk_test_|sk_live_)/.exec(secret)
  if (keyPrefix) return `${keyPrefix[1]}…`
  return `${secret.slice(0, 8)}…`
}

/** Replaces every occurrence of every secret in `text` with its masked form. */
export function maskSecrets(text, secrets) {
  let out = String(text)
  for (const secret of secrets) {
    if (secret && secret.length >= 8) out = out.split(secret).join(maskOne(secret))
  }
  return out
}
