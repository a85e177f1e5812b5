package awstest

import "net/http"

// CloudWatchThrottling is CloudWatch's answer to too many requests: HTTP 400
// with the code Throttling ("Rate exceeded").
var CloudWatchThrottling = Fault{Status: http.StatusBadRequest, Code: "Throttling", Message: "Rate exceeded"}

// CloudWatchServiceFault is CloudWatch's internal error: HTTP 500
// InternalServiceFault.
var CloudWatchServiceFault = Fault{Status: http.StatusInternalServerError, Code: "InternalServiceFault", Message: "injected failure"}

// putFault decides the answer to one PutMetricData request.
type putFault struct {
	pick  func(n int, call PutMetricDataCall) bool
	fault Fault
}

// InjectPutFault makes [CloudWatch] answer f (without its Extra) to every valid PutMetricData
// request for which pick returns true; n counts the valid PutMetricData
// requests received, from 1, including rejected ones. The rejected
// requests are kept apart (see [CloudWatch.Rejected]); the others are
// accepted as usual. It replaces an earlier injection.
func (c *CloudWatch) InjectPutFault(pick func(n int, call PutMetricDataCall) bool, f Fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putFault = &putFault{pick: pick, fault: f}
}

// Throttle makes every PutMetricData request fail with [CloudWatchThrottling].
func (c *CloudWatch) Throttle() {
	c.InjectPutFault(func(int, PutMetricDataCall) bool { return true }, CloudWatchThrottling)
}

// FailCall makes the n-th valid PutMetricData request, and only it, fail
// with [CloudWatchServiceFault]: an interval whose first publication is lost.
func (c *CloudWatch) FailCall(n int) {
	c.InjectPutFault(func(i int, _ PutMetricDataCall) bool { return i == n }, CloudWatchServiceFault)
}

// Rejected returns the PutMetricData requests answered with an injected
// fault.
func (c *CloudWatch) Rejected() []PutMetricDataCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]PutMetricDataCall(nil), c.rejected...)
}

// injectedLocked returns the fault to answer call with, or nil; c.mu is
// held.
func (c *CloudWatch) injectedLocked(call PutMetricDataCall) *Fault {
	c.puts++
	if c.putFault == nil || !c.putFault.pick(c.puts, call) {
		return nil
	}
	c.rejected = append(c.rejected, call)
	f := c.putFault.fault
	return &f
}

// getFault decides the answer to one GetMetricData request.
type getFault struct {
	pick  func(n int, call GetMetricDataCall) bool
	fault Fault
}

// InjectGetFault makes [CloudWatch] answer f (without its Extra) to every
// valid GetMetricData request for which pick returns true, in the SDK's
// protocol (RPCv2-CBOR, the code in __type), so that the SDK client returns
// a smithy.APIError with f's code. pick is called once for each valid
// request, in the order they arrive, with n counting them from 1 (rejected
// ones included). The rejected requests are kept apart (see
// [CloudWatch.RejectedGets]); the others are served as usual. It replaces
// an earlier GetMetricData injection.
func (c *CloudWatch) InjectGetFault(pick func(n int, call GetMetricDataCall) bool, f Fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.getFault = &getFault{pick: pick, fault: f}
}

// RejectedGets returns the GetMetricData requests answered with an
// injected fault.
func (c *CloudWatch) RejectedGets() []GetMetricDataCall {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]GetMetricDataCall(nil), c.rejectedGets...)
}

// injectedGetLocked returns the fault to answer call with, or nil; c.mu
// is held.
func (c *CloudWatch) injectedGetLocked(call GetMetricDataCall) *Fault {
	c.gets++
	if c.getFault == nil || !c.getFault.pick(c.gets, call) {
		return nil
	}
	c.rejectedGets = append(c.rejectedGets, call)
	f := c.getFault.fault
	return &f
}
