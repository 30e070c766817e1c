import { expect, it } from 'vitest'
import * as api from '../src/index.js'

// Guards the public surface: a rename or removal here is a breaking change and must be deliberate.
it('exports exactly the documented public names', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "API_URL_ENV_VAR",
      "AuthError",
      "DEFAULT_API_URL",
      "DEFAULT_API_VERSION",
      "DEFAULT_RETRY",
      "DEFAULT_TIMEOUT_MS",
      "InsufficientScopeError",
      "InvalidRequestError",
      "InvalidTokenError",
      "M2MApiError",
      "M2MConfigError",
      "M2MError",
      "M2MNetworkError",
      "M2MValidationError",
      "MACHINE_ID_PATTERN",
      "MAX_TOKEN_LENGTH",
      "MissingTokenError",
      "NOT_CACHED",
      "OUTAGE_LOG_INTERVAL_MS",
      "SECRET_KEY_ENV_VARS",
      "ServerConfigError",
      "TOKEN_ID_PATTERN",
      "TokenServiceUnavailableError",
      "authorizationFromRawHeaders",
      "checkScopes",
      "classifyToken",
      "createLibraryLog",
      "createM2MClient",
      "createVerifier",
      "parseBearer",
      "prepareRule",
      "resolveVerifierOptions",
      "toErrorResponse",
    ]
  `)
})
