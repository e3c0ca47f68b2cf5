/**
 * QR images of `otpauth://` URIs, drawn by `qrcode` (node-qrcode: the most
 * used QR encoder for Node, maintained since 2010, ISO/IEC 18004 with every
 * mode and error-correction level) rather than by hand, so that a phone's
 * authenticator app can scan them and produce codes the emulator accepts.
 *
 * @since 0.3.0
 */
import { Effect } from "effect"
import QRCode from "qrcode"

/**
 * The image formats served.
 *
 * @since 0.3.0
 * @category models
 */
export type Format = "png" | "svg"

/**
 * The sizes accepted, in pixels (`qr_size`): Authy's default is 300.
 *
 * @since 0.3.0
 * @category constants
 */
export const sizes = { min: 1, max: 2000, default: 300 } as const

/**
 * The options every image is drawn with: medium error correction (what
 * authenticator enrolment screens use), the standard four-module quiet zone,
 * and `size` pixels wide. Tests draw with the same options to compare.
 *
 * @since 0.3.0
 * @category constants
 */
export const options = (size: number) => ({ errorCorrectionLevel: "M", margin: 4, width: size }) as const

/**
 * The image of `text`: PNG bytes, or SVG text as bytes.
 *
 * @since 0.3.0
 * @category rendering
 */
export const render = (text: string, format: Format, size: number): Effect.Effect<Uint8Array> =>
  format === "png"
    ? Effect.promise(() => QRCode.toBuffer(text, options(size)))
    : Effect.map(
      Effect.promise(() => QRCode.toString(text, { ...options(size), type: "svg" })),
      (svg) => new TextEncoder().encode(svg)
    )

/**
 * The content type of a format.
 *
 * @since 0.3.0
 * @category rendering
 */
export const contentType = (format: Format): string => format === "png" ? "image/png" : "image/svg+xml"
