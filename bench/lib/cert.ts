/**
 * A self-signed certificate for 127.0.0.1, made at bench time with `openssl`.
 * Drivers trust it through `NODE_EXTRA_CA_CERTS`, so every client verifies the
 * chain as it would against the real API, with no client-specific TLS option.
 */
import { execFileSync } from "node:child_process"
import { mkdirSync } from "node:fs"
import { join } from "node:path"

export interface Certificate {
  readonly certFile: string
  readonly keyFile: string
}

const hasOpenssl = (): boolean => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

/** Makes a fresh certificate in `dir`; undefined when openssl is missing. */
export const makeCertificate = (dir: string): Certificate | undefined => {
  const certFile = join(dir, "cert.pem")
  const keyFile = join(dir, "key.pem")
  if (!hasOpenssl()) return undefined
  mkdirSync(dir, { recursive: true })
  // RSA 2048, as most public APIs still serve: the handshake cost is realistic.
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
    "-keyout", keyFile, "-out", certFile,
    "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1",
    "-addext", "basicConstraints=critical,CA:TRUE"
  ], { stdio: "ignore" })
  return { certFile, keyFile }
}
