//go:build linux || darwin || freebsd

package folder

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestOpenSwappedIn: between Lstat and open an attacker may swap the file
// for a symlink or a FIFO. openExclusive is what runs after the Lstat, so
// calling it on those is the race lost.
func TestOpenSwappedIn(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(outside, []byte("not yours"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "a.xml")
	if err := os.Symlink(outside, link); err != nil {
		t.Skip(err)
	}
	if rc, err := openExclusive(link); err == nil {
		rc.Close()
		t.Fatal("opened a symlink swapped in (O_NOFOLLOW missing)")
	} else if !errors.Is(err, syscall.ELOOP) && !errors.Is(err, syscall.EMLINK) {
		t.Logf("refused with %v", err)
	}

	fifo := filepath.Join(dir, "b.xml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip(err)
	}
	done := make(chan error, 1)
	go func() {
		rc, err := openExclusive(fifo)
		if rc != nil {
			rc.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, ErrUnsafeName) {
			t.Errorf("FIFO swapped in: %v, want ErrUnsafeName", err)
		}
	case <-time.After(5 * time.Second):
		// Unblock the stuck open so the test can end.
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
		t.Fatal("opening a FIFO swapped in blocked")
	}

	// And through the public API both are refused at the Lstat already.
	l := &Local{Dir: dir}
	for _, name := range []string{"a.xml", "b.xml"} {
		if _, err := l.Open(ctx, name); !errors.Is(err, ErrUnsafeName) {
			t.Errorf("Open(%s) = %v", name, err)
		}
	}
	if got := listNames(t, l); len(got) != 0 {
		t.Errorf("List shows %q", got)
	}
}
