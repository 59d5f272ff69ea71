package fsutil

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// names lists a folder, sorted.
func names(t *testing.T, dir string) []string {
	t.Helper()
	des, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		out = append(out, de.Name())
	}
	slices.Sort(out)
	return out
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "status.xml")
	if err := WriteFile(p, []byte("first"), 0o640); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); got != "first" {
		t.Errorf("content %q", got)
	}
	// Replacing is atomic too: the old content until the new one is complete.
	if err := WriteFile(p, []byte("second, longer"), 0o640); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); got != "second, longer" {
		t.Errorf("content %q", got)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"status.xml"}) {
		t.Errorf("folder holds %q, want only the file (no temporary left)", got)
	}
	if err := WriteFile(filepath.Join(dir, "missing", "x"), []byte("x"), 0o640); err == nil {
		t.Error("WriteFile into a missing folder succeeded")
	}
}

func TestCreateCommit(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.csv")
	a, err := Create(p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Base(a.Name())
	if !strings.HasPrefix(tmp, TempPrefix) || filepath.Dir(a.Name()) != dir {
		t.Errorf("temporary %q: want %s* in the final folder", a.Name(), TempPrefix)
	}
	if _, err := a.Write([]byte("a;b\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("final name exists before Commit: %v", err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{tmp}) {
		t.Errorf("before Commit the folder holds %q, want only the temporary", got)
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); got != "a;b\n" {
		t.Errorf("content %q", got)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"out.csv"}) {
		t.Errorf("after Commit the folder holds %q", got)
	}
	if err := a.Commit(); err == nil {
		t.Error("a second Commit succeeded")
	}
	a.Abort() // safe after Commit: must not remove the committed file
	if _, err := os.Stat(p); err != nil {
		t.Errorf("Abort after Commit removed the file: %v", err)
	}
}

func TestAbort(t *testing.T) {
	dir := t.TempDir()
	a, err := Create(filepath.Join(dir, "x"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	a.Write([]byte("partial"))
	a.Abort()
	a.Abort() // twice is harmless
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("after Abort the folder holds %q", got)
	}
	if err := a.Commit(); err == nil {
		t.Error("Commit after Abort succeeded")
	}
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("Commit after Abort left %q", got)
	}
}

// TestFailedWriteLeavesNothing: a write error sticks, Commit reports it and
// neither the final name nor the temporary remains.
func TestFailedWriteLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.xml")
	a, err := Create(p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	a.Write([]byte("ok so far"))
	a.f.Close() // the disk goes away
	if _, err := a.Write([]byte("more")); err == nil {
		t.Fatal("write to a closed file succeeded")
	}
	if _, err := a.Write([]byte("even more")); err == nil {
		t.Fatal("the first write error did not stick")
	}
	err = a.Commit()
	if err == nil || !strings.Contains(err.Error(), "writing "+p) {
		t.Fatalf("Commit: %v", err)
	}
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("after a failed write the folder holds %q", got)
	}
}

