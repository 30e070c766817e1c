/**
 * Validates requests and answers against Clerk's OpenAPI subset (contracts/ at the repository root), so that our
 * fakes, the emulator and the client cannot drift from the contract unnoticed. OpenAPI 3.0 schemas
 * are translated to JSON Schema (draft-07) for ajv: `nullable`, boolean `exclusiveMinimum`, `$ref`s
 * inlined, examples dropped.
 *
 * @example
 * ```ts
 * expect(validateResponse('POST', '/v1/m2m_tokens/verify', 200, body).errors).toEqual([])
 * ```
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Ajv, type ValidateFunction } from 'ajv'
import { parse } from 'yaml'

/** Where the contract lives: `contracts/` at the repository root (Clerk's spec subset, MIT). */
export const OPENAPI_PATH = fileURLToPath(
  new URL('../../../../contracts/clerk-bapi-m2m.openapi.yml', import.meta.url),
)

/** The outcome of a check: `errors` lists ajv's complaints (empty when valid). */
export interface ContractResult {
  valid: boolean
  errors: string[]
}

type Node = Record<string, unknown>

/** A loaded contract with cached validators. */
export interface OpenApi {
  doc: Node
  validateResponse(method: string, path: string, status: number, body: unknown): ContractResult
  validateRequestBody(method: string, path: string, body: unknown): ContractResult
  /** Checks query parameters (values are strings, coerced as the schema says; unknown names fail). */
  validateQuery(method: string, path: string, query: Record<string, string>): ContractResult
  /** Checks `value` against `#/components/schemas/<name>`. */
  validateSchema(name: string, value: unknown): ContractResult
}

const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v)

function resolveRef(doc: Node, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`external $ref not supported: ${ref}`)
  let node: unknown = doc
  for (const part of ref.slice(2).split('/')) node = isNode(node) ? node[part] : undefined
  if (node === undefined) throw new Error(`unresolved $ref: ${ref}`)
  return node
}

/** Follows `$ref`s of non-schema objects (responses, parameters). */
function deref(doc: Node, node: unknown): unknown {
  for (let i = 0; i < 10 && isNode(node) && typeof node.$ref === 'string'; i++)
    node = resolveRef(doc, node.$ref)
  return node
}

/** OpenAPI 3.0 schema -> JSON Schema draft-07. Exported for the emulator's tests. */
export function toJsonSchema(schema: unknown, doc: Node, refs: string[] = []): unknown {
  if (!isNode(schema)) return schema
  if (typeof schema.$ref === 'string') {
    if (refs.includes(schema.$ref)) throw new Error(`cyclic $ref: ${schema.$ref}`)
    return toJsonSchema(resolveRef(doc, schema.$ref), doc, [...refs, schema.$ref])
  }
  const sub = (s: unknown) => toJsonSchema(s, doc, refs)
  const out: Node = {}
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'example' || key === 'nullable' || key === 'readOnly' || key === 'writeOnly') continue
    if (key.startsWith('x-')) continue
    if (key === 'properties' && isNode(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, sub(s)]))
    } else if (key === 'items' || key === 'not' || (key === 'additionalProperties' && isNode(value))) {
      out[key] = sub(value)
    } else if ((key === 'allOf' || key === 'oneOf' || key === 'anyOf') && Array.isArray(value)) {
      out[key] = value.map(sub)
    } else {
      out[key] = value
    }
  }
  translateNullable(schema, out)
  translateExclusive(out, 'exclusiveMinimum', 'minimum')
  translateExclusive(out, 'exclusiveMaximum', 'maximum')
  return out
}

function translateNullable(source: Node, out: Node): void {
  if (source.nullable !== true) return
  if (typeof out.type === 'string') out.type = [out.type, 'null']
  if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null]
}

/** OpenAPI 3.0 (draft-4 style) boolean exclusive bounds become numeric ones. */
function translateExclusive(out: Node, exclusive: string, bound: string): void {
  if (typeof out[exclusive] !== 'boolean') return
  if (out[exclusive] === true && typeof out[bound] === 'number') out[exclusive] = out[bound]
  else delete out[exclusive]
  if (typeof out[exclusive] === 'number') delete out[bound]
}

