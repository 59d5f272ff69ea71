package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"erpconnector/internal/bench"
)

func init() {
	register("bench", "measure throughput, latency, parse speed and memory on this machine, against the sandbox", cmdBench)
}

func cmdBench(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", stderr)
	quick := fs.Bool("quick", false, "reduced sizes: under a minute on two cores")
	asJSON := fs.Bool("json", false, "write JSON instead of a table")
	keep := fs.Bool("keep", false, "keep the work directory (generated files, stores, daemon logs) and print its path")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: erpconnector bench [--quick] [--json] [--keep]")
		fmt.Fprintln(stderr, "\nStarts this binary as the BankIntegration sandbox and as the daemon (Linux: figures come")
		fmt.Fprintln(stderr, "from /proc) and prints every figure with a baseline measured in the same run. Progress")
		fmt.Fprintln(stderr, "goes to stderr, the table or JSON to stdout.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return exitError(2)
	}
	// The daemon and the simulator are this very binary, so what is measured
	// is what is installed.
	bin, err := os.Executable()
	if err != nil {
		return fmt.Errorf("finding this binary: %w", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	results, runErr := bench.Run(ctx, bench.Options{Quick: *quick, Bin: bin, Keep: *keep, Log: stderr})
	fmt.Fprintf(stderr, "bench took %s\n", time.Since(start).Round(time.Second))
	if len(results) > 0 {
		var err error
		if *asJSON {
			err = bench.JSON(stdout, results)
		} else {
			err = bench.Table(stdout, results)
		}
		if err != nil && runErr == nil {
			runErr = err
		}
	}
	return runErr
}
