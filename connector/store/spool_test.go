package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

func spoolNames(t *testing.T, sp Spool) []string {
	t.Helper()
	des, err := os.ReadDir(sp.Dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, de := range des {
		out = append(out, de.Name())
	}
	return out
}

func sum(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func TestSpoolFor(t *testing.T) {
	p := filepath.Join("var", "erpconnector.db")
	if got := SpoolFor(p).Dir; got != filepath.Join("var", "spool") {
		t.Errorf("SpoolFor = %q", got)
	}
}

func TestSpoolPut(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 100_000) // 1 MB, several copy buffers
	cases := []struct {
		name    string
		content []byte
		limit   int64
		tooBig  bool
	}{
		{"small", []byte("<Document/>"), 0, false},
		{"empty file", []byte{}, 0, false},
		{"large, no limit", big, 0, false},
		{"exactly the limit", []byte("12345"), 5, false},
		{"one byte over", []byte("123456"), 5, true},
		{"far over", big, 1000, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sp := SpoolFor(filepath.Join(t.TempDir(), "erpconnector.db"))
			sha, size, path, err := sp.Put(bytes.NewReader(tc.content), tc.limit)
			if tc.tooBig {
				if !errors.Is(err, ErrTooLarge) {
					t.Fatalf("Put: %v, want ErrTooLarge", err)
				}
				if names := spoolNames(t, sp); len(names) != 0 {
					t.Errorf("a refused file left %q in the spool", names)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if sha != sum(tc.content) || size != int64(len(tc.content)) || path != filepath.Join(sp.Dir, sha) || sp.Path(sha) != path {
				t.Errorf("Put = %s, %d, %s", sha, size, path)
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, tc.content) {
				t.Errorf("spooled copy differs (%d bytes, %v)", len(got), err)
			}
			if names := spoolNames(t, sp); len(names) != 1 || names[0] != sha {
				t.Errorf("spool holds %q, want only %s", names, sha)
			}
			if runtime.GOOS != "windows" {
				for p, want := range map[string]os.FileMode{path: 0o600, sp.Dir: 0o700} {
					fi, err := os.Stat(p)
					if err != nil {
						t.Fatal(err)
					}
					if fi.Mode().Perm() != want {
						t.Errorf("%s has mode %04o, want %04o", p, fi.Mode().Perm(), want)
					}
				}
			}
		})
	}
}

// TestSpoolSameContentOnce: the same bytes (a duplicate drop, or a claim
// redone after a crash) are kept once; different bytes side by side.
func TestSpoolSameContentOnce(t *testing.T) {
	sp := Spool{Dir: filepath.Join(t.TempDir(), "spool")}
	a := []byte("payment file A")
	sha1, _, p1, err := sp.Put(bytes.NewReader(a), 0)
	if err != nil {
		t.Fatal(err)
	}
	sha2, _, p2, err := sp.Put(bytes.NewReader(a), 0)
	if err != nil {
		t.Fatal(err)
	}
	if sha1 != sha2 || p1 != p2 {
		t.Errorf("same content spooled as %s and %s", p1, p2)
	}
	if names := spoolNames(t, sp); len(names) != 1 {
		t.Errorf("spool holds %q after the same content twice", names)
	}
	if _, _, _, err := sp.Put(strings.NewReader("payment file B"), 0); err != nil {
		t.Fatal(err)
	}
	if names := spoolNames(t, sp); len(names) != 2 {
		t.Errorf("spool holds %q, want two files", names)
	}
	if b, _ := os.ReadFile(p1); !bytes.Equal(b, a) {
		t.Error("the first copy changed")
	}
}

// TestSpoolReadError: a read that fails half way spools nothing.
func TestSpoolReadError(t *testing.T) {
	sp := Spool{Dir: filepath.Join(t.TempDir(), "spool")}
	boom := errors.New("network share went away")
	r := io.MultiReader(strings.NewReader("half a file"), iotest.ErrReader(boom))
	if _, _, _, err := sp.Put(r, 0); !errors.Is(err, boom) {
		t.Fatalf("Put: %v, want the read error", err)
	}
	if names := spoolNames(t, sp); len(names) != 0 {
		t.Errorf("a failed read left %q", names)
	}
}

// TestSpoolUnwritable: a spool folder that cannot be created is an error, not
// a panic or a silent success.
func TestSpoolUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	sp := Spool{Dir: filepath.Join(file, "spool")}
	if _, _, _, err := sp.Put(strings.NewReader("x"), 0); err == nil {
		t.Fatal("Put under a file succeeded")
	}
}

func BenchmarkSpoolPut(b *testing.B) {
	sp := Spool{Dir: filepath.Join(b.TempDir(), "spool")}
	data := bytes.Repeat([]byte("x"), 64<<10)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, _, err := sp.Put(bytes.NewReader(data), 0); err != nil {
			b.Fatal(err)
		}
	}
}
