/**
 * Decoding an answer body at a fraction of `Schema.decodeUnknownEither`'s
 * cost, to the very same value.
 *
 * Why. The response Schemas rename snake_case keys to camelCase and end in a
 * `Schema.Class`; decoding a `users/{id}/status` answer that way took about
 * 30 µs per call (bench/micro/endpoints.ts), more than everything else
 * effect-authy does for the call. Schema's parser is general: every step
 * returns an `Either`, every property a closure call, every rename an
 * `Option` and a `delete`.
 *
 * How. Once per Schema, its AST is compiled into a plain function that walks
 * the input and either returns exactly what Schema would return or gives up
 * (`fail`). The compiled parts follow `ParseResult`'s decoding node by node —
 * the same checks, the same property-signature transformations, the same
 * `Schema.Class` construction (the class's own `decode`) — and give up at the
 * first doubt: then the Schema's own decoder decodes the input, so errors and
 * any case this module does not know are Schema's, unchanged. A Schema with a
 * node this module does not handle (an index signature, a suspension, a
 * union of several object shapes…) is decoded by Schema alone.
 *
 * @internal
 */
import { Either, Option, ParseResult, Schema, SchemaAST as AST } from "effect"

const fail: unique symbol = Symbol("fail")
type Fast = (input: unknown) => unknown

/** The options `decodeUnknownEither` runs with by default. */
const parseOptions: AST.ParseOptions = {}

const hasOwn = (input: object, key: PropertyKey) => Object.prototype.hasOwnProperty.call(input, key)

const isRecord = (input: unknown): input is Record<PropertyKey, unknown> =>
  typeof input === "object" && input !== null && !Array.isArray(input)

/** The right of an `Either`, or `fail` for a left or anything that is not an `Either` (an effect). */
const rightOf = (result: unknown): unknown =>
  Either.isEither(result) && Either.isRight(result) ? result.right : fail

const isObjectShaped = (ast: AST.AST): boolean =>
  ast._tag === "TypeLiteral" || ast._tag === "Transformation" || ast._tag === "Declaration" ||
  (ast._tag === "Refinement" && isObjectShaped(ast.from))

/** Compiles the decoding of `ast`, or `undefined` when it holds a node not handled here. */
const compile = (ast: AST.AST): Fast | undefined => {
  switch (ast._tag) {
    case "StringKeyword":
      return (u) => (typeof u === "string" ? u : fail)
    case "NumberKeyword":
      return (u) => (typeof u === "number" ? u : fail)
    case "BooleanKeyword":
      return (u) => (typeof u === "boolean" ? u : fail)
    case "UndefinedKeyword":
      return (u) => (u === undefined ? u : fail)
    case "UnknownKeyword":
    case "AnyKeyword":
      return (u) => u
    case "Literal": {
      const literal = ast.literal
      return (u) => (u === literal ? u : fail)
    }
    case "Union":
      return compileUnion(ast)
    case "TupleType":
      return compileArray(ast)
    case "TypeLiteral":
      return compileTypeLiteral(ast)
    case "Refinement": {
      const from = compile(ast.from)
      if (from === undefined) return undefined
      return (u) => {
        const a = from(u)
        return a === fail || Option.isSome(ast.filter(a, parseOptions, ast)) ? fail : a
      }
    }
    case "Declaration": {
      const parse = ast.decodeUnknown(...ast.typeParameters)
      return (u) => rightOf(parse(u, parseOptions, ast))
    }
    case "Transformation":
      return compileTransformation(ast)
    default:
      return undefined
  }
}

/**
 * The first member that accepts the input. Schema may try the members in
 * another order (it indexes object members by their literal fields), so
 * unions in which two members could accept the same object are left to it.
 */
const compileUnion = (ast: AST.Union): Fast | undefined => {
  if (ast.types.filter(isObjectShaped).length > 1) return undefined
  const members: Array<Fast> = []
  for (const type of ast.types) {
    const member = compile(type)
    if (member === undefined) return undefined
    members.push(member)
  }
  return (u) => {
    for (const member of members) {
      const a = member(u)
      if (a !== fail) return a
    }
    return fail
  }
}

