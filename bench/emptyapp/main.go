// Command emptyapp is the baseline for scripts/bench-synth: the app that
// `cdk init app --language go` writes, with one empty stack.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	awscdk.NewStack(app, jsii.String("EmptyStack"), nil)
	app.Synth(nil)
}
