package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestMoveAcrossVolumes: /dev/shm is usually another file system (tmpfs), so
// the rename fails with EXDEV and Move copies, fsyncs, then removes.
func TestMoveAcrossVolumes(t *testing.T) {
	other, err := os.MkdirTemp("/dev/shm", "fsutil-test-")
	if err != nil {
		t.Skip("no /dev/shm:", err)
	}
	t.Cleanup(func() { os.RemoveAll(other) })
	dir := t.TempDir()
	var a, b syscall.Stat_t
	if syscall.Stat(dir, &a) != nil || syscall.Stat(other, &b) != nil || a.Dev == b.Dev {
		t.Skip("/dev/shm is on the same device as the temp folder")
	}
	from := filepath.Join(dir, "a.xml")
	if err := os.WriteFile(from, []byte("payment"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(from, filepath.Join(other, "probe")); !errors.Is(err, syscall.EXDEV) {
		t.Skipf("rename across was not EXDEV: %v", err)
	}
	to := filepath.Join(other, "archive", "a.xml")
	if err := Move(from, to); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(from); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("source still there: %v", err)
	}
	if got := readFile(t, to); got != "payment" {
		t.Errorf("content %q", got)
	}
	if got := names(t, filepath.Join(other, "archive")); len(got) != 1 {
		t.Errorf("destination folder holds %q, want only the file", got)
	}
}
