/**
 * Path patterns of scripted faults: `*` stands for any characters within one
 * segment, `**` for anything; the rest is literal.
 *
 * Matched by simulating the pattern as an automaton over the path, one step
 * per character, instead of a regular expression: a backtracking regex built
 * from `*a*a*a…` can take exponential time on a path that almost matches, and
 * one such fault would stall every application's requests.
 *
 * @since 0.1.0
 */

/**
 * The longest pattern accepted.
 *
 * @since 0.1.0
 * @category limits
 */
export const maxPatternLength = 256

/**
 * Paths longer than this are never matched (no Authy path comes close), so
 * a match costs at most `maxPatternLength × maxPathLength` steps.
 *
 * @since 0.1.0
 * @category limits
 */
export const maxPathLength = 2048

type Token = { readonly kind: "literal"; readonly char: string } | { readonly kind: "star" | "globstar" }

/**
 * A compiled pattern.
 *
 * @since 0.1.0
 * @category models
 */
export interface PathPattern {
  readonly tokens: ReadonlyArray<Token>
}

/**
 * Compiles a pattern; the caller checks its length first.
 *
 * @since 0.1.0
 * @category constructors
 */
export const compile = (pattern: string): PathPattern => {
  const tokens: Array<Token> = []
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] !== "*") {
      tokens.push({ kind: "literal", char: pattern[i]! })
    } else if (pattern[i + 1] === "*") {
      tokens.push({ kind: "globstar" })
      i += 1
    } else {
      tokens.push({ kind: "star" })
    }
  }
  return { tokens }
}

/** Wildcards match the empty string: a reached wildcard also reaches what follows it. */
const close = (tokens: ReadonlyArray<Token>, states: Uint8Array): void => {
  for (let i = 0; i < tokens.length; i++) {
    if (states[i] === 1 && tokens[i]!.kind !== "literal") states[i + 1] = 1
  }
}

/**
 * Whether `path` (without its query) matches the whole pattern.
 *
 * @since 0.1.0
 * @category matching
 */
export const matches = (pattern: PathPattern, path: string): boolean => {
  if (path.length > maxPathLength) return false
  const { tokens } = pattern
  let states = new Uint8Array(tokens.length + 1)
  states[0] = 1
  close(tokens, states)
  for (let j = 0; j < path.length; j++) {
    const char = path[j]!
    const next = new Uint8Array(tokens.length + 1)
    for (let i = 0; i < tokens.length; i++) {
      if (states[i] !== 1) continue
      const token = tokens[i]!
      if (token.kind === "literal") {
        if (token.char === char) next[i + 1] = 1
      } else if (token.kind === "globstar" || char !== "/") {
        next[i] = 1
      }
    }
    close(tokens, next)
    states = next
  }
  return states[tokens.length] === 1
}
