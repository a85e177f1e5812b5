package config

import (
	"sort"
	"strings"

	"github.com/sagesize/sagesize/cwcost"
)

// CloudWatchRates are cwcost's default CloudWatch rates with the config's
// cloudwatchPrices applied (validated by Validate), for `sagesize summary`.
func (c *Config) CloudWatchRates() cwcost.Rates {
	r, err := cwcost.DefaultRates().Override(c.CloudWatchPrices)
	if err != nil {
		return cwcost.DefaultRates() // Validate reported it
	}
	return r
}

// validateCloudWatchPrices checks every cloudwatchPrices entry: a rate
// name `sagesize summary --rate` knows (the closest one suggested) and a
// finite price ≥ 0.
func (c *Config) validateCloudWatchPrices(add func(path, format string, args ...any)) {
	names := make([]string, 0, len(c.CloudWatchPrices))
	for n := range c.CloudWatchPrices {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := cwcost.DefaultRates().Override(map[string]float64{n: c.CloudWatchPrices[n]}); err != nil {
			// cwcost says "rate NAME: ..."; the path already names it.
			msg := err.Error()
			if _, rest, ok := strings.Cut(msg, ": "); ok {
				msg = rest
			}
			add("cloudwatchPrices."+n, "%s", msg)
		}
	}
}
