// Package loadgen is the engine behind cmd/loadgen: an open-model load
// generator for SageMaker endpoints and SageMaker-contract containers.
//
// A [Pacer], built from a load plan ([NewPacer] of a loadplan.Plan), decides
// when each request is due; [Run] sends it at that time through a [Target],
// measures its latency from the time it was due (not from the time it was
// actually sent, so a slow server or a saturated generator cannot hide
// latency: no coordinated omission), and records every result in
// HdrHistograms from a single goroutine. Every interval is written as one JSON
// line, optionally shown on a terminal and published to CloudWatch as a raw
// distribution (Values/Counts) so that percentiles can be computed across any
// number of generators without ever averaging percentiles. Publishing never
// delays the summary: it runs on its own goroutine with retries, and at the
// end it drains within Options.Drain after the summary is written, then
// reports what it could not publish ([PublishReport]).
//
// A [StreamTarget] (an LLM endpoint through InvokeEndpointWithResponseStream,
// or a container's streamed /invocations) is measured per token as well:
// time to first token from the due time, every inter-token gap, TPOT and
// output tokens go into their own HdrHistograms, published as
// Values/Counts like the latency, with the goodput against an [SLO].
// A [PoissonPacer] turns any plan into seeded Poisson arrivals.
//
// A closed-loop mode (a fixed number of workers, each sending its next request
// when the previous one returns) is provided only to compare with tools that
// work that way; its output is labelled [ModeClosedLoop] everywhere because its
// latencies are understated whenever the server slows down.
package loadgen
