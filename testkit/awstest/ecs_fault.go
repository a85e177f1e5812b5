package awstest

import (
	"net/http"
	"sync"
	"time"
)

// ECSFault is an error [ECS] answers instead of serving a call.
type ECSFault struct {
	// Status is the HTTP status (default 400).
	Status int
	// Code is the error's __type, e.g. "ExpiredTokenException".
	Code, Message string
}

// ExpiredToken is the fault ECS answers when the session token of the
// caller's credentials has expired.
func ExpiredToken() *ECSFault {
	return &ECSFault{Status: 400, Code: "ExpiredTokenException", Message: "The security token included in the request is expired"}
}

// Throttled is the fault ECS answers to a caller over its request rate.
func Throttled() *ECSFault {
	return &ECSFault{Status: 400, Code: "ThrottlingException", Message: "Rate exceeded"}
}

// ECSAttempt is one call [ECS] received, served or faulted.
type ECSAttempt struct {
	// Op is the operation, e.g. "StopTask".
	Op string
	// Task is the task a StopTask named ("" for other operations).
	Task string
	// Fault is the fault answered, nil when the call was served.
	Fault *ECSFault
	// At is when the call arrived.
	At time.Time
}

// ecsFaults is the fault injection state of an [ECS].
type ecsFaults struct {
	mu       sync.Mutex
	fault    func(op string, n int) *ECSFault
	calls    map[string]int
	attempts []ECSAttempt
}

// SetFaults makes ECS answer the n-th call (counted from 1) of operation op
// with fault(op, n) when it is not nil, before looking at the call; nil
// serves the call. Every call is recorded (see Attempts).
func (e *ECS) SetFaults(fault func(op string, n int) *ECSFault) {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	e.faults.fault = fault
}

// Attempts returns every call received since the server started, in order,
// with the fault each got.
func (e *ECS) Attempts() []ECSAttempt {
	e.faults.mu.Lock()
	defer e.faults.mu.Unlock()
	return append([]ECSAttempt(nil), e.faults.attempts...)
}

// injectFault records the call and answers it with its fault, if any; it
// reports whether it did.
func (e *ECS) injectFault(w http.ResponseWriter, op, task string) bool {
	f := &e.faults
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
	var fault *ECSFault
	if f.fault != nil {
		fault = f.fault(op, f.calls[op])
	}
	f.attempts = append(f.attempts, ECSAttempt{Op: op, Task: task, Fault: fault, At: time.Now()})
	f.mu.Unlock()
	if fault == nil {
		return false
	}
	status := fault.Status
	if status == 0 {
		status = 400
	}
	jsonFault(w, status, fault.Code, fault.Message)
	return true
}
