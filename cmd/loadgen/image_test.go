package main

import (
	"bufio"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// No image builder runs on our machines, so the container is checked by
// parts: the binary builds static for both Fargate architectures, exactly
// as the Dockerfile builds it and from only the files the Dockerfile copies
// into the build stage, and the Dockerfile copies only files that exist and
// runs as a non-root user.
func TestImage_StaticBinaryForBothArchitectures(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles loadgen twice")
	}
	// The build context as the Dockerfile's build stage sees it.
	ctx := t.TempDir()
	root := filepath.Join("..", "..")
	for _, src := range dockerfileCopies(t, filepath.Join(root, "Dockerfile")) {
		if err := os.CopyFS(filepath.Join(ctx, src), os.DirFS(filepath.Join(root, src))); err != nil {
			// A single file rather than a directory.
			data, rerr := os.ReadFile(filepath.Join(root, src))
			if rerr != nil {
				t.Fatalf("copy %s: %v", src, err)
			}
			if err := os.WriteFile(filepath.Join(ctx, src), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, arch := range []string{"arm64", "amd64"} {
		t.Run(arch, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "loadgen")
			cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, "./cmd/loadgen")
			cmd.Dir = ctx
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch, "GOFLAGS=-mod=readonly")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("go build for linux/%s: %v\n%s", arch, err, out)
			}
			f, err := elf.Open(bin)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			want := map[string]elf.Machine{"arm64": elf.EM_AARCH64, "amd64": elf.EM_X86_64}[arch]
			if f.Machine != want {
				t.Errorf("machine = %v; want %v", f.Machine, want)
			}
			for _, p := range f.Progs {
				if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
					t.Errorf("the binary is dynamically linked (program header %v); distroless/static needs a static one", p.Type)
				}
			}
		})
	}
}

// dockerfileCopies lists the build-context sources of the Dockerfile's COPY lines.
func dockerfileCopies(t *testing.T, path string) []string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var srcs []string
	for _, line := range strings.Split(string(raw), "\n") {
		f := strings.Fields(line)
		if len(f) > 2 && f[0] == "COPY" && !strings.HasPrefix(f[1], "--from=") {
			srcs = append(srcs, f[1:len(f)-1]...)
		}
	}
	return srcs
}

func TestImage_DockerfileCopiesOnlyWhatExists(t *testing.T) {
	root := filepath.Join("..", "..")
	f, err := os.Open(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var copies int
	var user, entry string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		switch fields[0] {
		case "COPY":
			if strings.HasPrefix(fields[1], "--from=") {
				continue
			}
			for _, src := range fields[1 : len(fields)-1] {
				if _, err := os.Stat(filepath.Join(root, src)); err != nil {
					t.Errorf("Dockerfile copies %s, which does not exist: %v", src, err)
				}
				copies++
			}
		case "USER":
			user = fields[1]
		case "ENTRYPOINT":
			entry = strings.Join(fields[1:], " ")
		}
	}
	if copies == 0 {
		t.Error("the Dockerfile copies nothing from the build context")
	}
	if user == "" || strings.HasPrefix(user, "root") || strings.HasPrefix(user, "0") {
		t.Errorf("USER = %q; want a non-root user", user)
	}
	if entry != `["/loadgen"]` {
		t.Errorf("ENTRYPOINT = %s; want [\"/loadgen\"]", entry)
	}
}
