import type { M2MToken } from '../types.js'
import { resolveClientOptions } from './options.js'
import { type ApiRequest, send } from './request.js'
import { resolveRetryPolicy } from './retry.js'
import type {
  CreateTokenParams,
  ListTokensParams,
  M2MCallOptions,
  M2MClient,
  M2MClientOptions,
  RevokeTokenParams,
  VerifyTokenParams,
} from './types.js'
import {
  validateCallOptions,
  validateCreateParams,
  validateListParams,
  validateRevokeParams,
  validateVerifyParams,
} from './validate.js'
import { decodeToken, decodeTokenList, type M2MTokenList, toSnakeCase } from './wire.js'

type Operation<T> = Pick<ApiRequest<T>, 'method' | 'path' | 'query' | 'body' | 'decode'> & {
  /** Safe to send twice; decides whether retries are on by default. */
  idempotent: boolean
  /** Extra values to keep out of error messages (the token being verified). */
  secrets?: readonly string[]
}

/**
 * Builds a typed client for Clerk's four M2M token operations. Options are checked here, once
 * (`M2MConfigError` naming the option); build one client and share it.
 *
 * Retries (see `RetryOptions`) are on by default for list, revoke and verify, and off for create,
 * which is not idempotent, unless the create call passes `retry` itself.
 *
 * @example
 * ```ts
 * const client = createM2MClient({ secretKey: 'ak_...' })
 * const { token } = await client.createToken({ secondsUntilExpiration: 3600 })
 * const verified = await client.verifyToken({ token: token! }, { signal: AbortSignal.timeout(1000) })
 * ```
 */
export function createM2MClient(options: M2MClientOptions): M2MClient {
  return createClient(options).client
}

/** The verifier's own verify call: `retry: false` for one attempt, else the client's policy. */
export type VerifyCall = (token: string, deadlineMs: number, retry?: false) => Promise<M2MToken>

const VERIFY_PATH = '/m2m_tokens/verify'
/** A token as revoke and verify answer it: without its secret `token` string. */
const decodeStored = (json: unknown) => decodeToken(json, false)

/**
 * The client, and the verify call the verifier makes on every miss and refresh: the same request
 * as `client.verifyToken`, without checking arguments the verifier built itself (a token that
 * `classifyToken` accepted, its own deadline) and with nothing rebuilt per call.
 */
export function createClient(options: M2MClientOptions): { client: M2MClient; verify: VerifyCall } {
  const config = resolveClientOptions(options)

  // The policy of an idempotent call without a per-call `retry`, resolved once (the verifier's calls).
  const idempotentPolicy = resolveRetryPolicy(config.retry, undefined, true)

  async function run<T>(operation: Operation<T>, callOptions: M2MCallOptions | undefined): Promise<T> {
    const secretKey = callOptions?.secretKey ?? config.secretKey
    const callRetry = callOptions?.retry
    const retry =
      callRetry === undefined && operation.idempotent
        ? idempotentPolicy
        : resolveRetryPolicy(config.retry, callRetry, operation.idempotent)
    return send(config.transport, {
      ...operation,
      secretKey,
      retry,
      signal: callOptions?.signal,
      deadlineMs: callOptions?.deadlineMs,
      secrets: [secretKey, ...(operation.secrets ?? [])],
    })
  }

  const client: M2MClient = {
    async createToken(params: CreateTokenParams = {}, callOptions?: M2MCallOptions): Promise<M2MToken> {
      validateCreateParams(params)
      validateCallOptions(callOptions)
      const body = toSnakeCase({
        tokenFormat: params.tokenFormat,
        secondsUntilExpiration: params.secondsUntilExpiration,
        claims: params.claims,
        minRemainingTtlSeconds: params.minRemainingTtlSeconds,
      })
      const decode = (json: unknown) => decodeToken(json, true)
      return run({ method: 'POST', path: '/m2m_tokens', body, decode, idempotent: false }, callOptions)
    },

    async listTokens(params: ListTokensParams, callOptions?: M2MCallOptions): Promise<M2MTokenList> {
      validateListParams(params)
      validateCallOptions(callOptions)
      const query = new URLSearchParams({ subject: params.subject })
      for (const key of ['revoked', 'expired', 'limit', 'offset'] as const) {
        if (params[key] !== undefined) query.set(key, String(params[key]))
      }
      const operation = { method: 'GET', path: '/m2m_tokens', query, decode: decodeTokenList } as const
      return run({ ...operation, idempotent: true }, callOptions)
    },

    async revokeToken(params: RevokeTokenParams, callOptions?: M2MCallOptions): Promise<M2MToken> {
      validateRevokeParams(params)
      validateCallOptions(callOptions)
      const path = `/m2m_tokens/${encodeURIComponent(params.m2mTokenId)}/revoke`
      const body = toSnakeCase({ revocationReason: params.revocationReason })
      // Revoking twice leaves the token revoked: safe to retry.
      return run({ method: 'POST', path, body, decode: decodeStored, idempotent: true }, callOptions)
    },

    async verifyToken(params: VerifyTokenParams, callOptions?: M2MCallOptions): Promise<M2MToken> {
      validateVerifyParams(params)
      validateCallOptions(callOptions)
      const body = { token: params.token }
      const operation = { method: 'POST', path: VERIFY_PATH, body, decode: decodeStored } as const
      return run({ ...operation, idempotent: true, secrets: [params.token] }, callOptions)
    },
  }

  const { secretKey, transport } = config
  const verify: VerifyCall = (token, deadlineMs, retry) =>
    send(transport, {
      method: 'POST',
      path: VERIFY_PATH,
      body: { token },
      decode: decodeStored,
      secretKey,
      retry: retry === false ? undefined : idempotentPolicy,
      deadlineMs,
      secrets: [secretKey, token],
    })
  return { client, verify }
}
