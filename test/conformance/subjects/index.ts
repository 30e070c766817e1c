import { express4Subject, express5Subject } from './express.js'
import { fastifySubject } from './fastify.js'
import { honoSubject } from './hono.js'
import type { ConformanceSubject } from './types.js'

/** Every adapter the conformance table runs against: one line per subject. */
export const subjects: readonly ConformanceSubject[] = [
  express5Subject,
  express4Subject,
  fastifySubject,
  honoSubject,
]
