/**
 * A throwaway redis-server for the demo: a free 127.0.0.1 port, no persistence, stopped by pid.
 * (The test suites use packages/redis-store/test/redis-server.ts, which does the same in TypeScript.)
 */
import { spawn } from 'node:child_process'
import { createServer, Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'

/** @returns {Promise<{ url: string, port: number, stop(): Promise<void>, restart(): Promise<void> }>} */
export async function startRedis() {
  const port = await freePort()
  let child = await spawnOn(port)
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    async restart() {
      await stop()
      child = await spawnOn(port)
    },
  }
}

async function spawnOn(port) {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  )
  child.once('error', () => undefined)
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) break
    if (await ping(port)) return child
    await sleep(50)
  }
  child.kill('SIGKILL')
  throw new Error('redis-server did not start (is it installed? Debian: apt-get install -y redis-server)')
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function ping(port) {
  return new Promise((resolve) => {
    const socket = new Socket()
    const done = (ok) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once('error', () => done(false))
    socket.once('data', (chunk) => done(chunk.toString('latin1').startsWith('+PONG')))
    socket.connect(port, '127.0.0.1', () => socket.write('PING\r\n'))
  })
}
