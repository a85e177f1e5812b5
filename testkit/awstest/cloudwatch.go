package awstest

import (
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/aws/smithy-go/encoding/cbor"
)

// Datum is one MetricDatum received by [CloudWatch].
type Datum struct {
	// Namespace is the namespace of the PutMetricData request that carried it.
	Namespace         string
	MetricName        string
	Dimensions        map[string]string
	Timestamp         time.Time
	Unit              string
	StorageResolution int64
	Value             *float64
	Values            []float64
	Counts            []float64
	// StatisticValues is the datum's statistic set, nil when it had none.
	StatisticValues *StatisticSet
}

// StatisticSet is a MetricDatum's StatisticValues: a summary of samples
// published instead of the samples themselves.
type StatisticSet struct {
	SampleCount, Sum, Minimum, Maximum float64
}

// PutMetricDataCall is one PutMetricData request received by [CloudWatch].
type PutMetricDataCall struct {
	Namespace string
	Data      []Datum
	// Bytes is the size of the (uncompressed) CBOR request body.
	Bytes int
	// Gzip tells whether the SDK compressed the body.
	Gzip bool
}

// CloudWatch is a local CloudWatch server speaking Smithy RPCv2-CBOR, the
// default protocol of the SDK's cloudwatch client. It serves PutMetricData,
// enforces the API's limits (1 MB and 1,000 datums per request, 150 values
// per datum, 30 dimensions, Values and Counts of equal length) with
// InvalidParameterValue errors, and records every accepted request.
// GetMetricData answers from the data it stored, as CloudWatch does (see
// [CloudWatch.SetMetricData] to answer with chosen figures instead).
// Requests for other operations get an UnknownOperationException; later
// issues extend the server with more operations.
type CloudWatch struct {
	// URL is http://127.0.0.1:PORT, the BaseEndpoint for the SDK client.
	URL string

	srv      *httptest.Server
	mu       sync.Mutex
	calls    []PutMetricDataCall
	failNext int
	fault    string
	answer   func(q MetricQuery) MetricResult
	// clock, when set (ModelRetention), ages high-resolution data out.
	clock func() time.Time
	gmd   []GetMetricDataCall
	// stored is what GetMetricData aggregates: every accepted datum and
	// every seeded one. It is append-only, so a copy of the slice header
	// taken under mu can be read without it.
	stored []sample
	// puts counts valid PutMetricData requests; putFault and rejected
	// are the injected faults and the requests they rejected (see
	// cloudwatch_faults.go).
	puts     int
	putFault *putFault
	rejected []PutMetricDataCall
	// gets, getFault and rejectedGets are the same for GetMetricData.
	gets         int
	getFault     *getFault
	rejectedGets []GetMetricDataCall
}

// NewCloudWatch starts a server on 127.0.0.1. Close it when done.
func NewCloudWatch() *CloudWatch {
	c := &CloudWatch{}
	c.srv = httptest.NewUnstartedServer(http.HandlerFunc(c.serve))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("awstest: listen on 127.0.0.1: %v", err))
	}
	c.srv.Listener = ln
	c.srv.Start()
	c.URL = c.srv.URL
	return c
}

// Close shuts the server down.
func (c *CloudWatch) Close() { c.srv.Close() }

// FailNext makes the next n PutMetricData requests fail with an
// InternalServiceFault (a 500, which the SDK may retry).
func (c *CloudWatch) FailNext(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failNext = n
}

// Calls returns the PutMetricData requests accepted so far.
func (c *CloudWatch) Calls() []PutMetricDataCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]PutMetricDataCall(nil), c.calls...)
}

// Datums returns every datum accepted so far, in order.
func (c *CloudWatch) Datums() []Datum {
	var out []Datum
	for _, call := range c.Calls() {
		out = append(out, call.Data...)
	}
	return out
}

const servicePath = "/service/GraniteServiceVersion20100801/operation/"

