package loadgen_test

import (
	"context"
	"testing"

	"github.com/sagesize/sagesize/loadgen"
	"github.com/sagesize/sagesize/testkit/awstest"
)

// BenchmarkStream200Tokens reads one 200-token TGI answer, sent as fast
// as the fake endpoint can write it, through the SDK stream target (client
// and in-process server together: compare with BenchmarkSignedTarget's
// request, or profile with -cpuprofile and focus on loadgen and the SDK).
func BenchmarkStream200Tokens(b *testing.B) {
	srv := awstest.NewStreamingRuntime(awstest.StreamOptions{Model: awstest.TokenModel{OutputTokens: 200}})
	defer srv.Close()
	st := streamTarget(&testing.T{}, srv.URL, loadgen.FormatTGI)
	p := loadgen.NewPayload("p", []byte(`{"inputs":"a b c"}`))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		if _, err := st.InvokeStream(context.Background(), &p, func(k int) { n += k }); err != nil || n != 200 {
			b.Fatalf("%d tokens, %v", n, err)
		}
	}
}
