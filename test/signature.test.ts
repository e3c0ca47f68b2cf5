import { createHmac } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc, Redacted } from "effect"
import {
  canonicalFromQueryString,
  canonicalParams,
  computeSignature,
  parseQuery,
  validateSignature
} from "../src/internal/authy/signature.js"
import type { SignatureInput, ValidateSignatureInput } from "../src/internal/authy/signature.js"

// authy-api.md §3, documented example.
const DOC = {
  apiKey: "foobar123",
  nonce: "1427849783.886085",
  url: "https://api.authy.com/dashboard/json/application/webhooks",
  params: { b: "val|ue&2", a: "value1" },
  canonical: "a=value1&b=val%7Cue%262",
  post: "4f9676D/+BzsEq8NzF0fXpv7qETnzJUW/4YGe7p0EPM=",
  get: "W+RlOV+lGi1EA9jaT1X5hL1aJFAuTRwnHuQhCp2tAxI="
} as const

const docInput = (method: string, params: unknown = DOC.params): SignatureInput => ({
  apiKey: DOC.apiKey,
  nonce: DOC.nonce,
  method,
  url: DOC.url,
  params
})

// An independent HMAC over a hand-written canonical string, to check the
// `nonce|METHOD|url|params` composition without going through the module.
const hmac = (key: string, data: string): string => createHmac("sha256", key).update(data).digest("base64")

describe("computeSignature: documented example", () => {
  it("canonicalises the example params", () => {
    expect(canonicalParams(DOC.params)).toBe(DOC.canonical)
  })

  it("reproduces the POST signature", () => {
    expect(computeSignature(docInput("POST"))).toBe(DOC.post)
  })

  it("reproduces the GET signature from params and from the raw query string", () => {
    expect(computeSignature(docInput("GET"))).toBe(DOC.get)
    expect(computeSignature(docInput("GET", "b=val%7Cue%262&a=value1"))).toBe(DOC.get)
    expect(computeSignature(docInput("GET", `?${DOC.canonical}`))).toBe(DOC.get)
    expect(computeSignature(docInput("GET", new URLSearchParams({ b: "val|ue&2", a: "value1" })))).toBe(DOC.get)
  })

  it("accepts a Redacted key, a lower-case method and a URL with query and fragment", () => {
    const input = { ...docInput("post"), apiKey: Redacted.make(DOC.apiKey), url: `${DOC.url}?x=1&y=2#frag` }
    expect(computeSignature(input)).toBe(DOC.post)
    expect(computeSignature({ ...docInput("GET"), url: `${DOC.url}#only-fragment` })).toBe(DOC.get)
  })
})

