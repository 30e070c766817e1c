import { describe, expect, it } from 'vitest'
import * as api from '../src/index.js'

describe('the public surface of @m2m-auth/fastify', () => {
  it('exports exactly the plugin (default and named) and its error class', () => {
    expect(Object.keys(api).sort()).toEqual(['FastifyM2MError', 'default', 'm2mAuth'])
    expect(api.default).toBe(api.m2mAuth)
  })

  it('is a fastify-plugin named @m2m-auth/fastify for Fastify 5', () => {
    const plugin = api.m2mAuth as unknown as Record<symbol, unknown>
    expect(plugin[Symbol.for('skip-override')]).toBe(true)
    expect(plugin[Symbol.for('plugin-meta')]).toMatchObject({ name: '@m2m-auth/fastify', fastify: '5.x' })
  })
})
