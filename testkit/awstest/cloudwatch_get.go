package awstest

import (
	"fmt"
	"io"
	"math/big"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// MetricQuery is one MetricDataQuery (a MetricStat) received by GetMetricData.
type MetricQuery struct {
	ID, Namespace, MetricName, Stat, Unit string
	Dimensions                            map[string]string
	Period                                int64
}

// MetricResult is the answer to one MetricQuery.
type MetricResult struct {
	Timestamps []time.Time
	Values     []float64
}

// GetMetricDataCall is one GetMetricData request received by [CloudWatch].
type GetMetricDataCall struct {
	Start, End time.Time
	Queries    []MetricQuery
	// ScanBy is the request's ScanBy, "" when it had none.
	ScanBy string
	// MaxDatapoints is the request's MaxDatapoints, 0 when it had none.
	MaxDatapoints int64
	// NextToken is the request's NextToken, "" on a first page.
	NextToken string
}

// Values of GetMetricData's ScanBy.
const (
	scanDescending = "TimestampDescending"
	scanAscending  = "TimestampAscending"
)

// defaultMaxDatapoints is GetMetricData's default MaxDatapoints.
const defaultMaxDatapoints = 100_800

// SetMetricData makes GetMetricData answer each query with what answer
// returns, as given (order and all), instead of from the stored data. The
// results are still split into pages by MaxDatapoints.
func (c *CloudWatch) SetMetricData(answer func(q MetricQuery) MetricResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.answer = answer
}

// GetMetricDataCalls returns the GetMetricData requests served so far
// (not those answered with an injected fault: see [CloudWatch.RejectedGets]).
func (c *CloudWatch) GetMetricDataCalls() []GetMetricDataCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]GetMetricDataCall(nil), c.gmd...)
}

// Seed stores data for GetMetricData as if a PutMetricData request had
// carried it, without checking the API's limits and without recording a
// call: Calls and Datums do not list it. Each datum's Namespace must be set;
// a zero Timestamp means now.
func (c *CloudWatch) Seed(data ...Datum) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.storeLocked(data, time.Now())
}

// sample is a datum as GetMetricData sees it.
type sample struct {
	Datum
	// at is where CloudWatch files the datum: its Timestamp (the time it
	// was received when it had none), truncated to the minute unless its
	// StorageResolution is 1 (high resolution).
	at time.Time
}

func (c *CloudWatch) storeLocked(data []Datum, received time.Time) {
	for _, d := range data {
		at := d.Timestamp
		if at.IsZero() {
			at = received
		}
		if d.StorageResolution != 1 {
			at = at.Truncate(time.Minute)
		}
		c.stored = append(c.stored, sample{Datum: d, at: at})
	}
}

var (
	queryIDRE    = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)
	percentileRE = regexp.MustCompile(`^p([0-9]{1,3}(\.[0-9]+)?)$`)
)

