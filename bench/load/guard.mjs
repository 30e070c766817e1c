// Preloaded (`node --import`) into every server child, before any framework or SDK is loaded, so
// that SDKs which capture `fetch` at import time capture this one. A benchmark may only talk to
// loopback: any other destination (e.g. an SDK's telemetry endpoint) is refused and reported once
// per host on stderr, never sent. The check is one regular expression per call, the same for
// every variant, against a `fetch` that costs tens of microseconds.
const realFetch = globalThis.fetch
const LOOPBACK = /^https?:\/\/(?:127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\])(?::\d+)?(?:\/|$)/i
const reported = new Set()

function urlOf(input) {
  if (typeof input === 'string') return input
  if (input instanceof URL) return input.href
  return typeof input?.url === 'string' ? input.url : ''
}

function refuse(url) {
  let host = '(unparsable URL)'
  try {
    host = new URL(url).host
  } catch {}
  if (!reported.has(host)) {
    reported.add(host)
    process.stderr.write(`[bench guard] refused a non-loopback fetch to ${host}\n`)
  }
  return Promise.reject(new TypeError(`bench guard: ${host} is not loopback`))
}

globalThis.fetch = function loopbackOnlyFetch(input, init) {
  const url = urlOf(input)
  return LOOPBACK.test(url) ? realFetch(input, init) : refuse(url)
}