describe("canonicalParams: to_query rules", () => {
  it("nests objects as parent[child], sorted at each level", () => {
    const params = { user: { email: "a@b.co", country_code: 57, cellphone: "405-342-5699" }, force: true }
    expect(canonicalParams(params)).toBe(
      "force=true&user%5Bcellphone%5D=405-342-5699&user%5Bcountry_code%5D=57&user%5Bemail%5D=a%40b.co"
    )
    expect(canonicalParams({ a: { b: { c: "d" } } })).toBe("a%5Bb%5D%5Bc%5D=d")
  })

  it("writes arrays of scalars as key[] in element order", () => {
    expect(canonicalParams({ tags: ["z", "y z", "a"], a: 1 })).toBe(
      "a=1&tags%5B%5D=z&tags%5B%5D=y+z&tags%5B%5D=a"
    )
  })

  it("emits each object of an array as a unit, its keys sorted", () => {
    const params = {
      logos: [
        { url: "https://example.com/default.png", res: "default" },
        { res: "low", url: "https://example.com/low.png" }
      ]
    }
    expect(canonicalParams(params)).toBe(
      "logos%5B%5D%5Bres%5D=default&logos%5B%5D%5Burl%5D=https%3A%2F%2Fexample.com%2Fdefault.png" +
        "&logos%5B%5D%5Bres%5D=low&logos%5B%5D%5Burl%5D=https%3A%2F%2Fexample.com%2Flow.png"
    )
  })

  it("keeps the order of 12 array elements (indices past 9 do not sort as text)", () => {
    const params = { a: Array.from({ length: 12 }, (_, i) => ({ v: `x${i}`, i })) }
    const expected = [
      "a%5B%5D%5Bi%5D=0&a%5B%5D%5Bv%5D=x0",
      "a%5B%5D%5Bi%5D=1&a%5B%5D%5Bv%5D=x1",
      "a%5B%5D%5Bi%5D=2&a%5B%5D%5Bv%5D=x2",
      "a%5B%5D%5Bi%5D=3&a%5B%5D%5Bv%5D=x3",
      "a%5B%5D%5Bi%5D=4&a%5B%5D%5Bv%5D=x4",
      "a%5B%5D%5Bi%5D=5&a%5B%5D%5Bv%5D=x5",
      "a%5B%5D%5Bi%5D=6&a%5B%5D%5Bv%5D=x6",
      "a%5B%5D%5Bi%5D=7&a%5B%5D%5Bv%5D=x7",
      "a%5B%5D%5Bi%5D=8&a%5B%5D%5Bv%5D=x8",
      "a%5B%5D%5Bi%5D=9&a%5B%5D%5Bv%5D=x9",
      "a%5B%5D%5Bi%5D=10&a%5B%5D%5Bv%5D=x10",
      "a%5B%5D%5Bi%5D=11&a%5B%5D%5Bv%5D=x11"
    ].join("&")
    expect(canonicalParams(params)).toBe(expected)
  })

  it("writes null and undefined as an empty value", () => {
    expect(canonicalParams({ c: "x", b: undefined, a: null })).toBe("a=&b=&c=x")
    expect(canonicalParams({ a: [null, 1] })).toBe("a%5B%5D=&a%5B%5D=1")
  })

  it("drops empty objects and arrays, wherever they are", () => {
    expect(canonicalParams({ a: {}, b: [], c: { d: {}, e: [] }, f: [{}, 1, []], g: "1" })).toBe("f%5B%5D=1&g=1")
    expect(canonicalParams({})).toBe("")
  })

  it("writes booleans as true/false", () => {
    expect(canonicalParams({ t: true, f: false })).toBe("f=false&t=true")
  })

  it("writes numbers in decimal", () => {
    expect(canonicalParams({ i: 42, n: -7, f: 1.5, z: 0, big: 1e21 })).toBe(
      "big=1000000000000000000000&f=1.5&i=42&n=-7&z=0"
    )
  })

  it("encodes spaces as +", () => {
    expect(canonicalParams({ "full name": "Ada  Lovelace" })).toBe("full+name=Ada++Lovelace")
  })

  it("percent-encodes reserved characters (including ~ and *) in upper case", () => {
    expect(canonicalParams({ k: "[]/+=,|&~*" })).toBe("k=%5B%5D%2F%2B%3D%2C%7C%26%7E%2A")
    expect(canonicalParams({ "a=b&c": "%" })).toBe("a%3Db%26c=%25")
    expect(canonicalParams({ k: "AZaz09-._" })).toBe("k=AZaz09-._")
  })

  it("percent-encodes non-ASCII as UTF-8 bytes", () => {
    expect(canonicalParams({ "café": "é", e: "😀" })).toBe("caf%C3%A9=%C3%A9&e=%F0%9F%98%80")
  })

  it("sorts by byte order: digits, upper case, underscore, lower case", () => {
    expect(canonicalParams({ b: 1, B: 2, a: 3, A: 4, _: 5, "1": 6 })).toBe("1=6&A=4&B=2&_=5&a=3&b=1")
  })

  it("sorts by the encoded key, not the raw one", () => {
    // Encoded: "a", "a+b", "a-b", "a.b", "a%21" — `%` (0x25) sorts before `+`.
    expect(canonicalParams({ "a.b": 4, "a-b": 3, "a b": 1, "a!": 5, a: 2 })).toBe("a=2&a%21=5&a+b=1&a-b=3&a.b=4")
    // Nested keys end in `%5D`, so `a%21%5D` sorts before `a%5D`.
    expect(canonicalParams({ p: { a: 1, "a!": 2 } })).toBe("p%5Ba%21%5D=2&p%5Ba%5D=1")
    // A container's keys start with `a%5B`, which sorts after `a%21`.
    expect(canonicalParams({ a: { x: 1 }, "a!": 2 })).toBe("a%21=2&a%5Bx%5D=1")
  })

  it("gives nothing for values that have no parameter names", () => {
    expect(canonicalParams(null)).toBe("")
    expect(canonicalParams(undefined)).toBe("")
    expect(canonicalParams([1, 2])).toBe("")
    expect(canonicalParams(7)).toBe("")
  })
})

