/**
 * The OneTouch callback signature moved to `./authy/signature.ts` (the Authy
 * dialect). This path stays for the emulator and its tests, which import it.
 *
 * @internal
 */
export * from "./authy/signature.js"