/** Arrays only (`Schema.Array`): no fixed elements, one rest type. */
const compileArray = (ast: AST.TupleType): Fast | undefined => {
  if (ast.elements.length !== 0 || ast.rest.length !== 1) return undefined
  const item = compile(ast.rest[0]!.type)
  if (item === undefined) return undefined
  return (u) => {
    if (!Array.isArray(u)) return fail
    const out: Array<unknown> = new Array(u.length)
    for (let i = 0; i < u.length; i++) {
      const a = item(u[i])
      if (a === fail) return fail
      out[i] = a
    }
    return out
  }
}

/** Known properties only, in the Schema's order; unknown ones are dropped, as Schema's default does. */
const compileTypeLiteral = (ast: AST.TypeLiteral): Fast | undefined => {
  if (ast.indexSignatures.length !== 0 || ast.propertySignatures.length === 0) return undefined
  const properties: Array<readonly [PropertyKey, boolean, Fast]> = []
  for (const ps of ast.propertySignatures) {
    const type = compile(ps.type)
    if (type === undefined) return undefined
    properties.push([ps.name, ps.isOptional, type])
  }
  return (u) => {
    if (!isRecord(u)) return fail
    const out: Record<PropertyKey, unknown> = {}
    for (const [name, isOptional, type] of properties) {
      if (isOptional && !hasOwn(u, name)) continue
      const a = type(u[name])
      if (a === fail) return fail
      out[name] = a
    }
    return out
  }
}

/**
 * From, then the transformation, then to: renames and defaults
 * (`Schema.fromKey`, `optionalWith`) apply their own `decode`; a final
 * transformation (a `Schema.Class`'s construction, `NumberFromString`) runs
 * its own `decode` and is taken only when it answers at once with a success.
 */
const compileTransformation = (ast: AST.Transformation): Fast | undefined => {
  const from = compile(ast.from)
  const to = compile(ast.to)
  if (from === undefined || to === undefined) return undefined
  const transformation = ast.transformation
  switch (transformation._tag) {
    case "TypeLiteralTransformation": {
      // The renames below work on the object `from` made, never on the input.
      if (ast.from._tag !== "TypeLiteral") return undefined
      const renames = transformation.propertySignatureTransformations
      // A rename onto another rename's source would chain in Schema's loop.
      if (renames.some((pst) => renames.some((other) => other !== pst && other.from === pst.to))) return undefined
      const renamed = new Set(renames.map((pst) => pst.from))
      const kept = ast.from.propertySignatures.map((ps) => ps.name).filter((name) => !renamed.has(name))
      // As Schema's own renaming (remove `from`, set `to` when the decoded
      // option is some), into a fresh object rather than with `delete`.
      return (u) => {
        const a = from(u)
        if (a === fail) return fail
        const decoded = a as Record<PropertyKey, unknown>
        const out: Record<PropertyKey, unknown> = {}
        for (const name of kept) if (hasOwn(decoded, name)) out[name] = decoded[name]
        for (const pst of renames) {
          const o = pst.decode(hasOwn(decoded, pst.from) ? Option.some(decoded[pst.from]) : Option.none())
          if (Option.isSome(o)) out[pst.to] = o.value
        }
        return to(out)
      }
    }
    case "FinalTransformation": {
      const decode = transformation.decode
      return (u) => {
        const a = from(u)
        if (a === fail) return fail
        const b = rightOf(decode(a, parseOptions, ast, u))
        return b === fail ? fail : to(b)
      }
    }
    default:
      return undefined
  }
}

/**
 * `Schema.decodeUnknownEither(schema)`, compiled for speed where the Schema
 * allows: same successes, same failures.
 *
 * @internal
 */
export const decoder = <A, I>(
  schema: Schema.Schema<A, I, never>
): (input: unknown) => Either.Either<A, ParseResult.ParseError> => {
  const slow = Schema.decodeUnknownEither(schema)
  const fast = compile(schema.ast)
  if (fast === undefined) return slow
  return (input) => {
    const a = fast(input)
    return a === fail ? slow(input) : Either.right(a as A)
  }
}

/**
 * Whether `schema` is decoded by the compiled path (for the tests: every
 * response Schema should be).
 *
 * @internal
 */
export const isCompiled = (schema: Schema.Schema.AnyNoContext): boolean => compile(schema.ast) !== undefined