describe("a realistic OneTouch callback (authy-api.md §2.16)", () => {
  const body = {
    authy_id: 688611,
    device_uuid: 2102943,
    callback_action: "approval_request_status",
    uuid: "4a725520-c01b-0135-5e12-12a4a5f0e5d6",
    status: "approved",
    approval_request: {
      transaction: {
        details: { Username: "Bill Smith", Location: "San Francisco, CA" },
        device_details: {},
        device_geolocation: "",
        device_signing_time: 1512923419,
        encrypted: false,
        flagged: false,
        hidden_details: { ip_address: "10.0.0.1" },
        message: "Login requested for a CapTrade account.",
        reason: "",
        requester_details: null,
        status: "approved",
        uuid: "4a725520-c01b-0135-5e12-12a4a5f0e5d6",
        created_at_time: 1512923400,
        customer_uuid: 15083
      },
      expiration_timestamp: 1513009800,
      logos: [
        { res: "default", url: "https://example.com/logo-default.png" },
        { res: "low", url: "https://example.com/logo-low.png" }
      ],
      app_id: "582380eb7e1caa03317ec08c"
    },
    signature: "Ig1cDr+4SKiS/Tsno8lPvcRhKvJtc0iZpmcUrn6kGIY=",
    device: {
      city: "San Francisco",
      country: "United States",
      ip: "10.0.0.1",
      region: "California",
      registration_city: "San Francisco",
      os_type: "ios",
      last_account_recovery_at: null,
      id: 2102943,
      registration_date: 1490996931,
      last_sync_date: 1512923411
    }
  }
  const canonical = [
    "approval_request%5Bapp_id%5D=582380eb7e1caa03317ec08c",
    "approval_request%5Bexpiration_timestamp%5D=1513009800",
    "approval_request%5Blogos%5D%5B%5D%5Bres%5D=default",
    "approval_request%5Blogos%5D%5B%5D%5Burl%5D=https%3A%2F%2Fexample.com%2Flogo-default.png",
    "approval_request%5Blogos%5D%5B%5D%5Bres%5D=low",
    "approval_request%5Blogos%5D%5B%5D%5Burl%5D=https%3A%2F%2Fexample.com%2Flogo-low.png",
    "approval_request%5Btransaction%5D%5Bcreated_at_time%5D=1512923400",
    "approval_request%5Btransaction%5D%5Bcustomer_uuid%5D=15083",
    "approval_request%5Btransaction%5D%5Bdetails%5D%5BLocation%5D=San+Francisco%2C+CA",
    "approval_request%5Btransaction%5D%5Bdetails%5D%5BUsername%5D=Bill+Smith",
    "approval_request%5Btransaction%5D%5Bdevice_geolocation%5D=",
    "approval_request%5Btransaction%5D%5Bdevice_signing_time%5D=1512923419",
    "approval_request%5Btransaction%5D%5Bencrypted%5D=false",
    "approval_request%5Btransaction%5D%5Bflagged%5D=false",
    "approval_request%5Btransaction%5D%5Bhidden_details%5D%5Bip_address%5D=10.0.0.1",
    "approval_request%5Btransaction%5D%5Bmessage%5D=Login+requested+for+a+CapTrade+account.",
    "approval_request%5Btransaction%5D%5Breason%5D=",
    "approval_request%5Btransaction%5D%5Brequester_details%5D=",
    "approval_request%5Btransaction%5D%5Bstatus%5D=approved",
    "approval_request%5Btransaction%5D%5Buuid%5D=4a725520-c01b-0135-5e12-12a4a5f0e5d6",
    "authy_id=688611",
    "callback_action=approval_request_status",
    "device%5Bcity%5D=San+Francisco",
    "device%5Bcountry%5D=United+States",
    "device%5Bid%5D=2102943",
    "device%5Bip%5D=10.0.0.1",
    "device%5Blast_account_recovery_at%5D=",
    "device%5Blast_sync_date%5D=1512923411",
    "device%5Bos_type%5D=ios",
    "device%5Bregion%5D=California",
    "device%5Bregistration_city%5D=San+Francisco",
    "device%5Bregistration_date%5D=1490996931",
    "device_uuid=2102943",
    "signature=Ig1cDr%2B4SKiS%2FTsno8lPvcRhKvJtc0iZpmcUrn6kGIY%3D",
    "status=approved",
    "uuid=4a725520-c01b-0135-5e12-12a4a5f0e5d6"
  ].join("&")
  const key = "bf12974d70818a08199d17d5e2bae630"
  const nonce = "1455825429"
  const url = "https://app.example.com/authy/callback"

  it("canonicalises the JSON body", () => {
    expect(canonicalParams(body)).toBe(canonical)
  })

  it("signs it as nonce|POST|url|params", () => {
    const signature = computeSignature({ apiKey: Redacted.make(key), nonce, method: "POST", url, params: body })
    expect(signature).toBe(hmac(key, `${nonce}|POST|${url}|${canonical}`))
    expect(validateSignature({ apiKey: key, nonce, method: "POST", url, params: body, signature })).toBe(true)
  })

  it("verifies the same callback sent as GET with the canonical query", () => {
    const signature = hmac(key, `${nonce}|GET|${url}|${canonical}`)
    expect(canonicalFromQueryString(canonical)).toBe(canonical)
    const input = { apiKey: key, nonce, method: "GET", url: `${url}?${canonical}`, params: canonical, signature }
    expect(validateSignature(input)).toBe(true)
  })
})

