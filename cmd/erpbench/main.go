// Command erpbench is kept for old habits: it builds erpconnector and runs
// `erpconnector bench` with the same flags (-quick, -json, -keep). The
// benchmark itself lives in internal/bench.
//
// Run: go run ./cmd/erpbench [-quick] [-json] [-keep]
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	dir, err := os.MkdirTemp("", "erpbench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "erpbench:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "erpconnector")
	// The module path, not ./cmd/erpconnector: works from any directory of
	// the module.
	if out, err := exec.Command("go", "build", "-o", bin, "erpconnector/cmd/erpconnector").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "erpbench: go build: %v\n%s", err, out)
		return 1
	}
	cmd := exec.Command(bin, append([]string{"bench"}, args...)...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// Ctrl-C reaches the child through the terminal; it stops its own
	// processes, and this one waits for it so that the binary is removed.
	signal.Ignore(os.Interrupt)
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		return ee.ExitCode()
	}
	fmt.Fprintln(os.Stderr, "erpbench:", err)
	return 1
}
