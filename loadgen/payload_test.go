package loadgen

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func write(t *testing.T, path, data string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadPayloads(t *testing.T) {
	dir := t.TempDir()
	single := write(t, filepath.Join(dir, "one.json"), `{"x":[1,2]}`)
	lines := write(t, filepath.Join(dir, "many.jsonl"), "{\"a\":1}\n\n{\"a\":2}\r\n  {\"a\":3}\n")
	sub := filepath.Join(dir, "dir")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(sub, "b.csv"), "1,2")
	write(t, filepath.Join(sub, "a.csv"), "3,4,5")
	write(t, filepath.Join(sub, ".hidden"), "x")

	for _, tt := range []struct {
		path  string
		names []string
		bytes int64
	}{
		{single, []string{"one.json"}, 11},
		{lines, []string{"many.jsonl:1", "many.jsonl:3", "many.jsonl:4"}, 21},
		{sub, []string{"a.csv", "b.csv"}, 8},
	} {
		p, err := LoadPayloads(tt.path)
		if err != nil {
			t.Fatalf("LoadPayloads(%s): %v", tt.path, err)
		}
		var names []string
		for i := range p.Len() {
			names = append(names, p.At(i).Name)
		}
		if len(names) != len(tt.names) || names[0] != tt.names[0] || names[len(names)-1] != tt.names[len(tt.names)-1] {
			t.Errorf("LoadPayloads(%s) names = %v; want %v", tt.path, names, tt.names)
		}
		if s := p.Stats(); s.Count != len(tt.names) || s.Bytes != tt.bytes {
			t.Errorf("LoadPayloads(%s).Stats() = %+v; want count %d, bytes %d", tt.path, s, len(tt.names), tt.bytes)
		}
	}

	empty := write(t, filepath.Join(dir, "empty.json"), "")
	blank := write(t, filepath.Join(dir, "blank.jsonl"), "\n \n")
	emptyDir := filepath.Join(dir, "none")
	if err := os.Mkdir(emptyDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{empty, blank, emptyDir} {
		if _, err := LoadPayloads(path); !errors.Is(err, ErrEmptyPayload) {
			t.Errorf("LoadPayloads(%s) error = %v; want ErrEmptyPayload", path, err)
		}
	}
	if _, err := LoadPayloads(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadPayloads(missing) error = %v; want fs.ErrNotExist", err)
	}
}

func TestPicker(t *testing.T) {
	p, _ := NewPayloads("test", NewPayload("a", []byte("a")), NewPayload("b", []byte("b")), NewPayload("c", []byte("c")))
	cyc := newPicker(p, false, 0)
	var got string
	for range 7 {
		got += cyc.pick().Name
	}
	if got != "abcabca" {
		t.Errorf("cycle picked %q; want abcabca", got)
	}
	seq := func(seed uint64) (s string) {
		pk := newPicker(p, true, seed)
		for range 20 {
			s += pk.pick().Name
		}
		return s
	}
	if a, b := seq(7), seq(7); a != b {
		t.Errorf("same seed picked %q then %q", a, b)
	}
	if a, b := seq(7), seq(8); a == b {
		t.Errorf("seeds 7 and 8 picked the same sequence %q", a)
	}
}
