// Package bench measures erpconnector end to end on this machine. Every
// figure that can have one comes with a baseline measured in the same run, so
// that the numbers mean something on any machine:
//
//   - pain.001 parse speed (MB/s, and MB per CPU second) against
//     `xmllint --stream --noout` on the same file;
//   - throughput of the daemon (files/s, payments/s) against a bare client
//     that signs and posts the same requests to the same simulator directly;
//   - latency from a complete file in the inbox to its submission, p50/p99,
//     against the bare client's request latency;
//   - peak RSS of the daemon for small files and for one 100,000-payment file;
//   - SFTP pickup, download and idle polling against OpenSSH's sftp client
//     on a real sshd started for the run;
//   - idle CPU and RSS with ten routes watched.
//
// The daemon and the BankIntegration simulator run as separate processes of
// the real erpconnector binary (Options.Bin), so memory and CPU are the
// daemon's alone. Process figures come from /proc: Run works on Linux only.
package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// ErrUnsupported is returned by Run where /proc is not available.
var ErrUnsupported = errors.New("bench reads /proc for memory and CPU figures: run it on Linux")

// Options choose what Run measures and with which binary.
type Options struct {
	Quick bool      // reduced sizes: under a minute on two cores
	Bin   string    // the erpconnector binary to start as daemon and simulator (required)
	Work  string    // directory for generated files, stores and logs; "" = a new temporary one
	Keep  bool      // keep a temporary Work directory instead of removing it
	Log   io.Writer // progress lines; nil = discarded
}

// Result is one measured figure. Baseline is nil where no baseline applies;
// then Note may say why a baseline that should be there is missing.
type Result struct {
	ID       string    `json:"id"`   // stable key, e.g. "parse.mb_per_s", independent of sizes
	Name     string    `json:"name"` // what a person reads, sizes included
	Value    float64   `json:"value"`
	Unit     string    `json:"unit"`
	Baseline *Baseline `json:"baseline,omitempty"`
	Ratio    *float64  `json:"ratio,omitempty"` // Value / Baseline.Value
	Note     string    `json:"note,omitempty"`
}

// Baseline is the yardstick measured in the same run.
type Baseline struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
}

// sizes are the workloads of one run.
type sizes struct {
	parse        int           // payments in the parse-speed file
	parseRuns    int           // best of
	bareReqs     int           // requests the bare client posts
	perFile      int           // payments per small file
	files        int           // small files for throughput
	latencyFiles int           // files dropped one every latencyGap
	big          int           // payments in the one big file
	idleRoutes   int           // routes watched while idle
	idle         time.Duration // idle measuring window
}

const latencyGap = 50 * time.Millisecond

func sizesFor(quick bool) sizes {
	if quick {
		return sizes{parse: 100_000, parseRuns: 3, bareReqs: 200, perFile: 10, files: 200, latencyFiles: 50, big: 10_000, idleRoutes: 10, idle: 5 * time.Second}
	}
	return sizes{parse: 100_000, parseRuns: 3, bareReqs: 200, perFile: 10, files: 1000, latencyFiles: 200, big: 100_000, idleRoutes: 10, idle: 30 * time.Second}
}

// bench is the state of one run.
type bench struct {
	bin     string
	work    string
	log     io.Writer
	xmllint string // path; "" when not installed
	runID   string // keeps payment IDs of separate runs apart
	simURL  string
	sizes   sizes
	results []Result

	// The bare client's figures, yardsticks for the daemon sections.
	bareReqPerSec, bareP50ms float64
}

