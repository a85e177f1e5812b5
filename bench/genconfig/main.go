// Command genconfig prints a synthetic sagesize config of N endpoints:
//
//	go run ./bench/genconfig 300 > /tmp/fleet300.yaml
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/sagesize/sagesize/testkit/fleetgen"
)

func main() {
	n := 300
	if len(os.Args) > 1 {
		v, err := strconv.Atoi(os.Args[1])
		if err != nil || v < 1 {
			fmt.Fprintf(os.Stderr, "genconfig: N must be a positive whole number, got %q\n", os.Args[1])
			os.Exit(2)
		}
		n = v
	}
	fmt.Print(fleetgen.Config("fleet", n))
}