/** Finds the operation for a concrete path (with or without `/v1`) or a template path. */
function findOperation(doc: Node, method: string, path: string): { template: string; operation: Node } {
  const paths = isNode(doc.paths) ? doc.paths : {}
  const bare = path.split('?')[0]!.replace(/^\/v1(?=\/)/, '')
  const templates = Object.keys(paths).sort((a, b) => Number(a.includes('{')) - Number(b.includes('{')))
  for (const template of templates) {
    const regex = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`)
    const item = paths[template]
    const operation = isNode(item) ? item[method.toLowerCase()] : undefined
    if ((template === bare || regex.test(bare)) && isNode(operation)) return { template, operation }
  }
  throw new Error(`no operation ${method} ${path} in the contract`)
}

function jsonSchemaOf(doc: Node, container: unknown): unknown {
  const content = deref(doc, container)
  const media = isNode(content) && isNode(content.content) ? content.content['application/json'] : undefined
  return isNode(media) ? media.schema : undefined
}

/** Loads the contract at `path` and returns validators over it. */
export function loadOpenApi(path: string = OPENAPI_PATH): OpenApi {
  const doc = parse(readFileSync(path, 'utf8')) as Node
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false })
  const coercing = new Ajv({ strict: false, allErrors: true, validateFormats: false, coerceTypes: true })
  const cache = new Map<string, ValidateFunction>()
  const compiled = (key: string, schema: () => unknown, coerce = false): ValidateFunction => {
    let fn = cache.get(key)
    if (!fn) {
      fn = (coerce ? coercing : ajv).compile(toJsonSchema(schema(), doc) as Node)
      cache.set(key, fn)
    }
    return fn
  }
  const run = (fn: ValidateFunction, value: unknown): ContractResult => {
    const valid = fn(value) as boolean
    const errors = (fn.errors ?? []).map(
      (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
    )
    return { valid, errors: valid ? [] : errors }
  }
  const missing = (what: string): ContractResult => ({
    valid: false,
    errors: [`contract documents no ${what}`],
  })

  return {
    doc,
    validateResponse(method, path, status, body) {
      const { template, operation } = findOperation(doc, method, path)
      const responses = isNode(operation.responses) ? operation.responses : {}
      const schema = jsonSchemaOf(doc, responses[String(status)] ?? responses.default)
      if (schema === undefined) return missing(`${status} answer for ${method} ${template}`)
      return run(
        compiled(`res ${method} ${template} ${status}`, () => schema),
        body,
      )
    },
    validateRequestBody(method, path, body) {
      const { template, operation } = findOperation(doc, method, path)
      const schema = jsonSchemaOf(doc, operation.requestBody)
      if (schema === undefined) return missing(`request body for ${method} ${template}`)
      return run(
        compiled(`req ${method} ${template}`, () => schema),
        body,
      )
    },
    validateQuery(method, path, query) {
      const { template, operation } = findOperation(doc, method, path)
      const fn = compiled(`query ${method} ${template}`, () => querySchema(doc, operation), true)
      return run(fn, { ...query })
    },
    validateSchema(name, value) {
      return run(
        compiled(`schema ${name}`, () => ({ $ref: `#/components/schemas/${name}` })),
        value,
      )
    },
  }
}

function querySchema(doc: Node, operation: Node): Node {
  const properties: Node = {}
  const required: string[] = []
  const parameters = Array.isArray(operation.parameters) ? operation.parameters : []
  for (const raw of parameters) {
    const parameter = deref(doc, raw)
    if (!isNode(parameter) || parameter.in !== 'query' || typeof parameter.name !== 'string') continue
    properties[parameter.name] = parameter.schema ?? {}
    if (parameter.required === true) required.push(parameter.name)
  }
  return { type: 'object', properties, required, additionalProperties: false }
}

let shared: OpenApi | undefined

/** The default contract, loaded once per test file. */
export function defaultOpenApi(): OpenApi {
  shared ??= loadOpenApi()
  return shared
}

/** Checks an answer against the default contract. */
export function validateResponse(
  method: string,
  path: string,
  status: number,
  body: unknown,
): ContractResult {
  return defaultOpenApi().validateResponse(method, path, status, body)
}

/** Checks a request body against the default contract. */
export function validateRequestBody(method: string, path: string, body: unknown): ContractResult {
  return defaultOpenApi().validateRequestBody(method, path, body)
}

/** Checks query parameters against the default contract. */
export function validateQuery(method: string, path: string, query: Record<string, string>): ContractResult {
  return defaultOpenApi().validateQuery(method, path, query)
}