func (c *CloudWatch) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.Header.Get("Smithy-Protocol") != "rpc-v2-cbor" {
		cborFault(w, 400, "InvalidRequest", "want POST with Smithy-Protocol: rpc-v2-cbor")
		return
	}
	if r.URL.Path == servicePath+"GetMetricData" {
		c.getMetricData(w, r)
		return
	}
	if r.URL.Path != servicePath+"PutMetricData" {
		cborFault(w, 400, "UnknownOperationException", "not implemented: "+r.URL.Path)
		return
	}
	var body io.Reader = r.Body
	gz := r.Header.Get("Content-Encoding") == "gzip"
	if gz {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			cborFault(w, 400, "InvalidParameterValue", "bad gzip body: "+err.Error())
			return
		}
		body = zr
	}
	raw, err := io.ReadAll(body)
	if err != nil {
		cborFault(w, 400, "InvalidParameterValue", "read body: "+err.Error())
		return
	}
	call, err := decodePutMetricData(raw)
	if err != nil {
		cborFault(w, 400, "InvalidParameterValue", err.Error())
		return
	}
	call.Gzip = gz
	c.mu.Lock()
	if f := c.injectedLocked(call); f != nil {
		c.mu.Unlock()
		cborFault(w, f.Status, f.Code, f.Message)
		return
	}
	if c.failNext > 0 {
		c.failNext--
		c.mu.Unlock()
		cborFault(w, 500, "InternalServiceFault", "injected failure")
		return
	}
	c.calls = append(c.calls, call)
	c.storeLocked(call.Data, time.Now())
	c.mu.Unlock()
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	_, _ = w.Write(cbor.Encode(cbor.Map{}))
}

func cborFault(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Smithy-Protocol", "rpc-v2-cbor")
	w.Header().Set("Content-Type", "application/cbor")
	w.WriteHeader(status)
	_, _ = w.Write(cbor.Encode(cbor.Map{
		"__type":  cbor.String("com.amazonaws.cloudwatch#" + code),
		"message": cbor.String(msg),
	}))
}

// decodePutMetricData decodes and validates a PutMetricData request body.
func decodePutMetricData(raw []byte) (PutMetricDataCall, error) {
	call := PutMetricDataCall{Bytes: len(raw)}
	if len(raw) > 1<<20 {
		return call, fmt.Errorf("request body of %d bytes exceeds 1 MB", len(raw))
	}
	v, err := cbor.Decode(raw)
	if err != nil {
		return call, fmt.Errorf("decode CBOR: %w", err)
	}
	m, ok := v.(cbor.Map)
	if !ok {
		return call, fmt.Errorf("body is %T, want a map", v)
	}
	ns, _ := m["Namespace"].(cbor.String)
	if ns == "" {
		return call, fmt.Errorf("Namespace is required")
	}
	call.Namespace = string(ns)
	list, _ := m["MetricData"].(cbor.List)
	if len(list) == 0 || len(list) > 1000 {
		return call, fmt.Errorf("MetricData has %d datums, want 1 to 1000", len(list))
	}
	for i, item := range list {
		d, err := decodeDatum(item)
		if err != nil {
			return call, fmt.Errorf("MetricData[%d]: %w", i, err)
		}
		d.Namespace = call.Namespace
		call.Data = append(call.Data, d)
	}
	return call, nil
}

// decodeDatum decodes one MetricDatum and checks it as CloudWatch does:
// its name, time and resolution, its dimensions, and exactly one of Value,
// Values (with Counts) and StatisticValues.
func decodeDatum(v cbor.Value) (Datum, error) {
	var d Datum
	m, ok := v.(cbor.Map)
	if !ok {
		return d, fmt.Errorf("datum is %T, want a map", v)
	}
	if err := decodeDatumHeader(m, &d); err != nil {
		return d, err
	}
	if err := decodeDimensions(m, &d); err != nil {
		return d, err
	}
	if err := decodeDatumValues(m, &d); err != nil {
		return d, err
	}
	switch {
	case len(d.Values) > 150:
		return d, fmt.Errorf("%d values, at most 150", len(d.Values))
	case d.Counts != nil && len(d.Counts) != len(d.Values):
		return d, fmt.Errorf("%d counts for %d values", len(d.Counts), len(d.Values))
	case (d.Value != nil && d.Values != nil) || (d.StatisticValues != nil && (d.Value != nil || d.Values != nil)):
		return d, fmt.Errorf("more than one of Value, Values and StatisticValues")
	case d.Value == nil && d.Values == nil && d.StatisticValues == nil:
		return d, fmt.Errorf("no Value, Values or StatisticValues")
	}
	return d, nil
}

