/**
 * `m2m-auth token create | list | revoke | verify`: one client call each, through @m2m-auth/core.
 */
import {
  classifyToken,
  createM2MClient,
  DEFAULT_API_URL,
  DEFAULT_TIMEOUT_MS,
  type M2MClient,
  TOKEN_ID_PATTERN,
} from '@m2m-auth/core'
import { type ConfigFlags, type KeyNeed, resolveConfig } from '../config.js'
import { type CommandContext, printResult } from '../context.js'
import { booleanFlag, choiceFlag, jsonFlag, numberFlag, stringFlag, UsageError } from '../flags.js'
import {
  formatCreated,
  formatList,
  formatRevoked,
  formatVerified,
  tokenStatus,
  withoutSecret,
} from '../output.js'
import { NotAnM2MTokenError, TokenRejectedError } from '../report.js'

/** Builds the client of one command and records what failure messages may mention. */
function clientFor(flags: ConfigFlags, ctx: CommandContext, need: KeyNeed): M2MClient {
  const config = resolveConfig(flags, ctx.io.env, need)
  ctx.secrets.push(config.client.secretKey)
  ctx.failure.apiUrl = config.client.apiUrl ?? DEFAULT_API_URL
  ctx.failure.timeoutMs = config.client.timeoutMs ?? DEFAULT_TIMEOUT_MS
  ctx.failure.keySource = config.keySource
  return createM2MClient(config.client)
}

/** Ctrl-C (the io's signal) aborts a pending call, waits between retries included. */
function callOptions(ctx: CommandContext): { signal?: AbortSignal } {
  return ctx.io.signal ? { signal: ctx.io.signal } : {}
}

/** Flags of `token create`. */
export interface CreateFlags extends ConfigFlags {
  expiresIn?: unknown
  claims?: unknown
  format?: unknown
  minRemainingTtl?: unknown
}

/** `token create`: needs a Machine Secret Key; prints the new token (its whole point). */
export async function createCommand(flags: CreateFlags, ctx: CommandContext): Promise<number> {
  const tokenFormat = choiceFlag(flags.format, '--format', ['opaque', 'jwt'] as const) ?? 'opaque'
  const claims = jsonFlag(flags.claims, '--claims')
  const secondsUntilExpiration = numberFlag(flags.expiresIn, '--expires-in')
  const minRemainingTtlSeconds = numberFlag(flags.minRemainingTtl, '--min-remaining-ttl', true)
  const client = clientFor(flags, ctx, 'machine')
  const params = { tokenFormat, claims, secondsUntilExpiration, minRemainingTtlSeconds }
  const token = await client.createToken(params, callOptions(ctx))
  printResult(ctx, token, formatCreated(token, tokenFormat, ctx.now()))
  return 0
}

/** Flags of `token list`. */
export interface ListFlags extends ConfigFlags {
  subject?: unknown
  revoked?: unknown
  expired?: unknown
  limit?: unknown
  offset?: unknown
}

/**
 * `token list [--subject mch_...]`: one page of a machine's opaque tokens. Without `--subject`, the
 * machine is CLERK_MACHINE_ID (this machine, as the adapters know it).
 */
export async function listCommand(flags: ListFlags, ctx: CommandContext): Promise<number> {
  const subject = stringFlag(flags.subject, '--subject')?.trim() || ctx.io.env.CLERK_MACHINE_ID?.trim()
  if (!subject) {
    throw new UsageError(
      '--subject is required (or set CLERK_MACHINE_ID)',
      'example: m2m-auth token list --subject mch_... (m2m-auth machine list shows the ids)',
    )
  }
  const params = {
    subject,
    revoked: booleanFlag(flags.revoked, '--revoked'),
    expired: booleanFlag(flags.expired, '--expired'),
    limit: numberFlag(flags.limit, '--limit', true),
    offset: numberFlag(flags.offset, '--offset', true),
  }
  const client = clientFor(flags, ctx, 'any')
  const list = await client.listTokens(params, callOptions(ctx))
  const page = { data: list.data.map(withoutSecret), totalCount: list.totalCount }
  printResult(ctx, page, formatList(page, params.offset ?? 0, ctx.now()))
  return 0
}

/** A token id, checked before any request; a token given in its place gets its own hint. */
function checkTokenId(id: string): void {
  if (TOKEN_ID_PATTERN.test(id)) return
  const hint =
    classifyToken(id) === null
      ? 'token ids look like mt_ followed by 32 hexadecimal characters; m2m-auth token list shows them'
      : 'this is a token, not a token id: m2m-auth token list shows the ids (mt_ + 32 hex characters)'
  throw new UsageError('not a token id', hint)
}

/** Flags of `token revoke`. */
export interface RevokeFlags extends ConfigFlags {
  reason?: unknown
}

/** `token revoke mt_...`: revokes by id (the id is not a secret; the token is never needed). */
export async function revokeCommand(
  tokenId: string,
  flags: RevokeFlags,
  ctx: CommandContext,
): Promise<number> {
  const revocationReason = stringFlag(flags.reason, '--reason')
  checkTokenId(String(tokenId))
  const client = clientFor(flags, ctx, 'any')
  const token = withoutSecret(
    await client.revokeToken({ m2mTokenId: String(tokenId), revocationReason }, callOptions(ctx)),
  )
  printResult(ctx, token, formatRevoked(token, ctx.now()))
  return 0
}

/** Flags of `token verify`. */
export interface VerifyFlags extends ConfigFlags {
  stdin?: unknown
}

/** Longest token read from standard input; a JWT with generous claims fits many times over. */
const MAX_STDIN_BYTES = 64 * 1024

async function readStdin(ctx: CommandContext): Promise<string> {
  const stdin = ctx.io.stdin
  if (!stdin) throw new UsageError('--stdin: no standard input available')
  let text = ''
  for await (const chunk of stdin) {
    text += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk)
    if (text.length > MAX_STDIN_BYTES) throw new UsageError('--stdin: input is too long to be a token')
  }
  return text.trim()
}

async function tokenArgument(
  token: string | undefined,
  flags: VerifyFlags,
  ctx: CommandContext,
): Promise<string> {
  const fromStdin = booleanFlag(flags.stdin, '--stdin')
  if (fromStdin && token !== undefined)
    throw new UsageError('give the token either as an argument or on --stdin')
  const value = fromStdin ? await readStdin(ctx) : token === undefined ? undefined : String(token)
  if (!value) throw new UsageError('missing token', 'pass it as an argument, or pipe it in with --stdin')
  return value
}

/** `token verify TOKEN`: asks the token service about a token; never prints the token back. */
export async function verifyCommand(
  tokenArg: string | undefined,
  flags: VerifyFlags,
  ctx: CommandContext,
): Promise<number> {
  const token = await tokenArgument(tokenArg, flags, ctx)
  ctx.secrets.push(token)
  // What the middleware refuses without asking Clerk is refused here too: no request, no billing.
  if (classifyToken(token) === null) throw new NotAnM2MTokenError()
  const client = clientFor(flags, ctx, 'any')
  const answer = withoutSecret(await client.verifyToken({ token }, callOptions(ctx)))
  const status = tokenStatus(answer, ctx.now())
  // A 200 that says revoked or expired is still a rejection: the verifier treats it so too.
  if (status !== 'active') throw new TokenRejectedError(status, answer)
  printResult(ctx, answer, formatVerified(answer, ctx.now()))
  return 0
}
