package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	hdrhistogram "github.com/HdrHistogram/hdrhistogram-go"
)

// outputs writes every interval and the summary of a test: a JSON line on
// Output, a line on Progress, the interval's histogram in the .hlog and, by
// way of its publication, to CloudWatch. It keeps the first write error.
type outputs struct {
	enc      *json.Encoder
	progress io.Writer
	hlog     *hdrhistogram.HistogramLogWriter
	pub      *publication // nil when nothing is published
	err      error
}

// newOutputs opens the outputs of o for a test that started at start: it
// writes the .hlog's header and starts the publication.
func newOutputs(ctx context.Context, o *Options, start time.Time, mode string) *outputs {
	out := &outputs{enc: json.NewEncoder(o.Output), progress: o.Progress}
	if o.Publisher != nil {
		out.pub = startPublication(ctx, o)
	}
	if o.HLog != nil {
		h := hdrhistogram.NewHistogramLogWriter(o.HLog)
		h.SetBaseTime(start.UnixMilli())
		out.err = errors.Join(h.OutputLogFormatVersion(), h.OutputComment("loadgen latency in microseconds, test "+o.TestID+", mode "+mode),
			h.OutputStartTime(start.UnixMilli()), h.OutputBaseTime(start.UnixMilli()), h.OutputLegend())
		out.hlog = h
	}
	return out
}

// keep records err as the outputs' error unless one is already recorded.
func (out *outputs) keep(what string, err error) {
	if err != nil && out.err == nil {
		out.err = fmt.Errorf("write %s: %w", what, err)
	}
}

// interval writes the interval s, whose histogram is h.
func (out *outputs) interval(s *Stats, h *hdrhistogram.Histogram) {
	out.keep("interval", out.enc.Encode(s))
	if out.progress != nil {
		fmt.Fprintln(out.progress, progressLine(s))
	}
	if out.hlog != nil {
		out.keep("hlog", out.hlog.OutputIntervalHistogramWithLogOptions(h, nil))
	}
	out.pub.send(*s, h)
}

// summary writes the summary line (and its progress line).
func (out *outputs) summary(sum *Summary) {
	out.keep("summary", out.enc.Encode(sum))
	if out.progress != nil {
		fmt.Fprintln(out.progress, progressLine(&sum.Stats))
	}
}

// publishReport writes the publish line, the last line of a test that
// publishes: what reached CloudWatch once the drain ended.
func (out *outputs) publishReport(r *PublishReport) {
	out.keep("publish report", out.enc.Encode(r))
}