// decodeDatumHeader decodes the datum's name, unit, time and storage resolution.
func decodeDatumHeader(m cbor.Map, d *Datum) error {
	name, _ := m["MetricName"].(cbor.String)
	if name == "" {
		return fmt.Errorf("MetricName is required")
	}
	d.MetricName = string(name)
	if u, ok := m["Unit"].(cbor.String); ok {
		d.Unit = string(u)
	}
	if ts, ok := m["Timestamp"]; ok {
		t, err := cbor.AsTime(ts)
		if err != nil {
			return fmt.Errorf("Timestamp: %w", err)
		}
		d.Timestamp = t
	}
	if sr, ok := m["StorageResolution"]; ok {
		n, err := cbor.AsInt64(sr)
		if err != nil || (n != 1 && n != 60) {
			return fmt.Errorf("StorageResolution must be 1 or 60")
		}
		d.StorageResolution = n
	}
	return nil
}

// decodeDimensions decodes the datum's dimensions (at most 30, none empty).
func decodeDimensions(m cbor.Map, d *Datum) error {
	dims, ok := m["Dimensions"].(cbor.List)
	if !ok {
		return nil
	}
	if len(dims) > 30 {
		return fmt.Errorf("%d dimensions, at most 30", len(dims))
	}
	d.Dimensions = map[string]string{}
	for _, dv := range dims {
		dm, _ := dv.(cbor.Map)
		n, _ := dm["Name"].(cbor.String)
		val, _ := dm["Value"].(cbor.String)
		if n == "" || val == "" {
			return fmt.Errorf("dimension with empty name or value")
		}
		d.Dimensions[string(n)] = string(val)
	}
	return nil
}

// decodeDatumValues decodes Value, StatisticValues, Values and Counts.
func decodeDatumValues(m cbor.Map, d *Datum) error {
	if val, ok := m["Value"]; ok {
		f, err := cbor.AsFloat64(val)
		if err != nil {
			return fmt.Errorf("Value: %w", err)
		}
		d.Value = &f
	}
	if sv, ok := m["StatisticValues"].(cbor.Map); ok {
		set, err := decodeStatisticSet(sv)
		if err != nil {
			return err
		}
		d.StatisticValues = set
	}
	var err error
	if d.Values, err = cborFloats(m, "Values"); err != nil {
		return err
	}
	d.Counts, err = cborFloats(m, "Counts")
	return err
}

// decodeStatisticSet decodes StatisticValues: all four statistics, a
// positive count and Minimum <= Maximum.
func decodeStatisticSet(sv cbor.Map) (*StatisticSet, error) {
	var set StatisticSet
	for _, f := range []struct {
		key string
		dst *float64
	}{{"SampleCount", &set.SampleCount}, {"Sum", &set.Sum}, {"Minimum", &set.Minimum}, {"Maximum", &set.Maximum}} {
		v, err := cbor.AsFloat64(sv[f.key])
		if err != nil {
			return nil, fmt.Errorf("StatisticValues.%s: %w", f.key, err)
		}
		*f.dst = v
	}
	if set.SampleCount <= 0 || set.Minimum > set.Maximum {
		return nil, fmt.Errorf("StatisticValues: SampleCount must be > 0 and Minimum <= Maximum")
	}
	return &set, nil
}

// cborFloats decodes m[key], a list of numbers; nil when absent.
func cborFloats(m cbor.Map, key string) ([]float64, error) {
	l, ok := m[key].(cbor.List)
	if !ok {
		return nil, nil
	}
	out := make([]float64, len(l))
	for i, x := range l {
		f, err := cbor.AsFloat64(x)
		if err != nil {
			return nil, fmt.Errorf("%s[%d]: %w", key, i, err)
		}
		out[i] = f
	}
	return out, nil
}
