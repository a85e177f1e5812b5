package loadgen

import (
	"encoding/json"
	"testing"
)

// tgiSeeds are TGI/LMI token events and near misses.
var tgiSeeds = []string{
	`{"token":{"id":100,"text":" t0","logprob":-0.5,"special":false},"generated_text":null,"details":null}`,
	`{"token": {"id": 1, "text": "x", "log_prob": -0.1}, "generated_text": "x y", "details": null}`,
	`{"generated_text":"done","token":{"id":2,"text":"\"token\":{}"}}`,
	`{"details":{"token":{"id":1}},"generated_text":null}`,
	`{"token":null,"generated_text":null}`,
	`{"token":"x"}`,
	`{"tokens":{"id":1}}`,
	`{"to\u006ben":{"id":1}}`,
	`{"token":{"text":"a\\"},"generated_text":[1,{"a":"}"}]}`,
	`[{"token":{}}]`,
	`{"token":{}} trailing`,
	`{"token" : { } , "generated_text" : null }`,
}

// FuzzFastTGI checks that the allocation-free reader of TGI token events
// agrees with encoding/json wherever it answers: a message it takes is a
// JSON object with a top-level "token" object, and it ends the stream
// exactly when the top-level generated_text is not null.
func FuzzFastTGI(f *testing.F) {
	for _, s := range tgiSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := newStreamDecoder(FormatTGI)
		n, ok := d.fastTGI([]byte(s))
		var ev struct {
			Token         *json.RawMessage `json:"token"`
			GeneratedText *json.RawMessage `json:"generated_text"`
		}
		err := json.Unmarshal([]byte(s), &ev)
		if !ok {
			return
		}
		if err != nil || ev.Token == nil || (*ev.Token)[0] != '{' || n != 1 {
			t.Fatalf("fastTGI(%s) took it (n %d), but encoding/json says %v, token %s", s, n, err, deref(ev.Token))
		}
		if ended := ev.GeneratedText != nil && string(*ev.GeneratedText) != "null"; ended != d.ended {
			t.Fatalf("fastTGI(%s): ended %v; encoding/json sees generated_text %s", s, d.ended, deref(ev.GeneratedText))
		}
	})
}

func deref(m *json.RawMessage) string {
	if m == nil {
		return "<none>"
	}
	return string(*m)
}

// TestFastTGITakesTheUsualEvents: the fast reader handles TGI's compact
// events and LMI's spaced ones itself (else the fuzz test above would
// pass by refusing everything).
func TestFastTGITakesTheUsualEvents(t *testing.T) {
	for i, want := range []bool{true, true, true, false, false, false, false, false, true, false, false, true} {
		d := newStreamDecoder(FormatTGI)
		if _, ok := d.fastTGI([]byte(tgiSeeds[i])); ok != want {
			t.Errorf("fastTGI(%s) ok = %v; want %v", tgiSeeds[i], ok, want)
		}
	}
}

// BenchmarkDecodeTGI200 decodes one 200-token TGI answer as server-sent
// events, a message per chunk: the format parsing cost of a stream.
func BenchmarkDecodeTGI200(b *testing.B) {
	var chunks [][]byte
	for i := range 200 {
		gen := "null"
		if i == 199 {
			gen = `"the answer"`
		}
		chunks = append(chunks, []byte(`data:{"token":{"id":`+string(rune('0'+i%10))+`,"text":" t","logprob":-0.5,"special":false},"generated_text":`+gen+`,"details":null}`+"\n\n"))
	}
	b.ReportAllocs()
	for b.Loop() {
		d := newStreamDecoder(FormatAuto)
		n := 0
		for _, c := range chunks {
			k, err := d.feed(c)
			if err != nil {
				b.Fatal(err)
			}
			n += k
		}
		if tokens, _, err := d.finish(); err != nil || n != 200 || tokens != 200 {
			b.Fatalf("%d arrivals, %d tokens, %v", n, tokens, err)
		}
	}
}
