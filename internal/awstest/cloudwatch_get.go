package awstest

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
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
}

// SetMetricData sets how GetMetricData answers each query (default: no data).
func (c *CloudWatch) SetMetricData(answer func(q MetricQuery) MetricResult) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.answer = answer
}

// GetMetricDataCalls returns the GetMetricData requests received so far.
func (c *CloudWatch) GetMetricDataCalls() []GetMetricDataCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]GetMetricDataCall(nil), c.gmd...)
}

var queryIDRE = regexp.MustCompile(`^[a-z][a-zA-Z0-9_]*$`)

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
	c.mu.Lock()
	c.gmd = append(c.gmd, call)
	answer := c.answer
	c.mu.Unlock()
	var results cbor.List
	for _, q := range call.Queries {
		var res MetricResult
		if answer != nil {
			res = answer(q)
		}
		ts, vs := cbor.List{}, cbor.List{}
		for i, t := range res.Timestamps {
			ts = append(ts, &cbor.Tag{ID: 1, Value: cbor.Float64(float64(t.UnixMilli()) / 1e3)})
			vs = append(vs, cbor.Float64(res.Values[i]))
		}
		results = append(results, cbor.Map{"Id": cbor.String(q.ID), "Label": cbor.String(q.MetricName),
			"StatusCode": cbor.String("Complete"), "Timestamps": ts, "Values": vs})
	}
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	_, _ = w.Write(cbor.Encode(cbor.Map{"MetricDataResults": results, "Messages": cbor.List{}}))
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
	list, _ := m["MetricDataQueries"].(cbor.List)
	if len(list) == 0 || len(list) > 500 {
		return call, fmt.Errorf("MetricDataQueries has %d queries, want 1 to 500", len(list))
	}
	for i, item := range list {
		qm, _ := item.(cbor.Map)
		id, _ := qm["Id"].(cbor.String)
		if !queryIDRE.MatchString(string(id)) {
			return call, fmt.Errorf("MetricDataQueries[%d].Id %q: must start with a lower-case letter", i, id)
		}
		ms, _ := qm["MetricStat"].(cbor.Map)
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
