package bench

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"erpconnector/internal/testenv"
)

// The SFTP section against the real sshd, at toy sizes: every figure is
// there, positive, with the OpenSSH client's baseline and ratio = value /
// baseline, and the pickup pass leaves the files where it found them.
func TestSFTPSection(t *testing.T) {
	testenv.StartSSHD(t) // skips (fails in CI) without sshd, as the section would note
	testenv.Tool(t, "sftp")
	b := newBench(nil)
	b.work = t.TempDir()
	sz := sftpSizes{small: 6, bigFiles: 1, bigBytes: 1 << 20, pollFiles: 40, polls: 2}
	if err := b.sftp(context.Background(), sz); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"sftp.download_files_per_s": true, "sftp.pickup_files_per_s": true, "sftp.big_mb_per_s": true, "sftp.poll_cpu_ms": true}
	for _, r := range b.results {
		if !want[r.ID] {
			continue
		}
		delete(want, r.ID)
		if r.Baseline == nil || r.Ratio == nil {
			t.Errorf("%s has no baseline or ratio: %+v", r.ID, r)
			continue
		}
		if r.Value < 0 || r.Baseline.Value <= 0 || *r.Ratio != r.Value/r.Baseline.Value {
			t.Errorf("%s: value %v baseline %v ratio %v", r.ID, r.Value, r.Baseline.Value, *r.Ratio)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing results: %v (got %+v)", want, b.results)
	}
	left, _ := filepath.Glob(filepath.Join(b.work, "sftp", "small", "*.xml"))
	if len(left) != sz.small {
		t.Errorf("%d small files back in place after the pickup pass, want %d", len(left), sz.small)
	}
	got, _ := os.ReadDir(filepath.Join(b.work, "sftp", "pick-small"))
	if len(got) != sz.small {
		t.Errorf("pickup copied %d files, want %d", len(got), sz.small)
	}
}
