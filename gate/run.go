package gate

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/sagesize/sagesize/gate/criteria"
	"github.com/sagesize/sagesize/loadgen"
)

// Run is one load test as loadgen wrote it: its summary and, when the
// file was loadgen's -output (JSON lines), every interval.
type Run struct {
	// Path names the file the run was read from, in messages.
	Path      string
	Summary   loadgen.Summary
	Intervals []loadgen.Stats
}

// ReadRun reads the loadgen output at path: either its -output (one JSON
// object per line: intervals, the summary and perhaps a publish line) or
// its -summary file (one indented object). Both are streams of JSON
// objects, told apart by their "type".
func ReadRun(path string) (*Run, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read loadgen output: %w", err)
	}
	defer f.Close()
	r, err := decodeRun(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	r.Path = path
	return r, nil
}

func decodeRun(rd io.Reader) (*Run, error) {
	dec := json.NewDecoder(rd)
	r := &Run{}
	found := false
	for n := 1; ; n++ {
		var raw json.RawMessage
		if err := dec.Decode(&raw); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("object %d: not loadgen output: %w", n, err)
		}
		var head struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(raw, &head); err != nil {
			return nil, fmt.Errorf("object %d: not loadgen output: %w", n, err)
		}
		switch head.Type {
		case "interval":
			var s loadgen.Stats
			if err := json.Unmarshal(raw, &s); err != nil {
				return nil, fmt.Errorf("interval (object %d): %w", n, err)
			}
			r.Intervals = append(r.Intervals, s)
		case "summary":
			if err := json.Unmarshal(raw, &r.Summary); err != nil {
				return nil, fmt.Errorf("summary (object %d): %w", n, err)
			}
			found = true
		}
	}
	if !found {
		return nil, errors.New("no summary: is it loadgen's -output or -summary file of a test that ended?")
	}
	return r, nil
}

// Measured returns what the run's summary measured, for
// criteria.Criteria.Evaluate.
func (r *Run) Measured() criteria.Measured { return criteria.FromSummary(r.Summary) }
