package awstest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// KeyValue is one environment variable of a container override.
type KeyValue struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// RunTaskCall is one RunTask request received by [ECS] (the fields sagesize sets).
type RunTaskCall struct {
	Cluster              string `json:"cluster"`
	TaskDefinition       string `json:"taskDefinition"`
	Count                int    `json:"count"`
	LaunchType           string `json:"launchType"`
	StartedBy            string `json:"startedBy"`
	NetworkConfiguration struct {
		AwsvpcConfiguration struct {
			Subnets        []string `json:"subnets"`
			SecurityGroups []string `json:"securityGroups"`
			AssignPublicIP string   `json:"assignPublicIp"`
		} `json:"awsvpcConfiguration"`
	} `json:"networkConfiguration"`
	Overrides struct {
		ContainerOverrides []struct {
			Name        string     `json:"name"`
			Environment []KeyValue `json:"environment"`
		} `json:"containerOverrides"`
	} `json:"overrides"`
}

// Env returns the environment override of container name as a map.
func (c RunTaskCall) Env(name string) map[string]string {
	out := map[string]string{}
	for _, o := range c.Overrides.ContainerOverrides {
		if o.Name == name {
			for _, kv := range o.Environment {
				out[kv.Name] = kv.Value
			}
		}
	}
	return out
}

// TaskEnd says how a task started by [ECS] ends.
type TaskEnd struct {
	// RunningPolls is how many DescribeTasks calls see the task RUNNING
	// before it stops by itself; negative: it runs until StopTask.
	RunningPolls int
	// ExitCode of the container, and its Reason.
	ExitCode int
	Reason   string
	// StopCode and StoppedReason of the task (default EssentialContainerExited
	// and "Essential container in task exited").
	StopCode, StoppedReason string
}

// ECSOptions configures NewECS.
type ECSOptions struct {
	// Cluster is the only cluster that exists (others: ClusterNotFoundException).
	Cluster string
	// Capacity, when positive, is how many tasks can be started in all; RunTask
	// reports the rest as failures with a capacity reason, as Fargate does.
	Capacity int
	// End decides how task i (counted from 0 in start order) ends; default:
	// it runs for one poll and exits 0.
	End func(i int) TaskEnd
	// OnRunTask, when set, is called with every RunTask request before it
	// is answered: a test can publish there what the tasks would (it must
	// not call this server).
	OnRunTask func(RunTaskCall)
}

// CapacityReason is the failure reason RunTask reports beyond Capacity.
const CapacityReason = "Capacity is unavailable at this time. Please try again later or in a different availability zone"

type ecsTask struct {
	arn, lastStatus, stopCode, stoppedReason, group string
	polls                                           int
	end                                             TaskEnd
	exitCode                                        *int
	reason                                          string
}

// ECS is a local Amazon ECS server speaking awsJson1_1 (X-Amz-Target). It
// serves RunTask (at most 10 tasks per call), DescribeTasks (at most 100
// tasks per call) and StopTask, and moves each task PROVISIONING → PENDING
// → RUNNING → STOPPED, one step per DescribeTasks that names it.
type ECS struct {
	// URL is http://127.0.0.1:PORT, the BaseEndpoint for the SDK client.
	URL string

	srv      *httptest.Server
	opts     ECSOptions
	mu       sync.Mutex
	tasks    []*ecsTask
	byArn    map[string]*ecsTask
	runs     []RunTaskCall
	stops    []string
	describe []int
	faults   ecsFaults
}

// NewECS starts a server on 127.0.0.1. Close it when done.
func NewECS(opts ECSOptions) *ECS {
	e := &ECS{opts: opts, byArn: map[string]*ecsTask{}}
	if e.opts.End == nil {
		e.opts.End = func(int) TaskEnd { return TaskEnd{RunningPolls: 1} }
	}
	e.srv = startLoopback(http.HandlerFunc(e.serve))
	e.URL = e.srv.URL
	return e
}

// Close shuts the server down.
func (e *ECS) Close() { e.srv.Close() }

// RunTaskCalls returns the RunTask requests received so far.
func (e *ECS) RunTaskCalls() []RunTaskCall {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]RunTaskCall(nil), e.runs...)
}

// StoppedByRequest returns the ARNs named in StopTask requests, in order.
func (e *ECS) StoppedByRequest() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.stops...)
}

// Started returns the ARNs of every task started, in order.
func (e *ECS) Started() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, t := range e.tasks {
		out = append(out, t.arn)
	}
	return out
}

// DescribeSizes returns the number of tasks named by each DescribeTasks call.
func (e *ECS) DescribeSizes() []int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]int(nil), e.describe...)
}

// Running returns the number of tasks not yet STOPPED.
func (e *ECS) Running() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, t := range e.tasks {
		if t.lastStatus != "STOPPED" {
			n++
		}
	}
	return n
}