// getMetricData serves GetMetricData. Without a SetMetricData callback, it
// answers each MetricStat query from the stored data the way CloudWatch
// does:
//
//   - The data are the datums whose namespace and metric name are the
//     query's and whose dimension set is exactly the query's (same names,
//     same values, no more, no fewer); when the query names a Unit, only
//     datums published with that unit ("None" when they had none).
//   - StartTime is rounded down as CloudWatch rounds it for recent data: to
//     the minute for a Period of 60 s or more, to a multiple of the Period
//     for 1, 5, 10 and 30 s. EndTime is exclusive.
//   - There is one datapoint per bucket [start + k·Period, start + (k+1)·Period),
//     clipped to EndTime, that holds data; its timestamp is the bucket's
//     start. Empty buckets have no datapoint.
//   - The statistic is computed over every sample in the bucket. A Value
//     is one sample; Values/Counts count each Values[i] Counts[i] times
//     (once when Counts is absent); a StatisticValues set adds its
//     SampleCount, Sum, Minimum and Maximum.
//   - Sum, SampleCount, Average (Sum/SampleCount), Minimum and Maximum are
//     supported, and percentiles pNN or pNN.NNN from p0 to p100, by the
//     nearest-rank rule: with N samples, pX is the smallest sample value v
//     such that at least X/100·N samples are <= v (computed in exact
//     arithmetic, so p99.9 of 1..1000 is 999); p0 is the minimum. As in
//     CloudWatch, a bucket has no percentile when a sample is negative or
//     a statistic set summarizes more than one sample (or one whose
//     Minimum, Maximum and Sum differ). Other statistics (tm99, IQM…) get
//     an InvalidParameterValue fault naming them.
//   - Datapoints are ordered by ScanBy: TimestampDescending (the default,
//     newest first) or TimestampAscending.
//   - Retention is modelled for high-resolution data only, and only once
//     [CloudWatch.ModelRetention] gave the server a clock: a query with a
//     Period under 60 s then sees only the samples of the last 3 hours,
//     as CloudWatch keeps sub-minute data that long. The coarser
//     resolutions of older data are not modelled.
//
// A query without a MetricStat (an Expression or a Metrics Insights query)
// gets an InvalidParameterValue fault: they are not implemented.
//
// Both kinds of answer are split into pages of at most MaxDatapoints
// datapoints (default 100,800), counted across queries in query order; every
// page lists every query, with StatusCode PartialData while it has
// datapoints on later pages, and a NextToken leads to the next page.
func (c *CloudWatch) getMetricData(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		cborFault(w, 400, "InvalidParameterValue", err.Error())
		return
	}
	call, err := decodeGetMetricData(raw)
	if err != nil {
		cborFault(w, 400, "InvalidParameterValue", err.Error())
		return
	}
	offset := 0
	if call.NextToken != "" {
		n, ok := strings.CutPrefix(call.NextToken, "awstest-")
		if offset, err = strconv.Atoi(n); !ok || err != nil || offset <= 0 {
			cborFault(w, 400, "InvalidNextToken", "the NextToken is not one this server returned")
			return
		}
	}
	c.mu.Lock()
	if f := c.injectedGetLocked(call); f != nil {
		c.mu.Unlock()
		cborFault(w, f.Status, f.Code, f.Message)
		return
	}
	c.gmd = append(c.gmd, call)
	answer := c.answer
	stored := c.stored
	clock := c.clock
	c.mu.Unlock()

	results := make([]MetricResult, len(call.Queries))
	for i, q := range call.Queries {
		if answer != nil {
			results[i] = answer(q)
			continue
		}
		res, err := aggregate(retained(stored, q, clock), q, call.Start, call.End)
		if err != nil {
			cborFault(w, 400, "InvalidParameterValue", fmt.Sprintf("MetricDataQueries[%d] (Id %s): %v", i, q.ID, err))
			return
		}
		if call.ScanBy != scanAscending {
			slices.Reverse(res.Timestamps)
			slices.Reverse(res.Values)
		}
		results[i] = res
	}
	limit := int(call.MaxDatapoints)
	if limit == 0 {
		limit = defaultMaxDatapoints
	}
	body, next := page(call.Queries, results, offset, limit)
	if next > 0 {
		body["NextToken"] = cbor.String("awstest-" + strconv.Itoa(next))
	}
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	_, _ = w.Write(cbor.Encode(body))
}

// page encodes the datapoints [offset, offset+limit) of results, counted
// across queries in order, and returns the offset of the next page (0 when
// this is the last one).
func page(queries []MetricQuery, results []MetricResult, offset, limit int) (cbor.Map, int) {
	list := cbor.List{}
	first, total := 0, 0
	for i, q := range queries {
		res := results[i]
		n := min(len(res.Timestamps), len(res.Values))
		lo := min(max(offset-first, 0), n)
		hi := min(max(offset+limit-first, 0), n)
		ts, vs := cbor.List{}, cbor.List{}
		for j := lo; j < hi; j++ {
			ts = append(ts, &cbor.Tag{ID: 1, Value: cbor.Float64(float64(res.Timestamps[j].UnixMilli()) / 1e3)})
			vs = append(vs, cbor.Float64(res.Values[j]))
		}
		status := "Complete"
		if hi < n {
			status = "PartialData"
		}
		list = append(list, cbor.Map{"Id": cbor.String(q.ID), "Label": cbor.String(q.MetricName),
			"StatusCode": cbor.String(status), "Timestamps": ts, "Values": vs})
		first += n
		total += n
	}
	next := 0
	if offset+limit < total {
		next = offset + limit
	}
	return cbor.Map{"MetricDataResults": list, "Messages": cbor.List{}}, next
}

// alignStart rounds a query's StartTime down as CloudWatch does for data
// less than 15 days old.
func alignStart(start time.Time, period int64) time.Time {
	if period >= 60 {
		return start.Truncate(time.Minute)
	}
	return start.Truncate(time.Duration(period) * time.Second)
}

// HighResolutionRetention is how long CloudWatch answers queries with a
// Period under 60 s: it keeps such data points for 3 hours.
const HighResolutionRetention = 3 * time.Hour

// ModelRetention makes GetMetricData forget high-resolution data as
// CloudWatch does: a query with a Period under 60 s sees only the samples
// of the HighResolutionRetention before now(). Without it, every sample is
// kept at every resolution.
func (c *CloudWatch) ModelRetention(now func() time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clock = now
}

