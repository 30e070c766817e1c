import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Ajv, type ValidateFunction } from 'ajv'
import { parse } from 'yaml'

const SPEC_PATH = fileURLToPath(new URL('../../../contracts/clerk-bapi-m2m.openapi.yml', import.meta.url))

type Json = Record<string, unknown>

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** OpenAPI 3.0 -> JSON Schema: `nullable: true` becomes a `null` type, boolean exclusiveMinimum a number. */
function translate(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(translate)
  if (!isRecord(node)) return node
  const out: Json = {}
  for (const [key, value] of Object.entries(node)) out[key] = translate(value)
  if (out.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null']
  if (out.nullable === true && Array.isArray(out.enum)) out.enum = [...out.enum, null]
  delete out.nullable
  if (out.exclusiveMinimum === true && typeof out.minimum === 'number') {
    out.exclusiveMinimum = out.minimum
    delete out.minimum
  }
  return out
}

const pointer = (...parts: string[]) =>
  parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')

/** Validates answers against the OpenAPI subset in contracts/ at the repository root. */
export class Contract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true })
  private readonly spec: Json
  private readonly cache = new Map<string, ValidateFunction>()

  constructor() {
    this.spec = translate(parse(readFileSync(SPEC_PATH, 'utf8'))) as Json
    this.ajv.addFormat('int64', true)
    this.ajv.addSchema(this.spec, 'openapi')
  }

  /** The schema pointer for an answer, or the ClerkErrors schema for error statuses the spec omits. */
  private schemaRef(method: string, template: string, status: number): string {
    const op = (this.spec.paths as Json)[template] as Json | undefined
    const responses = (op?.[method.toLowerCase()] as Json | undefined)?.responses as Json | undefined
    if (!responses) {
      if (status < 400) throw new Error(`the contract has no operation ${method} ${template}`)
      return 'openapi#/components/schemas/ClerkErrors'
    }
    const response = responses[String(status)] as Json | undefined
    if (!response) {
      if (status < 400) throw new Error(`the contract has no ${status} answer for ${method} ${template}`)
      return 'openapi#/components/schemas/ClerkErrors'
    }
    if (typeof response.$ref === 'string') return `openapi${response.$ref}/content/application~1json/schema`
    return `openapi#/${pointer('paths', template, method.toLowerCase(), 'responses', String(status))}/content/application~1json/schema`
  }

  /** Throws with ajv's errors when `body` does not match the contract. */
  check(method: string, template: string, status: number, body: unknown): void {
    const ref = this.schemaRef(method, template, status)
    let validate = this.cache.get(ref)
    if (!validate) {
      validate = this.ajv.getSchema(ref)
      if (!validate) throw new Error(`cannot resolve ${ref}`)
      this.cache.set(ref, validate)
    }
    if (!validate(body)) {
      throw new Error(
        `${method} ${template} ${status} breaks the contract: ${this.ajv.errorsText(validate.errors)}`,
      )
    }
    if (status >= 400) this.checkErrors(body)
  }

  /** Throws unless `body` is a Clerk error body (`{ errors: [{ message, long_message, code }] }`). */
  checkErrors(body: unknown): void {
    const errors = this.ajv.getSchema('openapi#/components/schemas/ClerkErrors')!
    if (!errors(body)) throw new Error(`error body breaks ClerkErrors: ${this.ajv.errorsText(errors.errors)}`)
  }
}

const TEMPLATES: Array<[RegExp, string]> = [
  [/^\/m2m_tokens\/verify$/, '/m2m_tokens/verify'],
  [/^\/m2m_tokens\/[^/]+\/revoke$/, '/m2m_tokens/{m2m_token_id}/revoke'],
  [/^\/m2m_tokens$/, '/m2m_tokens'],
  [/^\/jwks$/, '/jwks'],
  [/^\/machines$/, '/machines'],
  [/^\/machines\/[^/]+$/, '/machines/{machine_id}'],
  [/^\/machines\/[^/]+\/secret_key$/, '/machines/{machine_id}/secret_key'],
  [/^\/machines\/[^/]+\/scopes$/, '/machines/{machine_id}/scopes'],
  [/^\/machines\/[^/]+\/scopes\/[^/]+$/, '/machines/{machine_id}/scopes/{other_machine_id}'],
]

/** The contract's path template for a request path (with or without `/v1`), if it has one. */
export function templateOf(path: string): string | undefined {
  const bare = path.split('?')[0]!.replace(/^\/v1(?=\/)/, '')
  return TEMPLATES.find(([re]) => re.test(bare))?.[1]
}