describe("canonicalFromQueryString", () => {
  it("sorts and re-encodes a flat query", () => {
    expect(canonicalFromQueryString("b=val%7Cue%262&a=value1")).toBe(DOC.canonical)
  })

  it("parses Rails brackets into nested objects", () => {
    expect(canonicalFromQueryString("user%5Bemail%5D=a%40b.co&user[country_code]=57&x=1")).toBe(
      "user%5Bcountry_code%5D=57&user%5Bemail%5D=a%40b.co&x=1"
    )
  })

  it("groups logos[][res]/logos[][url] into elements, starting one when a key repeats", () => {
    const query = "logos[][url]=https%3A%2F%2Fe.com%2Fd.png&logos[][res]=default" +
      "&logos[][res]=low&logos[][url]=https%3A%2F%2Fe.com%2Fl.png"
    expect(canonicalFromQueryString(query)).toBe(
      "logos%5B%5D%5Bres%5D=default&logos%5B%5D%5Burl%5D=https%3A%2F%2Fe.com%2Fd.png" +
        "&logos%5B%5D%5Bres%5D=low&logos%5B%5D%5Burl%5D=https%3A%2F%2Fe.com%2Fl.png"
    )
  })

  it("normalises escaping that may have changed on the way", () => {
    expect(canonicalFromQueryString("?k=a~b*c%7e%2a+d%c3%a9")).toBe("k=a%7Eb%2Ac%7E%2A+d%C3%A9")
  })

  it("keeps arrays of scalars and nested arrays in order", () => {
    expect(canonicalFromQueryString("t[]=b&t[]=a&n[][]=1&n[][]=2")).toBe(
      "n%5B%5D%5B%5D=1&n%5B%5D%5B%5D=2&t%5B%5D=b&t%5B%5D=a"
    )
  })

  it("never throws on malformed input and keeps prototype names as data", () => {
    expect(canonicalFromQueryString("a=%zz%4&&b&c[x=1&=v")).toBe("=v&a=%25zz%254&b=&c%5Bx=1")
    expect(canonicalFromQueryString("a=1&a[b]=2&a[]=3")).toBe("a%5B%5D=3")
    expect(canonicalFromQueryString("__proto__[x]=1&constructor=2")).toBe("__proto__%5Bx%5D=1&constructor=2")
    expect(({} as Record<string, unknown>)["x"]).toBeUndefined()
  })
})

