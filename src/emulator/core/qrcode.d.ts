/**
 * The part of the `qrcode` package (node-qrcode, MIT) the emulator uses; the
 * package ships no types of its own, and its `@types` package is not a
 * dependency the emulator's users should have to install.
 */
declare module "qrcode" {
  interface QRCodeOptions {
    readonly errorCorrectionLevel?: "L" | "M" | "Q" | "H"
    readonly margin?: number
    readonly width?: number
    readonly type?: "png" | "svg" | "utf8" | "terminal"
  }
  const QRCode: {
    toBuffer(text: string, options?: QRCodeOptions): Promise<Buffer>
    toString(text: string, options?: QRCodeOptions): Promise<string>
  }
  export default QRCode
}
