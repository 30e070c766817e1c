/**
 * The authorization decision, in one place for every adapter: what a verified token (or its
 * absence) must satisfy on a route. A rule is compiled once, when a middleware or route is set up;
 * per request it is a few array and set lookups, plus the app's `authorize` hook when there is one.
 *
 * The one rule about `optional`: it never weakens a requirement. A rule with a required `scope`,
 * `callers` or an `authorize` hook needs credentials, so a request without any gets 401 even when
 * `optional` is set; `optional` only lets anonymous requests through where nothing is required.
 */
import { M2MConfigError } from '../errors.js'
import { InsufficientScopeError, MissingTokenError } from '../http/errors.js'
import { booleanOption, checkKnownKeys, checkObject, functionOption, machineList } from '../options/check.js'
import { RULE_OPTION_KEYS } from '../options/keys.js'
import type { VerifiedM2MToken } from '../types.js'
import { hasScopes } from './scopes.js'

/**
 * An app's own decision about a verified token: `true` lets the request through, `false` answers
 * 403 `insufficient_scope`. A thrown error (or rejected promise) is not an answer: it goes to the
 * framework's error path. `request` is the framework's own (Express `req`, Fastify `request`, Hono
 * `Context`).
 *
 * @example
 * ```ts
 * const onlySmallRefunds: AuthorizeHook<Request> = async (token, req) => Number(req.query.amount) < 100
 * ```
 */
export type AuthorizeHook<TRequest = unknown> = (
  token: VerifiedM2MToken,
  request: TRequest,
) => boolean | Promise<boolean>

/**
 * What a route requires of its caller. Accepted by `verifier.authenticate()` and, with the same
 * names, at middleware and route level by every adapter.
 *
 * @example
 * ```ts
 * const rule: AuthRuleOptions = { scope: 'mch_orders', callers: ['mch_billing'] }
 * ```
 */
export interface AuthRuleOptions<TRequest = unknown> {
  /** Machine ids (`mch_...`) that must **all** be in the token's `scopes` (else 403). @default [] */
  scope?: string | readonly string[]
  /** Sending machines (the token's `subject`) allowed here; any other gets 403. @default any machine */
  callers?: string | readonly string[]
  /** The app's own check, after `scope` and `callers`. @default undefined */
  authorize?: AuthorizeHook<TRequest>
  /**
   * A request without credentials goes on with no token (`null`), but only where nothing is
   * required: with `scope`, `callers` or `authorize` it still gets 401. A bad token is always refused.
   * @default false
   */
  optional?: boolean
}

const RULE = Symbol('m2m-auth.rule')

/** A compiled rule: built once by {@link createAuthRule}, used per request. */
export interface AuthRule<TRequest = unknown> {
  readonly [RULE]: true
  readonly scope: readonly string[]
  readonly callers: ReadonlySet<string> | undefined
  readonly hooks: readonly AuthorizeHook<TRequest>[]
  /** `optional` as it was asked for (a route without its own `optional` inherits it). */
  readonly optional: boolean
  /** Anonymous requests pass: `optional` was asked for and nothing is required. */
  readonly anonymousAllowed: boolean
  /** Something is required of the token (scope, callers or a hook). */
  readonly requiresToken: boolean
}

/**
 * Checks rule options and compiles them; with `base`, the result requires both (scopes are added,
 * caller lists intersect, hooks run base first), and `optional` is the route's when it gives one.
 * Throws `M2MConfigError` for an unknown key or a wrong value (`prefix` names where it was given).
 *
 * @example
 * ```ts
 * const route = createAuthRule({ callers: 'mch_billing' }, createAuthRule({ scope: 'mch_api' }))
 * ```
 */
export function createAuthRule<TRequest = unknown>(
  options: AuthRuleOptions<TRequest> | AuthRule<TRequest> = {},
  base?: AuthRule<TRequest>,
  prefix = '',
): AuthRule<TRequest> {
  if (isAuthRule<TRequest>(options))
    return base === undefined ? options : combine(base, options, options.optional)
  checkObject(prefix === '' ? 'options' : prefix, options)
  checkKnownKeys(options, RULE_OPTION_KEYS, prefix)
  const name = (key: string) => (prefix === '' ? key : `${prefix}.${key}`)
  const scope = machineList(name('scope'), options.scope) ?? []
  const callerList = machineList(name('callers'), options.callers)
  if (callerList !== undefined && callerList.length === 0) {
    throw new M2MConfigError(name('callers'), `${name('callers')} must list at least one machine id`)
  }
  const hook = functionOption(name('authorize'), options.authorize)
  const optional =
    options.optional === undefined ? undefined : booleanOption(name('optional'), options.optional, false)
  const own = build(
    scope,
    callerList === undefined ? undefined : new Set(callerList),
    hook ? [hook] : [],
    optional ?? false,
  )
  return base === undefined ? own : combine(base, own, optional)
}