describe("validateSignature", () => {
  it("accepts the documented signatures", () => {
    expect(validateSignature({ ...docInput("POST"), signature: DOC.post })).toBe(true)
    expect(validateSignature({ ...docInput("GET", DOC.canonical), signature: DOC.get })).toBe(true)
  })

  it("rejects a signature made for another method", () => {
    expect(validateSignature({ ...docInput("POST"), signature: DOC.get })).toBe(false)
  })

  it("returns false, never throws, on garbage", () => {
    const garbage: ReadonlyArray<unknown> = [
      "",
      "abc",
      "not base64!!",
      `${DOC.post}\n`,
      "A".repeat(10_000),
      undefined,
      42,
      null
    ]
    // Deliberately ill-typed: headers and callers are not always well behaved.
    const loose = (fields: Record<string, unknown>) => ({ ...docInput("POST"), ...fields }) as ValidateSignatureInput
    for (const signature of garbage) {
      expect(validateSignature(loose({ signature }))).toBe(false)
    }
    const cyclic: Record<string, unknown> = { a: 1 }
    cyclic["self"] = cyclic
    expect(validateSignature({ ...docInput("POST", cyclic), signature: DOC.post })).toBe(false)
    expect(validateSignature(loose({ apiKey: undefined, signature: DOC.post }))).toBe(false)
    expect(validateSignature(loose({ method: 1, signature: DOC.post }))).toBe(false)
  })
})

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

const isObject = (value: unknown): value is { readonly [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

// Characters picked to collide in sort order and to exercise every encoding
// rule; no brackets, which only the pathological cases use.
const text = (maxLength: number) =>
  fc.string({
    unit: fc.constantFrom(..."abAZ01_-. !~*%+=&|é", "😀"),
    maxLength
  })

const scalar: fc.Arbitrary<Json> = fc.oneof(
  text(6),
  fc.integer(),
  fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  fc.boolean(),
  fc.constant(null)
)

const { object: jsonObject } = fc.letrec<{ value: Json; array: ReadonlyArray<Json>; object: { [key: string]: Json } }>(
  (tie) => ({
    value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("array"), tie("object")),
    array: fc.array(tie("value"), { maxLength: 12 }),
    object: fc.dictionary(text(3), tie("value"), { maxKeys: 6 })
  })
)

// Objects whose arrays hold no objects and whose keys are not empty: the
// shapes a query string carries without ambiguity (`k[][b]=1&k[][a]=2` is one
// element or two; `p[]=1` is `{p:[1]}` or `{p:{"":1}}`).
const { object: queryObject } = fc.letrec<{ value: Json; array: ReadonlyArray<Json>; object: { [key: string]: Json } }>(
  (tie) => ({
    value: fc.oneof({ depthSize: "small", withCrossShrink: true }, scalar, tie("array"), tie("object")),
    array: fc.array(fc.oneof(scalar, fc.array(scalar, { maxLength: 3 })), { maxLength: 12 }),
    object: fc.dictionary(text(3).filter((key) => key !== ""), tie("value"), { maxKeys: 6 })
  })
)

const signable = fc.record({
  apiKey: fc.string({ minLength: 1, maxLength: 40 }),
  nonce: fc.string({ maxLength: 20 }),
  method: fc.constantFrom("GET", "POST", "get", "post"),
  url: fc.webUrl({ withQueryParameters: false, withFragments: false }),
  params: jsonObject
})

// mulberry32: a seeded generator so that a failing shuffle can be replayed.
const seeded = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const shuffle = <A>(items: ReadonlyArray<A>, random: () => number): Array<A> => {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const tmp = out[i] as A
    out[i] = out[j] as A
    out[j] = tmp
  }
  return out
}

