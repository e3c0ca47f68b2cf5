/**
 * Endpoint spans that cost nothing when no tracer is installed.
 *
 * @internal
 */
import { Context, DefaultServices, Effect, Option, Tracer } from "effect"

/** The tracer every fiber has until the application installs one (OpenTelemetry, say). */
const nativeTracer = Context.get(DefaultServices.liveServices, Tracer.Tracer)

/**
 * `Effect.fn(name)(body)`, minus what a call pays for nothing.
 *
 * With Effect's own tracer, spans go nowhere: no span is made at all (that is
 * two stack captures, a span object, a `WeakMap` entry and two clock reads per
 * call with `Effect.fn`). With any other tracer the call gets its span, without
 * a captured stack trace: the span name says which endpoint failed, and the
 * error says why.
 *
 * Annotations made by `body` ({@link annotate}) then land on the caller's
 * span, if any, which with Effect's own tracer is as unobservable as ours.
 *
 * @internal
 */
export const traced = <Args extends ReadonlyArray<unknown>, A, E>(
  name: string,
  body: (...args: Args) => Effect.Effect<A, E>
) =>
(...args: Args): Effect.Effect<A, E> =>
  Effect.tracerWith((tracer) =>
    tracer === nativeTracer ? body(...args) : Effect.withSpan(body(...args), name, { captureStackTrace: false })
  )

/**
 * `Effect.annotateCurrentSpan`, without its cost when there is no span: that
 * one looks the span up with an effect that fails, building an exception (and
 * capturing its stack) on every call.
 *
 * @internal
 */
export const annotate = (attributes: Readonly<Record<string, unknown>>): Effect.Effect<void> =>
  Effect.withFiberRuntime((fiber) => {
    const span = Context.getOption(fiber.currentContext, Tracer.ParentSpan)
    if (Option.isSome(span) && span.value._tag === "Span") {
      for (const key in attributes) span.value.attribute(key, attributes[key])
    }
    return Effect.void
  })