function combine<T>(base: AuthRule<T>, route: AuthRule<T>, optional: boolean | undefined): AuthRule<T> {
  const scope = [...new Set([...base.scope, ...route.scope])]
  let callers = base.callers ?? route.callers
  if (base.callers !== undefined && route.callers !== undefined) {
    const other = route.callers
    callers = new Set([...base.callers].filter((id) => other.has(id)))
  }
  return build(scope, callers, [...base.hooks, ...route.hooks], optional ?? base.optional)
}

function build<T>(
  scope: readonly string[],
  callers: ReadonlySet<string> | undefined,
  hooks: readonly AuthorizeHook<T>[],
  optional: boolean,
): AuthRule<T> {
  const requiresToken = scope.length > 0 || callers !== undefined || hooks.length > 0
  return Object.freeze({
    [RULE]: true as const,
    scope: Object.freeze([...scope]),
    callers,
    hooks: Object.freeze([...hooks]),
    optional,
    anonymousAllowed: optional && !requiresToken,
    requiresToken,
  })
}

/** Whether `value` is a rule compiled by {@link createAuthRule}. */
export function isAuthRule<T = unknown>(value: unknown): value is AuthRule<T> {
  return typeof value === 'object' && value !== null && (value as { [RULE]?: true })[RULE] === true
}

/** The rule of no requirements (any valid token; credentials required). */
export const ANY_TOKEN: AuthRule = build([], undefined, [], false)

/**
 * The synchronous part of the decision: throws `InsufficientScopeError` (403) for a missing scope
 * or a caller not on the list. Run on the cache-hit path without allocating.
 */
export function checkStatic(rule: AuthRule<never>, token: VerifiedM2MToken): void {
  if (rule.scope.length > 0 && !hasScopes(token, rule.scope)) throw new InsufficientScopeError(rule.scope)
  if (rule.callers !== undefined && !rule.callers.has(token.subject)) {
    throw new InsufficientScopeError(rule.scope, 'This caller is not allowed to access this resource')
  }
}

/**
 * Applies `rule` to the outcome of authentication: `token` is `null` when no credentials were sent.
 * Returns the token (or `null` where anonymous requests are allowed), synchronously when there is
 * no hook, else a promise. Throws `MissingTokenError` (401) or `InsufficientScopeError` (403);
 * an exception of a hook is passed on unchanged.
 *
 * @example
 * ```ts
 * const result = await applyAuthRule(rule, req.m2m, req)
 * ```
 */
export function applyAuthRule<TRequest>(
  rule: AuthRule<TRequest>,
  token: VerifiedM2MToken | null,
  request: TRequest,
): VerifiedM2MToken | null | Promise<VerifiedM2MToken | null> {
  if (token === null) {
    if (rule.anonymousAllowed) return null
    throw new MissingTokenError()
  }
  checkStatic(rule as AuthRule<never>, token)
  const { hooks } = rule
  if (hooks.length === 0) return token
  return runHooks(hooks, token, request)
}

async function runHooks<T>(
  hooks: readonly AuthorizeHook<T>[],
  token: VerifiedM2MToken,
  request: T,
): Promise<VerifiedM2MToken> {
  for (const hook of hooks) {
    const allowed = await hook(token, request)
    if (allowed !== true) {
      if (allowed !== false) {
        throw new M2MConfigError('authorize', 'authorize must return (or resolve to) true or false')
      }
      throw new InsufficientScopeError([], 'The token is not allowed to access this resource')
    }
  }
  return token
}

/**
 * Rules compiled from plain options objects given to `authenticate()`, so that a constant options
 * object is checked and compiled once, not per request.
 */
const compiled = new WeakMap<object, AuthRule<unknown>>()

/** The compiled rule of `opts`: itself when already compiled, else compiled once and remembered. */
export function ruleOf(opts: AuthRuleOptions<unknown> | AuthRule<unknown>): AuthRule<unknown> {
  if (isAuthRule(opts)) return opts
  let rule = compiled.get(opts)
  if (rule === undefined) {
    rule = createAuthRule(opts)
    compiled.set(opts, rule)
  }
  return rule
}