// Reorders object keys at every depth; array elements keep their order.
const shuffleDeep = (value: Json, random: () => number): Json =>
  Array.isArray(value)
    ? value.map((element: Json) => shuffleDeep(element, random))
    : isObject(value)
    ? Object.fromEntries(shuffle(Object.entries(value), random).map(([k, v]) => [k, shuffleDeep(v, random)]))
    : value

type Path = ReadonlyArray<string | number>

const leafPaths = (value: Json, path: Path = []): Array<Path> =>
  Array.isArray(value)
    ? value.flatMap((element: Json, i: number) => leafPaths(element, [...path, i]))
    : isObject(value)
    ? Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...path, k]))
    : [path]

const replaceAt = (value: Json, path: Path, replace: (old: Json) => Json): Json => {
  const [head, ...rest] = path
  if (head === undefined) return replace(value)
  if (Array.isArray(value)) {
    return value.map((element: Json, i: number) => (i === head ? replaceAt(element, rest, replace) : element))
  }
  if (isObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === head ? replaceAt(v, rest, replace) : v]))
  }
  return value
}

// The reference formulation of authy-api.md §3, written independently: flatten
// with indices (zero-padded, so that they compare numerically), sort the full
// encoded keys, then print indices as `[]`.
const refEncode = (s: string): string =>
  encodeURIComponent(s)
    .replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, "+")

const refCanonical = (params: { readonly [key: string]: Json }): string => {
  const leaves: Array<{ sortKey: string; piece: string }> = []
  const walk = (value: Json, sortKey: string, key: string): void => {
    if (Array.isArray(value)) {
      value.forEach((element: Json, i: number) =>
        walk(element, `${sortKey}%5B${String(i).padStart(8, "0")}%5D`, `${key}%5B%5D`)
      )
    } else if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        walk(v, `${sortKey}%5B${refEncode(k)}%5D`, `${key}%5B${refEncode(k)}%5D`)
      }
    } else {
      leaves.push({ sortKey, piece: `${key}=${refEncode(value === null ? "" : String(value))}` })
    }
  }
  for (const [k, v] of Object.entries(params)) walk(v, refEncode(k), refEncode(k))
  return leaves
    .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))
    .map((leaf) => leaf.piece)
    .join("&")
}