// retained returns the samples a query of q's Period still sees by clock:
// all of them without a clock or for a Period of a minute or more, those
// of the last HighResolutionRetention otherwise.
func retained(data []sample, q MetricQuery, clock func() time.Time) []sample {
	if clock == nil || q.Period >= 60 {
		return data
	}
	cut := clock().Add(-HighResolutionRetention)
	var out []sample
	for _, d := range data {
		if !d.at.Before(cut) {
			out = append(out, d)
		}
	}
	return out
}

// aggregate answers q from data over [start, end) (see getMetricData).
func aggregate(data []sample, q MetricQuery, start, end time.Time) (MetricResult, error) {
	var res MetricResult
	stat, err := parseStat(q.Stat)
	if err != nil {
		return res, err
	}
	start = alignStart(start, q.Period)
	period := time.Duration(q.Period) * time.Second
	buckets := map[int64]*bucket{}
	for _, d := range data {
		if d.at.Before(start) || !d.at.Before(end) || !matches(d.Datum, q) {
			continue
		}
		k := int64(d.at.Sub(start) / period)
		b := buckets[k]
		if b == nil {
			b = &bucket{}
			buckets[k] = b
		}
		b.add(d.Datum)
	}
	keys := make([]int64, 0, len(buckets))
	for k := range buckets {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if v, ok := buckets[k].value(stat); ok {
			res.Timestamps = append(res.Timestamps, start.Add(time.Duration(k)*period))
			res.Values = append(res.Values, v)
		}
	}
	return res, nil
}

// matches reports whether d is a datum of the metric q asks for.
func matches(d Datum, q MetricQuery) bool {
	if d.Namespace != q.Namespace || d.MetricName != q.MetricName || len(d.Dimensions) != len(q.Dimensions) {
		return false
	}
	for k, v := range q.Dimensions {
		if got, ok := d.Dimensions[k]; !ok || got != v {
			return false
		}
	}
	if q.Unit == "" {
		return true
	}
	unit := d.Unit
	if unit == "" {
		unit = "None"
	}
	return unit == q.Unit
}

// statistic is a parsed Stat: a name, or a percentile in [0, 100].
type statistic struct {
	name string
	pct  *big.Rat // non-nil for a percentile
}

func parseStat(s string) (statistic, error) {
	switch s {
	case "Sum", "SampleCount", "Average", "Minimum", "Maximum":
		return statistic{name: s}, nil
	}
	if m := percentileRE.FindStringSubmatch(s); m != nil {
		p, ok := new(big.Rat).SetString(m[1])
		if ok && p.Cmp(big.NewRat(100, 1)) <= 0 {
			return statistic{name: s, pct: p}, nil
		}
	}
	return statistic{}, fmt.Errorf("statistic %q is not implemented by awstest (use Sum, SampleCount, Average, Minimum, Maximum or p0 to p100)", s)
}

// bucket accumulates the samples of one period.
type bucket struct {
	n, sum, min, max float64
	// points are the individual samples (value, count), for percentiles.
	points []point
	// noPercentile is set when a sample rules percentiles out.
	noPercentile bool
}

type point struct{ value, count float64 }

func (b *bucket) addSamples(v, count float64) {
	if count <= 0 {
		return
	}
	if b.n == 0 || v < b.min {
		b.min = v
	}
	if b.n == 0 || v > b.max {
		b.max = v
	}
	b.n += count
	b.sum += v * count
	b.points = append(b.points, point{v, count})
	if v < 0 {
		b.noPercentile = true
	}
}

func (b *bucket) add(d Datum) {
	switch {
	case d.Value != nil:
		b.addSamples(*d.Value, 1)
	case d.StatisticValues != nil:
		s := d.StatisticValues
		if s.SampleCount == 1 && s.Minimum == s.Maximum && s.Sum == s.Minimum {
			b.addSamples(s.Sum, 1)
			return
		}
		if b.n == 0 || s.Minimum < b.min {
			b.min = s.Minimum
		}
		if b.n == 0 || s.Maximum > b.max {
			b.max = s.Maximum
		}
		b.n += s.SampleCount
		b.sum += s.Sum
		b.noPercentile = true
	default:
		for i, v := range d.Values {
			count := 1.0
			if d.Counts != nil {
				count = d.Counts[i]
			}
			b.addSamples(v, count)
		}
	}
}

// value returns the statistic over the bucket, false when it has none.
func (b *bucket) value(s statistic) (float64, bool) {
	if b.n == 0 {
		return 0, false
	}
	switch s.name {
	case "Sum":
		return b.sum, true
	case "SampleCount":
		return b.n, true
	case "Average":
		return b.sum / b.n, true
	case "Minimum":
		return b.min, true
	case "Maximum":
		return b.max, true
	}
	if b.noPercentile {
		return 0, false
	}
	return nearestRank(b.points, s.pct), true
}

