/**
 * The version printed by `m2m-auth --version`. Kept in code rather than read from package.json at run
 * time so that the bundled bin needs no file access; a test checks that it matches package.json.
 */
export const VERSION = '0.1.0'