describe("properties", () => {
  it.prop("agrees with the documented flatten-sort-rewrite formulation", [jsonObject], ([params]) => {
    expect(canonicalParams(params)).toBe(refCanonical(params))
  })

  it.prop(
    "shuffling key order (recursively) never changes the signature",
    [signable, fc.integer()],
    ([input, seed]) => {
      const shuffled = shuffleDeep(input.params, seeded(seed))
      expect(computeSignature({ ...input, params: shuffled })).toBe(computeSignature(input))
    }
  )

  it.prop("changing any scalar value changes the signature", [signable, fc.nat()], ([input, pick]) => {
    const paths = leafPaths(input.params)
    fc.pre(paths.length > 0)
    const path = paths[pick % paths.length] ?? []
    const params = replaceAt(input.params, path, (old) => `${String(old)}x`)
    expect(computeSignature({ ...input, params })).not.toBe(computeSignature(input))
  })

  it.prop("changing the nonce changes the signature", [signable, fc.string({ maxLength: 20 })], ([input, nonce]) => {
    fc.pre(nonce !== input.nonce)
    expect(computeSignature({ ...input, nonce })).not.toBe(computeSignature(input))
  })

  it.prop(
    "changing the method changes the signature",
    [signable, fc.constantFrom("GET", "POST", "PUT", "delete")],
    ([input, method]) => {
      fc.pre(method.toUpperCase() !== input.method.toUpperCase())
      expect(computeSignature({ ...input, method })).not.toBe(computeSignature(input))
    }
  )

  it.prop(
    "changing the URL changes the signature",
    [signable, fc.webUrl({ withQueryParameters: false, withFragments: false })],
    ([input, url]) => {
      fc.pre(url !== input.url)
      expect(computeSignature({ ...input, url })).not.toBe(computeSignature(input))
    }
  )

  it.prop("a GET query round-trips to the same canonical string", [queryObject], ([params]) => {
    const canonical = canonicalParams(params)
    expect(canonicalFromQueryString(canonical)).toBe(canonical)
  })

  it.prop("validateSignature accepts what computeSignature produces", [signable], ([input]) => {
    const signature = computeSignature(input)
    expect(validateSignature({ ...input, signature })).toBe(true)
    expect(validateSignature({ ...input, apiKey: Redacted.make(input.apiKey), signature })).toBe(true)
  })

  it.prop(
    "a one-character change in the signature is rejected",
    [signable, fc.nat(), fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=")],
    ([input, pick, replacement]) => {
      const signature = computeSignature(input)
      const i = pick % signature.length
      fc.pre(signature[i] !== replacement)
      const tampered = `${signature.slice(0, i)}${replacement}${signature.slice(i + 1)}`
      expect(validateSignature({ ...input, signature: tampered })).toBe(false)
    }
  )

  it.prop(
    "garbage signatures give false, not an exception",
    [signable, fc.oneof(fc.string({ maxLength: 100 }), fc.base64String({ maxLength: 60 }))],
    ([input, signature]) => {
      fc.pre(signature !== computeSignature(input))
      expect(validateSignature({ ...input, signature })).toBe(false)
    }
  )
})

describe("hostile depth (parameters come from the network)", () => {
  const deepName = (levels: number) => `a${"[b]".repeat(levels)}`

  it("a query key nested 20,000 levels is read as one literal name, not 20,000 objects", () => {
    const parsed = parseQuery(`${deepName(20_000)}=1`)
    expect(Object.keys(parsed)).toEqual([deepName(20_000)])
    expect(parsed[deepName(20_000)]).toBe("1")
    expect(canonicalFromQueryString(`${deepName(20_000)}=1`)).toMatch(/^a%5Bb%5D.*=1$/)
  })

  it("31 nested segments are still read as structure", () => {
    let node: unknown = parseQuery(`${deepName(31)}=1`)
    for (let i = 0; i < 31; i++) node = (node as Record<string, unknown>)[i === 0 ? "a" : "b"]
    expect((node as Record<string, unknown>).b).toBe("1")
    expect(Object.keys(parseQuery(`${deepName(32)}=1`))).toEqual([deepName(32)])
  })

  it("a body nested 10,000 levels deep is refused, and never validates", () => {
    let deep: Record<string, unknown> = { leaf: "1" }
    for (let i = 0; i < 10_000; i++) deep = { b: deep }
    expect(() => canonicalParams({ a: deep })).toThrow(RangeError)
    expect(validateSignature({ apiKey: "key", nonce: "1", method: "POST", url: "https://x.test/cb", params: { a: deep }, signature: "x" })).toBe(false)
    let shallow: Record<string, unknown> = { leaf: "1" }
    for (let i = 0; i < 30; i++) shallow = { b: shallow }
    expect(canonicalParams({ a: shallow })).toMatch(/=1$/)
  })
})
