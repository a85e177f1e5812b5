package awstest

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
)

// CloudFormation is a local CloudFormation server speaking the awsquery
// protocol (form-encoded requests, XML responses). It serves DescribeStacks
// for the stacks added with SetStack; any other stack name gets the
// ValidationError "Stack with id NAME does not exist", as CloudFormation
// answers.
type CloudFormation struct {
	// URL is http://127.0.0.1:PORT, the BaseEndpoint for the SDK client.
	URL string

	srv    *httptest.Server
	mu     sync.Mutex
	stacks map[string]map[string]string
}

// NewCloudFormation starts a server on 127.0.0.1. Close it when done.
func NewCloudFormation() *CloudFormation {
	c := &CloudFormation{stacks: map[string]map[string]string{}}
	c.srv = startLoopback(http.HandlerFunc(c.serve))
	c.URL = c.srv.URL
	return c
}

// Close shuts the server down.
func (c *CloudFormation) Close() { c.srv.Close() }

// SetStack adds (or replaces) a deployed stack with the given outputs.
func (c *CloudFormation) SetStack(name string, outputs map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stacks[name] = outputs
}

type cfnOutput struct {
	OutputKey   string
	OutputValue string
}

type cfnStack struct {
	StackID      string `xml:"StackId"`
	StackName    string
	CreationTime string
	StackStatus  string
	Outputs      []cfnOutput `xml:"Outputs>member"`
}

type describeStacksResponse struct {
	XMLName   xml.Name   `xml:"DescribeStacksResponse"`
	Stacks    []cfnStack `xml:"DescribeStacksResult>Stacks>member"`
	RequestID string     `xml:"ResponseMetadata>RequestId"`
}

func (c *CloudFormation) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.Method != http.MethodPost {
		queryFault(w, 400, "InvalidRequest", "want a form-encoded POST")
		return
	}
	if a := r.PostForm.Get("Action"); a != "DescribeStacks" {
		queryFault(w, 400, "InvalidAction", "not implemented: "+a)
		return
	}
	name := r.PostForm.Get("StackName")
	c.mu.Lock()
	outs, ok := c.stacks[name]
	c.mu.Unlock()
	if !ok {
		queryFault(w, 400, "ValidationError", fmt.Sprintf("Stack with id %s does not exist", name))
		return
	}
	s := cfnStack{StackID: "arn:aws:cloudformation:us-east-1:123456789012:stack/" + name + "/1", StackName: name,
		CreationTime: "2026-11-26T00:00:00Z", StackStatus: "CREATE_COMPLETE"}
	for k, v := range outs {
		s.Outputs = append(s.Outputs, cfnOutput{OutputKey: k, OutputValue: v})
	}
	writeXML(w, 200, describeStacksResponse{Stacks: []cfnStack{s}, RequestID: "awstest"})
}

type queryError struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Type      string   `xml:"Error>Type"`
	Code      string   `xml:"Error>Code"`
	Message   string   `xml:"Error>Message"`
	RequestID string   `xml:"RequestId"`
}

func queryFault(w http.ResponseWriter, status int, code, msg string) {
	writeXML(w, status, queryError{Type: "Sender", Code: code, Message: msg, RequestID: "awstest"})
}

func writeXML(w http.ResponseWriter, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(append([]byte(xml.Header), b...))
}
