/**
 * The node:cluster flavour of the fleet: a primary that forks FLEET_SIZE workers running `api.mjs`
 * and relays IPC between its own parent and each worker (messages carry a `worker` index).
 */
import cluster from 'node:cluster'
import { fileURLToPath } from 'node:url'

const size = Number(process.env.FLEET_SIZE ?? 3)
cluster.setupPrimary({ exec: fileURLToPath(new URL('./api.mjs', import.meta.url)), execArgv: [] })
let stopping = false
const workers = Array.from({ length: size }, () => cluster.fork())

workers.forEach((worker, index) => {
  worker.on('message', (message) => process.send?.({ ...message, worker: index }))
  // A worker that dies unasked takes the fleet down: the parent sees the primary exit.
  worker.on('exit', (code) => {
    if (!stopping) process.exit(code || 1)
  })
})
process.on('message', (message) => workers[message.worker]?.send(message))

function stop() {
  if (stopping) return
  stopping = true
  for (const worker of workers) worker.process.kill('SIGTERM')
  // Workers close their connections and exit; the primary follows the last one.
  cluster.on('exit', () => {
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0)
  })
}
process.on('SIGTERM', stop)
process.on('disconnect', stop)
