package service

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

func readLog(t *testing.T, path string, keep int) (current string, backups []string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= keep+1; i++ {
		bb, err := os.ReadFile(fmt.Sprintf("%s.%d", path, i))
		if errors.Is(err, os.ErrNotExist) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		backups = append(backups, string(bb))
	}
	return string(b), backups
}

func TestRotatingFileRotation(t *testing.T) {
	for _, tc := range []struct {
		name         string
		max          int64
		keep, lines  int
		wantBackups  int
		wantLastLine int // first line number in the current file
	}{
		// Each line is 8 bytes ("line 01\n"); 3 fit in 24 bytes.
		{"no rotation", 24, 2, 3, 0, 1},
		{"one rotation", 24, 2, 4, 1, 4},
		{"oldest dropped", 24, 2, 12, 2, 10},
		{"keep none", 24, 0, 7, 0, 7},
		{"record bigger than limit", 4, 3, 3, 2, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "log", "erpconnector.log")
			r, err := OpenRotatingFile(p, tc.max, tc.keep)
			if err != nil {
				t.Fatal(err)
			}
			var all []string
			for i := 1; i <= tc.lines; i++ {
				line := fmt.Sprintf("line %02d\n", i)
				all = append(all, line)
				if n, err := r.Write([]byte(line)); err != nil || n != len(line) {
					t.Fatalf("write: %d %v", n, err)
				}
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			cur, backups := readLog(t, p, tc.keep)
			if len(backups) != tc.wantBackups {
				t.Fatalf("%d backups, want %d", len(backups), tc.wantBackups)
			}
			if !strings.HasPrefix(cur, fmt.Sprintf("line %02d\n", tc.wantLastLine)) {
				t.Errorf("current file starts %q, want line %d", cur, tc.wantLastLine)
			}
			// Oldest backup first, then the current file: the newest lines,
			// in order, none split or lost inside what is kept.
			kept := ""
			for i := len(backups) - 1; i >= 0; i-- {
				if int64(len(backups[i])) > max(tc.max, 8) {
					t.Errorf("backup %d has %d bytes, limit %d", i+1, len(backups[i]), tc.max)
				}
				kept += backups[i]
			}
			kept += cur
			if !strings.HasSuffix(strings.Join(all, ""), kept) {
				t.Errorf("kept log is not the tail of what was written:\n%q", kept)
			}
			if _, err := os.Stat(fmt.Sprintf("%s.%d", p, tc.keep+1)); tc.keep > 0 && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("more than keep=%d backups exist", tc.keep)
			}
		})
	}
}

func TestRotatingFilePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows uses the folder's ACL")
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "erpconnector.log")
	// A file left wide open (by an earlier version or a copy) is tightened.
	if err := os.WriteFile(p, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := OpenRotatingFile(p, 8, 2)
	if err != nil {
		t.Fatal(err)
	}
	r.Write([]byte("first line\n")) // rotates: "old" goes to .1
	r.Write([]byte("second line\n"))
	r.Close()
	for _, f := range []string{p, p + ".1", p + ".2"} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %04o, want 0600", filepath.Base(f), fi.Mode().Perm())
		}
	}
	if b, _ := os.ReadFile(p + ".2"); string(b) != "old\n" {
		t.Errorf("existing content must be appended to, then rotated: %q", b)
	}
	sub := filepath.Join(dir, "new", "logs", "x.log")
	r, err = OpenRotatingFile(sub, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	if fi, _ := os.Stat(filepath.Dir(sub)); fi.Mode().Perm() != 0o700 {
		t.Errorf("log folder mode %04o, want 0700", fi.Mode().Perm())
	}
	if r.maxSize != DefaultLogMaxSize || r.keep != DefaultLogKeep {
		t.Errorf("defaults: %d %d", r.maxSize, r.keep)
	}
}

func TestRotatingFileAppendsAcrossRestarts(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.log")
	for _, s := range []string{"one\n", "two\n"} {
		r, err := OpenRotatingFile(p, 100, 1)
		if err != nil {
			t.Fatal(err)
		}
		r.Write([]byte(s))
		r.Close()
	}
	if b, _ := os.ReadFile(p); string(b) != "one\ntwo\n" {
		t.Errorf("content %q", b)
	}
	// The size of the existing file counts towards the limit.
	r, _ := OpenRotatingFile(p, 10, 1)
	r.Write([]byte("three\n"))
	r.Close()
	if b, _ := os.ReadFile(p + ".1"); string(b) != "one\ntwo\n" {
		t.Errorf("rotation must count the existing size: .1 = %q", b)
	}
}

func TestRotatingFileRotationFailureKeepsLogging(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.log")
	// A non-empty directory where the oldest backup goes: removing it fails
	// (on Windows: an antivirus scanner holding the file).
	if err := os.MkdirAll(filepath.Join(p+".1", "busy"), 0o700); err != nil {
		t.Fatal(err)
	}
	r, err := OpenRotatingFile(p, 8, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"aaaaaa\n", "bbbbbb\n", "cccccc\n"} {
		if _, err := r.Write([]byte(s)); err != nil {
			t.Fatalf("write must not fail when rotation does: %v", err)
		}
	}
	if r.Err() == nil {
		t.Error("Err must report the failed rotation")
	}
	if err := r.Rotate(); err == nil {
		t.Error("forced rotation must fail too")
	}
	r.Close()
	if b, _ := os.ReadFile(p); string(b) != "aaaaaa\nbbbbbb\ncccccc\n" {
		t.Errorf("no line may be lost: %q", b)
	}
	if _, err := r.Write([]byte("x")); !errors.Is(err, ErrClosed) {
		t.Errorf("write after close: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}

func TestRotatingFileConcurrent(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.log")
	r, err := OpenRotatingFile(p, 200, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var want []string
	for g := range 4 {
		for i := range 100 {
			want = append(want, fmt.Sprintf("g%d line %03d", g, i))
		}
		wg.Go(func() {
			for i := range 100 {
				r.Write(fmt.Appendf(nil, "g%d line %03d\n", g, i))
			}
		})
	}
	wg.Wait()
	r.Close()
	cur, backups := readLog(t, p, 1000)
	var got []string
	for _, s := range append(backups, cur) {
		for l := range strings.Lines(s) {
			got = append(got, strings.TrimSuffix(l, "\n"))
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("lines lost, split or duplicated: %d lines, want %d", len(got), len(want))
	}
}

func BenchmarkRotatingFileWrite(b *testing.B) {
	r, err := OpenRotatingFile(filepath.Join(b.TempDir(), "a.log"), 1<<20, 2)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	line := []byte(`time=2026-01-02T03:04:05Z level=INFO msg="file claimed" route=kb file=pay.xml sha256=0123456789abcdef` + "\n")
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		r.Write(line)
	}
}
