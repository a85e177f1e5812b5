package catalog

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// ServerlessPricePerGBSecond is the built-in on-demand price of SageMaker
// Serverless Inference compute in PriceRegion: USD per second of a
// request's duration per GB (1,024 MB) of the endpoint's configured memory,
// so a 2,048 MB endpoint costs twice this per second of each request. Data
// processed (per GB in and out) and provisioned concurrency are billed on
// top and not included.
//
// UNVERIFIED (see ServerlessPriceSource): no copy of the AWS pricing page
// could be read when this was written; 0.00002 is the figure the page has
// long listed for 1,024 MB ($0.0000200 per second, rising linearly to
// $0.0001200 for 6,144 MB), as remembered, not as read. Override it with
// the config's serverlessPricePerGBSecond.
const ServerlessPricePerGBSecond = 0.00002

// ServerlessPriceSource says where ServerlessPricePerGBSecond comes from.
const ServerlessPriceSource = "UNVERIFIED: not found in any copy of the Amazon SageMaker AI pricing page " +
	"(https://aws.amazon.com/sagemaker-ai/pricing/, Serverless Inference, us-east-1) read on " + ServerlessPriceDate +
	"; the long-listed $0.0000200 per second for 1024 MB, as remembered; override serverlessPricePerGBSecond"

// ServerlessPriceDate is when the serverless price was last looked for.
const ServerlessPriceDate = "2026-11-27"

// ServerlessCost is what a serverless variant of memoryMB costs at a
// price per GB-second (ServerlessPricePerGBSecond unless configured).
type ServerlessCost struct {
	MemoryMB    int
	PerGBSecond float64
}

// PerSecond is the price of one second of one request.
func (c ServerlessCost) PerSecond() float64 {
	return float64(c.MemoryMB) / 1024 * c.PerGBSecond
}

// PerMillion is the compute cost of one million invocations that each
// last mean.
func (c ServerlessCost) PerMillion(mean time.Duration) float64 {
	return 1e6 * mean.Seconds() * c.PerSecond()
}

// PerHourAtConcurrency is the compute cost of an hour in which concurrency
// requests run at every moment: the ceiling of an endpoint whose
// maxConcurrency is concurrency.
func (c ServerlessCost) PerHourAtConcurrency(concurrency int) float64 {
	return 3600 * float64(concurrency) * c.PerSecond()
}

// CheckServerlessPrice reports a configured price per GB-second that is not
// a positive finite number.
func CheckServerlessPrice(p float64) error {
	if !(p > 0) || math.IsInf(p, 0) {
		return fmt.Errorf("must be a positive price in USD per GB-second, e.g. %s, got %v", strconv.FormatFloat(ServerlessPricePerGBSecond, 'f', -1, 64), p)
	}
	return nil
}
