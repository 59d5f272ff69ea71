package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"

	"erpconnector/formats/pain001"
)

// xmllintMissing is the note on the parse rows when there is no yardstick.
const xmllintMissing = "xmllint not installed"

// parseSection times formats/pain001 reading a generated pain.001.001.03 file
// of n payments (every payment read, count, total and problems checked) and
// `xmllint --stream --noout` on the same file, each the best of runs. The
// file is read from the page cache both times. Wall time is what a user
// waits; CPU time is the fairer comparison on a busy machine, since our
// reader's garbage collector may use a second core and xmllint's cannot.
func (b *bench) parseSection(ctx context.Context, n, runs int) error {
	path := filepath.Join(b.work, "parse", fmt.Sprintf("pain001-%d.xml", n))
	size, err := b.writeFile(path, 4_000_000, n)
	if err != nil {
		return err
	}
	mb := float64(size) / 1e6
	b.logf("parse: pain.001 of %d payments (%.1f MB), best of %d", n, mb, runs)

	var ours, oursCPU time.Duration
	for r := 0; r < runs; r++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		runtime.GC() // each run starts from the same heap
		t0, c0 := time.Now(), processCPU()
		if err := readPain001(path, n); err != nil {
			return err
		}
		el, cpu := time.Since(t0), processCPU()-c0
		ours, oursCPU = best(ours, el, r), best(oursCPU, cpu, r)
	}

	name := fmt.Sprintf("pain.001 parse, %d payments (%.0f MB), best of %d", n, mb, runs)
	cpuName := fmt.Sprintf("pain.001 parse per CPU second, %d payments", n)
	oursMBs, err := perSecond("parse", 1, ours)
	if err != nil {
		return err
	}
	oursMBs *= mb
	if b.xmllint == "" {
		b.addNote("parse.mb_per_s", name, oursMBs, "MB/s", xmllintMissing)
		if oursCPU > 0 {
			b.addNote("parse.mb_per_cpu_s", cpuName, mb/oursCPU.Seconds(), "MB/cpu-s", xmllintMissing)
		}
		return nil
	}

	var lint, lintCPU time.Duration
	for r := 0; r < runs; r++ {
		el, cpu, err := b.runXmllint(ctx, path)
		if err != nil {
			return err
		}
		lint, lintCPU = best(lint, el, r), best(lintCPU, cpu, r)
	}
	lintMBs, err := perSecond("xmllint", 1, lint)
	if err != nil {
		return err
	}
	b.addVs("parse.mb_per_s", name, oursMBs, "MB/s", Baseline{"xmllint --stream --noout, same file", lintMBs * mb, "MB/s"})
	// Rusage counts in microseconds; a file too small to register on either
	// side has no per-CPU figure rather than a made-up one.
	if oursCPU > 0 && lintCPU > 0 {
		b.addVs("parse.mb_per_cpu_s", cpuName, mb/oursCPU.Seconds(), "MB/cpu-s",
			Baseline{"xmllint --stream --noout, same file", mb / lintCPU.Seconds(), "MB/cpu-s"})
	}
	return nil
}

// best is the smaller of the best so far and d; run 0 has no best yet.
func best(sofar, d time.Duration, run int) time.Duration {
	if run == 0 {
		return d
	}
	return min(sofar, d)
}

// readPain001 reads every payment of the file and checks that it holds
// exactly what the generator wrote: a reader that skipped or misread
// payments would otherwise look fast.
func readPain001(path string, n int) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer f.Close()
	r := pain001.NewReader(f)
	var count int
	var total int64
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("bench: reading %s: %w", path, err)
		}
		total += p.Amount.Minor
		count++
	}
	if probs := r.Problems(); probs.Len() > 0 {
		return fmt.Errorf("bench: reading %s: %d problems, first: %s", path, probs.Len(), probs.List()[0])
	}
	if count != n || total != totalMinor(n) {
		return fmt.Errorf("bench: reading %s: %d payments totalling %d øre, want %d totalling %d", path, count, total, n, totalMinor(n))
	}
	return nil
}

// runXmllint times one `xmllint --stream --noout path`: wall time, and the
// child's user+system CPU.
func (b *bench) runXmllint(ctx context.Context, path string) (wall, cpu time.Duration, err error) {
	cmd := exec.CommandContext(ctx, b.xmllint, "--stream", "--noout", path)
	t0 := time.Now()
	out, err := cmd.CombinedOutput()
	wall = time.Since(t0)
	if err != nil {
		return 0, 0, fmt.Errorf("bench: %s --stream --noout %s: %v\n%s", b.xmllint, path, err, out)
	}
	return wall, cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), nil
}
