// Child process hosting a loopback fake of Clerk's verify route: every POST /m2m_tokens/verify is
// answered 200 with a valid token named after the token sent, after BENCH_LATENCY_MS (default 0).
// It runs in a process of its own, so the benchmark process measures only the client's CPU.
import { createServer } from 'node:http'
import { failStartup, serveCommands } from '../load/child-ipc.mjs'
import { wireToken } from './wire-token.mjs'

const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? '0')
export const MACHINE = 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk'
let calls = 0

function answer(token) {
  return JSON.stringify(wireToken(`mt_${token.slice(-32).padStart(32, '0')}`, MACHINE))
}

const server = createServer((req, res) => {
  let body = ''
  req.setEncoding('utf8')
  req.on('data', (chunk) => {
    body += chunk
  })
  req.on('end', () => {
    calls++
    const send = () => {
      let token = ''
      try {
        token = String(JSON.parse(body).token ?? '')
      } catch {}
      const text = answer(token)
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
      res.end(text)
    }
    if (latencyMs > 0) setTimeout(send, latencyMs)
    else send()
  })
})
server.keepAliveTimeout = 60_000

try {
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const ready = serveCommands(
    { calls: () => calls },
    () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  )
  ready({ url: `http://127.0.0.1:${server.address().port}` })
} catch (error) {
  failStartup(error)
}