// nearestRank returns the smallest value v such that the samples <= v are at
// least pct/100 of all samples. points is sorted in place.
func nearestRank(points []point, pct *big.Rat) float64 {
	sort.Slice(points, func(i, j int) bool { return points[i].value < points[j].value })
	n := new(big.Rat)
	for _, p := range points {
		n.Add(n, new(big.Rat).SetFloat64(p.count))
	}
	target := new(big.Rat).Mul(n, pct)
	target.Quo(target, big.NewRat(100, 1))
	cum := new(big.Rat)
	for _, p := range points {
		cum.Add(cum, new(big.Rat).SetFloat64(p.count))
		if cum.Cmp(target) >= 0 {
			return p.value
		}
	}
	return points[len(points)-1].value
}

func decodeGetMetricData(raw []byte) (GetMetricDataCall, error) {
	var call GetMetricDataCall
	v, err := cbor.Decode(raw)
	if err != nil {
		return call, fmt.Errorf("decode CBOR: %w", err)
	}
	m, _ := v.(cbor.Map)
	if call.Start, err = cbor.AsTime(m["StartTime"]); err != nil {
		return call, fmt.Errorf("StartTime: %w", err)
	}
	if call.End, err = cbor.AsTime(m["EndTime"]); err != nil {
		return call, fmt.Errorf("EndTime: %w", err)
	}
	if !call.Start.Before(call.End) {
		return call, fmt.Errorf("the parameter StartTime must be less than the parameter EndTime")
	}
	if s, ok := m["ScanBy"].(cbor.String); ok {
		if call.ScanBy = string(s); s != scanDescending && s != scanAscending {
			return call, fmt.Errorf("ScanBy %q: must be %s or %s", s, scanDescending, scanAscending)
		}
	}
	if md, ok := m["MaxDatapoints"]; ok {
		if call.MaxDatapoints, err = cbor.AsInt64(md); err != nil || call.MaxDatapoints < 1 {
			return call, fmt.Errorf("MaxDatapoints must be a positive integer")
		}
	}
	if t, ok := m["NextToken"].(cbor.String); ok {
		call.NextToken = string(t)
	}
	list, _ := m["MetricDataQueries"].(cbor.List)
	if len(list) == 0 || len(list) > 500 {
		return call, fmt.Errorf("MetricDataQueries has %d queries, want 1 to 500", len(list))
	}
	ids := map[string]bool{}
	for i, item := range list {
		qm, _ := item.(cbor.Map)
		id, _ := qm["Id"].(cbor.String)
		if !queryIDRE.MatchString(string(id)) {
			return call, fmt.Errorf("MetricDataQueries[%d].Id %q: must start with a lower-case letter", i, id)
		}
		if ids[string(id)] {
			return call, fmt.Errorf("MetricDataQueries[%d].Id %q: duplicate Id", i, id)
		}
		ids[string(id)] = true
		ms, ok := qm["MetricStat"].(cbor.Map)
		if !ok {
			return call, fmt.Errorf("MetricDataQueries[%d] (Id %s) has no MetricStat: awstest serves MetricStat queries only, not Expression or Metrics Insights queries", i, id)
		}
		mt, _ := ms["Metric"].(cbor.Map)
		q := MetricQuery{ID: string(id), Dimensions: map[string]string{}}
		ns, _ := mt["Namespace"].(cbor.String)
		name, _ := mt["MetricName"].(cbor.String)
		stat, _ := ms["Stat"].(cbor.String)
		unit, _ := ms["Unit"].(cbor.String)
		q.Namespace, q.MetricName, q.Stat, q.Unit = string(ns), string(name), string(stat), string(unit)
		if q.Period, err = cbor.AsInt64(ms["Period"]); err != nil {
			return call, fmt.Errorf("MetricDataQueries[%d].MetricStat.Period: %w", i, err)
		}
		if p := q.Period; p != 1 && p != 5 && p != 10 && p != 30 && (p <= 0 || p%60 != 0) {
			return call, fmt.Errorf("MetricDataQueries[%d].MetricStat.Period %d: must be 1, 5, 10, 30 or a multiple of 60", i, p)
		}
		if q.Namespace == "" || q.MetricName == "" || q.Stat == "" {
			return call, fmt.Errorf("MetricDataQueries[%d]: Namespace, MetricName and Stat are required", i)
		}
		dims, _ := mt["Dimensions"].(cbor.List)
		for _, dv := range dims {
			dm, _ := dv.(cbor.Map)
			n, _ := dm["Name"].(cbor.String)
			val, _ := dm["Value"].(cbor.String)
			q.Dimensions[string(n)] = string(val)
		}
		call.Queries = append(call.Queries, q)
	}
	return call, nil
}
