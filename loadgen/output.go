package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
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

// publication publishes intervals on its own goroutine, so that a slow
// CloudWatch never delays recording (which would back up results and
// inflate latency). Its methods do nothing on a nil publication.
type publication struct {
	items chan publishItem
	wg    sync.WaitGroup
	logf  func(format string, args ...any)
	// published and failed are the loop's, read once it has ended;
	// skipped counts the intervals the full backlog refused.
	published, failed, skipped int
}

func startPublication(ctx context.Context, o *Options) *publication {
	p := &publication{items: make(chan publishItem, 64), logf: o.Logf}
	p.wg.Go(func() {
		o.Publisher.publishLoop(context.WithoutCancel(ctx), p.items, o.PublishTimeout, o.Logf, &p.failed, &p.published)
	})
	return p
}

// send queues an interval, or skips it when the backlog is full.
func (p *publication) send(s Stats, h *hdrhistogram.Histogram) {
	if p == nil {
		return
	}
	select {
	case p.items <- publishItem{stats: s, hist: h}:
	default:
		p.skipped++
		p.logf("cloudwatch: publisher backlog full, interval ending %s not published", s.End.Format(time.RFC3339))
	}
}

// close waits until every queued interval has been published (or failed).
func (p *publication) close() {
	if p == nil {
		return
	}
	close(p.items)
	p.wg.Wait()
}

// counts returns the intervals published and those that were not; call it
// after close.
func (p *publication) counts() (published, failed int) {
	if p == nil {
		return 0, 0
	}
	return p.published, p.failed + p.skipped
}