// TestFailedRenameLeavesNothing: the final name is taken by a folder, so the
// rename fails; the temporary is removed and the folder untouched.
func TestFailedRenameLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "x.xml")
	if err := os.Mkdir(p, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(p, "keep"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := Create(p, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	a.Write([]byte("data"))
	if err := a.Commit(); err == nil {
		t.Fatal("Commit over a non-empty folder succeeded")
	}
	if got := names(t, dir); !slices.Equal(got, []string{"x.xml"}) {
		t.Errorf("folder holds %q", got)
	}
	if got := names(t, p); !slices.Equal(got, []string{"keep"}) {
		t.Errorf("the folder in the way holds %q", got)
	}
}

func TestCommitAs(t *testing.T) {
	dir := t.TempDir()
	a, err := Create(filepath.Join(dir, "incoming"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	a.Write([]byte("content"))
	final := filepath.Join(dir, "0123abcd")
	if err := a.CommitAs(final); err != nil {
		t.Fatal(err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{"0123abcd"}) {
		t.Errorf("folder holds %q, want only the name given to CommitAs", got)
	}
	if got := readFile(t, final); got != "content" {
		t.Errorf("content %q", got)
	}
}

// TestLongName: a final name near the 255-byte limit still gets a temporary.
func TestLongName(t *testing.T) {
	dir := t.TempDir()
	name := strings.Repeat("č", 120) + ".xml" // 244 bytes
	if err := WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := names(t, dir); !slices.Equal(got, []string{name}) {
		t.Errorf("folder holds %q", got)
	}
}

func TestModes(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes on Windows")
	}
	dir := t.TempDir()
	cases := []struct {
		mode os.FileMode
	}{{0o600}, {0o640}}
	for _, tc := range cases {
		p := filepath.Join(dir, tc.mode.String())
		if err := WriteFile(p, []byte("x"), tc.mode); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		// The umask may take bits away, never add them.
		if got := fi.Mode().Perm(); got&^tc.mode != 0 || got&0o600 != 0o600 {
			t.Errorf("mode %04o, want %04o or less (and owner rw)", got, tc.mode)
		}
	}
	// A temporary is never readable by more than its final file will be.
	a, err := Create(filepath.Join(dir, "secret"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Abort()
	fi, err := os.Stat(a.Name())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("temporary of a 0600 file has mode %04o", fi.Mode().Perm())
	}
}

func TestMove(t *testing.T) {
	cases := []struct {
		name string
		to   string // relative to the test folder
	}{
		{"rename within the folder", "b.xml"},
		{"into another folder, created", "archive/2026-11/a.xml"},
		{"into an existing folder", "existing/a.xml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.Mkdir(filepath.Join(dir, "existing"), 0o700); err != nil {
				t.Fatal(err)
			}
			from := filepath.Join(dir, "a.xml")
			if err := os.WriteFile(from, []byte("payment"), 0o600); err != nil {
				t.Fatal(err)
			}
			to := filepath.Join(dir, filepath.FromSlash(tc.to))
			if err := Move(from, to); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Lstat(from); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("source still there: %v", err)
			}
			if got := readFile(t, to); got != "payment" {
				t.Errorf("content %q", got)
			}
		})
	}
	t.Run("missing source", func(t *testing.T) {
		dir := t.TempDir()
		err := Move(filepath.Join(dir, "nope"), filepath.Join(dir, "x", "nope"))
		if !errors.Is(err, os.ErrNotExist) {
			t.Errorf("Move of a missing file: %v", err)
		}
	})
}

func TestFreeName(t *testing.T) {
	cases := []struct {
		name     string
		existing []string
		want     string
	}{
		{"pay.xml", nil, "pay.xml"},
		{"pay.xml", []string{"pay.xml"}, "pay (2).xml"},
		{"pay.xml", []string{"pay.xml", "pay (2).xml", "pay (3).xml"}, "pay (4).xml"},
		{"pay.xml", []string{"pay.xml", "pay (3).xml"}, "pay (2).xml"},
		{"PAY", []string{"PAY"}, "PAY (2)"},
		{"a.tar.gz", []string{"a.tar.gz"}, "a.tar (2).gz"},
		{"dangling", []string{"dangling->nowhere"}, "dangling (2)"}, // a symlink counts as taken
	}
	for _, tc := range cases {
		t.Run(tc.name+"/"+strings.Join(tc.existing, ","), func(t *testing.T) {
			dir := t.TempDir()
			for _, e := range tc.existing {
				if name, target, ok := strings.Cut(e, "->"); ok {
					if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
						t.Skip("symlinks unavailable:", err)
					}
					continue
				}
				if err := os.WriteFile(filepath.Join(dir, e), nil, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if got := FreeName(filepath.Join(dir, tc.name)); got != filepath.Join(dir, tc.want) {
				t.Errorf("FreeName = %q, want %q", filepath.Base(got), tc.want)
			}
		})
	}
	// A path that cannot be examined (its folder is a file) is returned as
	// is, promptly; the move that follows reports why.
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(file, "x.xml")
	if got := FreeName(p); got != p {
		t.Errorf("FreeName under a file = %q", got)
	}
}

func TestSyncDir(t *testing.T) {
	if err := SyncDir(t.TempDir()); err != nil {
		t.Error(err)
	}
	if runtime.GOOS != "windows" {
		if err := SyncDir(filepath.Join(t.TempDir(), "missing")); err == nil {
			t.Error("SyncDir of a missing folder succeeded")
		}
	}
}

func BenchmarkWriteFile(b *testing.B) {
	dir := b.TempDir()
	data := []byte(strings.Repeat("x", 4096))
	p := filepath.Join(dir, "f")
	for b.Loop() {
		if err := WriteFile(p, data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
}