// Run measures everything and returns the results in the order measured.
// After an error it returns what was measured before it.
func Run(ctx context.Context, opts Options) (results []Result, err error) {
	if runtime.GOOS != "linux" {
		return nil, ErrUnsupported
	}
	if opts.Bin == "" {
		return nil, errors.New("bench: Options.Bin (the erpconnector binary) is required")
	}
	b := newBench(opts.Log)
	b.bin, b.sizes = opts.Bin, sizesFor(opts.Quick)
	if b.work = opts.Work; b.work == "" {
		if b.work, err = os.MkdirTemp("", "erpconnector-bench-"); err != nil {
			return nil, fmt.Errorf("bench: work directory: %w", err)
		}
		if opts.Keep {
			b.logf("work directory kept: %s", b.work)
		} else {
			defer os.RemoveAll(b.work)
		}
	} else if err := os.MkdirAll(b.work, 0o700); err != nil {
		return nil, fmt.Errorf("bench: work directory: %w", err)
	}

	if err := b.parseSection(ctx, b.sizes.parse, b.sizes.parseRuns); err != nil {
		return b.results, err
	}
	stopSim, err := b.startSim(ctx)
	if err != nil {
		return b.results, err
	}
	defer func() {
		if serr := stopSim(); serr != nil && err == nil {
			err = serr
		}
	}()
	sections := []func(context.Context) error{
		func(ctx context.Context) error { return b.bare(ctx, b.sizes.bareReqs, b.sizes.perFile) },
		func(ctx context.Context) error { return b.throughput(ctx, b.sizes.files, b.sizes.perFile) },
		func(ctx context.Context) error { return b.latency(ctx, b.sizes.latencyFiles, b.sizes.perFile) },
		func(ctx context.Context) error { return b.bigFile(ctx, b.sizes.big) },
		func(ctx context.Context) error { return b.sftp(ctx, sftpSizesFor(opts.Quick)) },
		func(ctx context.Context) error { return b.idle(ctx, b.sizes.idleRoutes, b.sizes.idle) },
	}
	for _, s := range sections {
		if err := s(ctx); err != nil {
			return b.results, err
		}
	}
	return b.results, nil
}

func newBench(log io.Writer) *bench {
	if log == nil {
		log = io.Discard
	}
	b := &bench{log: log, runID: strconv.FormatInt(time.Now().UnixNano()/1e6%1e9, 36)}
	if p, err := exec.LookPath("xmllint"); err == nil {
		b.xmllint = p
	}
	return b
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.log, format+"\n", args...)
}

// add records a figure without a baseline.
func (b *bench) add(id, name string, v float64, unit string) {
	b.results = append(b.results, Result{ID: id, Name: name, Value: v, Unit: unit})
	b.logf("  %s: %s", name, strings.TrimSpace(fmtNum(v)+" "+unit))
}

// addNote records a figure whose baseline is missing, and why.
func (b *bench) addNote(id, name string, v float64, unit, note string) {
	b.results = append(b.results, Result{ID: id, Name: name, Value: v, Unit: unit, Note: note})
	b.logf("  %s: %s %s (%s)", name, fmtNum(v), unit, note)
}

// addVs records a figure with its baseline and their ratio value/baseline.
// A zero baseline has no meaningful ratio: the baseline is kept, the ratio
// left out and a note says why.
func (b *bench) addVs(id, name string, v float64, unit string, base Baseline) {
	r := Result{ID: id, Name: name, Value: v, Unit: unit, Baseline: &base}
	if base.Value != 0 {
		ratio := v / base.Value
		r.Ratio = &ratio
	} else {
		r.Note = "baseline is zero: no ratio"
	}
	b.results = append(b.results, r)
	b.logf("  %s: %s %s (baseline %s %s)", name, fmtNum(v), unit, fmtNum(base.Value), base.Unit)
}

// perSecond is n per d, refusing a zero or negative span rather than
// reporting an infinite rate (which JSON cannot carry either).
func perSecond(what string, n int, d time.Duration) (float64, error) {
	if d <= 0 {
		return 0, fmt.Errorf("bench: %s: elapsed time %s is not measurable", what, d)
	}
	v := float64(n) / d.Seconds()
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return 0, fmt.Errorf("bench: %s: %d in %s is not a rate", what, n, d)
	}
	return v, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