func (e *ECS) serve(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AmazonEC2ContainerServiceV20141113.")
	if r.Method != http.MethodPost || !ok || r.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		jsonFault(w, 400, "InvalidRequest", "want an awsJson1_1 POST with X-Amz-Target")
		return
	}
	var in struct {
		RunTaskCall
		Tasks  []string `json:"tasks"`
		Task   string   `json:"task"`
		Reason string   `json:"reason"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		jsonFault(w, 400, "SerializationException", err.Error())
		return
	}
	if e.injectFault(w, op, in.Task) {
		return
	}
	if in.Cluster != e.opts.Cluster {
		jsonFault(w, 400, "ClusterNotFoundException", "Cluster not found.")
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	switch op {
	case "RunTask":
		e.runTask(w, in.RunTaskCall)
	case "DescribeTasks":
		if len(in.Tasks) == 0 || len(in.Tasks) > 100 {
			jsonFault(w, 400, "InvalidParameterException", fmt.Sprintf("Tasks must have between 1 and 100 elements, got %d", len(in.Tasks)))
			return
		}
		e.describe = append(e.describe, len(in.Tasks))
		out := map[string]any{"tasks": []any{}, "failures": []any{}}
		var tasks, failures []any
		for _, arn := range in.Tasks {
			t, ok := e.byArn[arn]
			if !ok {
				failures = append(failures, map[string]any{"arn": arn, "reason": "MISSING"})
				continue
			}
			e.advance(t)
			tasks = append(tasks, t.json())
		}
		if tasks != nil {
			out["tasks"] = tasks
		}
		if failures != nil {
			out["failures"] = failures
		}
		writeJSON(w, out)
	case "StopTask":
		t, ok := e.byArn[in.Task]
		if !ok {
			jsonFault(w, 400, "InvalidParameterException", "The referenced task was not found.")
			return
		}
		e.stops = append(e.stops, in.Task)
		if t.lastStatus != "STOPPED" {
			t.lastStatus, t.stopCode, t.stoppedReason = "STOPPED", "UserInitiated", in.Reason
			code := 143
			t.exitCode = &code
		}
		writeJSON(w, map[string]any{"task": t.json()})
	default:
		jsonFault(w, 400, "UnknownOperationException", op)
	}
}

func (e *ECS) runTask(w http.ResponseWriter, in RunTaskCall) {
	if in.Count < 1 || in.Count > 10 {
		jsonFault(w, 400, "InvalidParameterException", fmt.Sprintf("count must be between 1 and 10, got %d", in.Count))
		return
	}
	e.runs = append(e.runs, in)
	if e.opts.OnRunTask != nil {
		e.opts.OnRunTask(in)
	}
	var tasks, failures []any
	for range in.Count {
		if e.opts.Capacity > 0 && len(e.tasks) >= e.opts.Capacity {
			failures = append(failures, map[string]any{"reason": CapacityReason})
			continue
		}
		i := len(e.tasks)
		t := &ecsTask{arn: fmt.Sprintf("arn:aws:ecs:us-east-1:123456789012:task/%s/%032x", in.Cluster, i+1),
			lastStatus: "PROVISIONING", end: e.opts.End(i), group: in.StartedBy}
		e.tasks = append(e.tasks, t)
		e.byArn[t.arn] = t
		tasks = append(tasks, t.json())
	}
	out := map[string]any{"tasks": []any{}, "failures": []any{}}
	if tasks != nil {
		out["tasks"] = tasks
	}
	if failures != nil {
		out["failures"] = failures
	}
	writeJSON(w, out)
}

// advance moves t one step along its life.
func (e *ECS) advance(t *ecsTask) {
	switch t.lastStatus {
	case "PROVISIONING":
		t.lastStatus = "PENDING"
	case "PENDING":
		t.lastStatus = "RUNNING"
	case "RUNNING":
		t.polls++
		if t.end.RunningPolls >= 0 && t.polls > t.end.RunningPolls {
			t.lastStatus = "STOPPED"
			t.stopCode, t.stoppedReason = t.end.StopCode, t.end.StoppedReason
			if t.stopCode == "" {
				t.stopCode, t.stoppedReason = "EssentialContainerExited", "Essential container in task exited"
			}
			code := t.end.ExitCode
			t.exitCode, t.reason = &code, t.end.Reason
		}
	}
}

func (t *ecsTask) json() map[string]any {
	c := map[string]any{"name": "loadgen", "lastStatus": t.lastStatus}
	if t.exitCode != nil {
		c["exitCode"] = *t.exitCode
	}
	if t.reason != "" {
		c["reason"] = t.reason
	}
	m := map[string]any{"taskArn": t.arn, "lastStatus": t.lastStatus, "desiredStatus": "RUNNING", "launchType": "FARGATE",
		"startedBy": t.group, "containers": []any{c}}
	if t.lastStatus == "STOPPED" {
		m["desiredStatus"] = "STOPPED"
		m["stopCode"] = t.stopCode
		m["stoppedReason"] = t.stoppedReason
	}
	return m
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_, _ = w.Write(b)
}

func jsonFault(w http.ResponseWriter, status int, code, msg string) {
	b, _ := json.Marshal(map[string]string{"__type": code, "message": msg})
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
