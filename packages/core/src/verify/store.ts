/**
 * Digests of tokens for events and logs. The shared store tier itself lives in `../store/`
 * (HMAC-keyed, sealed entries); this module keeps the plain SHA-256 helper that events use.
 */

/** Lower-case hex SHA-256 of `text` (UTF-8), via WebCrypto. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))
  let hex = ''
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0')
  return hex
}
