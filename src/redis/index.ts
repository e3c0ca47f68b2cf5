/**
 * Redis-backed parts of effect-authy: replay protection for OneTouch
 * callbacks and Verify webhooks, shared by every instance of an application. Needs the `redis`
 * package (node-redis), an optional peer dependency.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 */
export * as RedisNonceStore from "./RedisNonceStore.js"
