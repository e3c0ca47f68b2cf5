/**
 * The package version, sent in the User-Agent. Kept equal to package.json's
 * `version` by a test.
 *
 * @internal
 */
export const version = "0.1.0"
