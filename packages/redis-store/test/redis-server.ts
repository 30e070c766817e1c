/**
 * A real redis-server for the tests: one process per suite on a free loopback port, no persistence,
 * stopped by its pid. Without the binary the suites are skipped loudly on a developer machine and
 * fail in CI (CI=true), with a message saying how to get it; M2M_SKIP_REDIS=1 forces the skip.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createServer, Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

const BINARY = 'redis-server'

/** True when the binary is on PATH. */
export const redisInstalled = spawnSync(BINARY, ['--version'], { stdio: 'ignore' }).error === undefined

/**
 * Skip the Redis suites only when the binary is missing and either M2M_SKIP_REDIS=1 asks for it or
 * this is a developer machine (not CI): `pnpm test` on a fresh machine with only Node must pass,
 * while CI (`CI=true`, where .ci/run installs redis-server) must never skip them silently.
 */
export const skipRedis =
  !redisInstalled && (process.env.M2M_SKIP_REDIS === '1' || !process.env.CI || process.env.CI === 'false')
if (skipRedis) {
  console.warn(
    '[redis-store] redis-server is not installed: the Redis tests are SKIPPED on this machine ' +
      '(apt-get install -y redis-server to run them; CI installs it and never skips).',
  )
}

/** A running redis-server. */
export interface RedisServer {
  port: number
  /** `redis://127.0.0.1:<port>` */
  url: string
  /** Sends `signal` to the server and waits (bounded) until it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>
  /** Starts a new (empty) server on the same port, after `stop()`: a Redis that comes back. */
  restart(): Promise<void>
}

/** Starts redis-server on a free loopback port and resolves once it answers PONG. */
export async function startRedis(): Promise<RedisServer> {
  const first = await spawnRedis()
  let child = first.child
  return {
    port: first.port,
    url: `redis://127.0.0.1:${first.port}`,
    stop: (signal) => stopChild(child, signal),
    async restart() {
      await stopChild(child, 'SIGKILL')
      child = (await spawnRedis(first.port)).child
    },
  }
}

/** Spawns redis-server on `fixedPort` (or a free port) and resolves once it answers PONG. */
async function spawnRedis(fixedPort?: number): Promise<{ port: number; child: ChildProcess }> {
  if (!redisInstalled) {
    throw new Error(
      'redis-server is not installed: these tests need it (Debian: apt-get install -y redis-server; ' +
        '.ci/run installs it). Set M2M_SKIP_REDIS=1 to skip them on a machine without it.',
    )
  }
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) {
    // The port is free when we look, but another process may take it before redis-server binds.
    const port = fixedPort ?? (await freePort())
    const child = spawn(
      BINARY,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    )
    try {
      await waitForPong(port, child)
      return { port, child }
    } catch (error) {
      lastError = error
      await stopChild(child, 'SIGKILL')
    }
  }
  throw new Error('redis-server did not start', { cause: lastError })
}

async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (address === null || typeof address === 'string') throw new Error('no port from the OS')
  return address.port
}

async function waitForPong(port: number, child: ChildProcess): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('redis-server exited at start')
    if (await ping(port)) return
    await sleep(50)
  }
  throw new Error('redis-server did not answer PING within 5 s')
}

/** One raw `PING` over TCP: true on `+PONG`. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket()
    let reply = ''
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1')
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'))
    })
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
  })
}

async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const { pid } = child
  if (child.exitCode !== null || child.signalCode !== null || pid === undefined) return
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  process.kill(pid, signal)
  // A server that ignores SIGTERM for 5 s is killed; the timer goes as soon as it has exited.
  const patience = new AbortController()
  sleep(5000, undefined, { signal: patience.signal }).then(
    () => child.exitCode === null && child.signalCode === null && process.kill(pid, 'SIGKILL'),
    () => undefined,
  )
  await exited
  patience.abort()
}
