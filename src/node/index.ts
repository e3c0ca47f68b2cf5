/**
 * Node-only parts of effect-authy: a lean undici transport for the client.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as UndiciHttpClient from "./UndiciHttpClient.js"
