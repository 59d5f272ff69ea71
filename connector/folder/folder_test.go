package folder

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"erpconnector/connector/fsutil"
)

var ctx = context.Background()

func TestCheckName(t *testing.T) {
	cases := []struct {
		name string
		ok   bool
	}{
		{"payment.xml", true},
		{"KPC_20261121_01.kpc", true},
		{"Platby č. 5 – listopad.csv", true},
		{".hidden", true}, // safe; ignore patterns decide about dot files
		{"a..b", true},
		{"...", true},
		{"", false},
		{".", false},
		{"..", false},
		{"../x", false},
		{"a/b", false},
		{"/etc", false},
		{`a\b`, false},
		{`..\x`, false},
		{"C:x", false},
		{"C:", false},
		{"file.xml:stream", false},
		{"a\x00b", false},
		{"a\nb", false},
		{"a\rb", false},
		{"tab\there", false},
		{"del\x7f", false},
		{"c1\u0085", false},
		{"c1\u009b", false},
	}
	for _, tc := range cases {
		err := CheckName(tc.name)
		if tc.ok && err != nil {
			t.Errorf("CheckName(%q) = %v, want ok", tc.name, err)
		}
		if !tc.ok && !errors.Is(err, ErrUnsafeName) {
			t.Errorf("CheckName(%q) = %v, want ErrUnsafeName", tc.name, err)
		}
	}
}

func TestIgnored(t *testing.T) {
	patterns := []string{"*.tmp", "*.part", "~*", ".*"}
	cases := []struct {
		name string
		want bool
	}{
		{"pay.xml", false},
		{"pay.tmp", true},
		{"PAY.TMP", true},
		{"pay.Part", true},
		{"~lock.xml", true},
		{".pay.xml", true},
		{fsutil.TempPrefix + "abc-pay.xml", true},
		{"pay.tmp.xml", false},
		{"pay~.xml", false},
	}
	for _, tc := range cases {
		if got := Ignored(tc.name, patterns); got != tc.want {
			t.Errorf("Ignored(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !Ignored("X.KPC", []string{"*.kpc"}) || !Ignored("x.kpc", []string{"*.KPC"}) {
		t.Error("patterns must match case-insensitively both ways")
	}
	if Ignored("anything", nil) {
		t.Error("no patterns ignore nothing")
	}
}

func newLocal(t *testing.T) *Local {
	t.Helper()
	l, err := NewLocal(filepath.Join(t.TempDir(), "inbox"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func write(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func listNames(t *testing.T, l *Local) []string {
	t.Helper()
	es, err := l.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	slices.Sort(out)
	return out
}

func TestNewLocalCreatesFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	l, err := NewLocal(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("folder not created: %v", err)
	}
	if l.String() != dir {
		t.Errorf("String() = %q", l.String())
	}
}

func TestList(t *testing.T) {
	l := newLocal(t)
	outside := filepath.Join(t.TempDir(), "secret.txt")
	write(t, outside, "not yours")
	write(t, filepath.Join(l.Dir, "a.xml"), "12345")
	write(t, filepath.Join(l.Dir, "b.csv"), "")
	write(t, filepath.Join(l.Dir, "archive", "old.xml"), "old")
	write(t, filepath.Join(l.Dir, fsutil.TempPrefix+"0a1b-c.xml"), "half")
	if runtime.GOOS != "windows" {
		write(t, filepath.Join(l.Dir, "bad\nname.xml"), "x")
		write(t, filepath.Join(l.Dir, `back\slash.xml`), "x")
		write(t, filepath.Join(l.Dir, "C:x"), "x")
	}
	symlinks := true
	for name, target := range map[string]string{"link-out.xml": outside, "link-in.xml": filepath.Join(l.Dir, "a.xml"), "link-dir": filepath.Join(l.Dir, "archive")} {
		if err := os.Symlink(target, filepath.Join(l.Dir, name)); err != nil {
			symlinks = false
		}
	}
	if !symlinks {
		t.Log("symlinks unavailable; listing checked without them")
	}
	es, err := l.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(es, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	if len(es) != 2 || es[0].Name != "a.xml" || es[1].Name != "b.csv" {
		t.Fatalf("List = %+v, want only a.xml and b.csv", es)
	}
	fi, _ := os.Stat(filepath.Join(l.Dir, "a.xml"))
	if es[0].Size != 5 || !es[0].ModTime.Equal(fi.ModTime()) || es[1].Size != 0 {
		t.Errorf("entries carry wrong size/mtime: %+v", es)
	}
	if _, err := (&Local{Dir: filepath.Join(l.Dir, "missing")}).List(ctx); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("List of a missing folder: %v", err)
	}
}

func TestOpen(t *testing.T) {
	l := newLocal(t)
	outside := filepath.Join(t.TempDir(), "secret.txt")
	write(t, outside, "not yours")
	write(t, filepath.Join(l.Dir, "a.xml"), "payment")
	write(t, filepath.Join(l.Dir, "sub", "x"), "x")
	haveLink := os.Symlink(outside, filepath.Join(l.Dir, "link.xml")) == nil
	cases := []struct {
		name string
		want error // nil: opens and reads "payment"
		skip bool
	}{
		{"a.xml", nil, false},
		{"missing.xml", os.ErrNotExist, false},
		{"link.xml", ErrUnsafeName, !haveLink},
		{"sub", ErrUnsafeName, false},
		{"../" + filepath.Base(outside), ErrUnsafeName, false},
		{"sub/x", ErrUnsafeName, false},
		{"", ErrUnsafeName, false},
	}
	for _, tc := range cases {
		if tc.skip {
			continue
		}
		rc, err := l.Open(ctx, tc.name)
		if tc.want != nil {
			if !errors.Is(err, tc.want) {
				t.Errorf("Open(%q) = %v, want %v", tc.name, err, tc.want)
			}
			if rc != nil {
				rc.Close()
			}
			continue
		}
		if err != nil {
			t.Fatalf("Open(%q): %v", tc.name, err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(b) != "payment" {
			t.Errorf("read %q, %v", b, err)
		}
	}
}

func TestCreateAtomic(t *testing.T) {
	l := newLocal(t)
	w, err := l.Create(ctx, "status.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, "<Document/>"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(l.Dir, "status.xml")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("final name visible before Close: %v", err)
	}
	des, _ := os.ReadDir(l.Dir)
	if len(des) != 1 || !strings.HasPrefix(des[0].Name(), fsutil.TempPrefix) {
		t.Fatalf("while writing the folder holds %v, want one %s* temporary", des, fsutil.TempPrefix)
	}
	if got := listNames(t, l); len(got) != 0 {
		t.Errorf("List shows the temporary: %q", got)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(l.Dir, "status.xml"))
	if err != nil || string(b) != "<Document/>" {
		t.Fatalf("after Close: %q, %v", b, err)
	}
	if des, _ := os.ReadDir(l.Dir); len(des) != 1 {
		t.Errorf("after Close the folder holds %v", des)
	}
	if _, err := l.Create(ctx, "../escape.xml"); !errors.Is(err, ErrUnsafeName) {
		t.Errorf("Create outside: %v", err)
	}
}

// TestCreateFailureLeavesNothing: when the file cannot be put in place, Close
// says so and neither the final name nor a temporary is left behind.
func TestCreateFailureLeavesNothing(t *testing.T) {
	l := newLocal(t)
	write(t, filepath.Join(l.Dir, "status.xml", "keep"), "") // a folder in the way
	w, err := l.Create(ctx, "status.xml")
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(w, "data")
	if err := w.Close(); err == nil {
		t.Fatal("Close succeeded although the name is a folder")
	}
	des, _ := os.ReadDir(l.Dir)
	if len(des) != 1 || des[0].Name() != "status.xml" || !des[0].IsDir() {
		t.Errorf("folder holds %v, want only the folder that was in the way", des)
	}
}

func TestRename(t *testing.T) {
	cases := []struct {
		from, to string
		ok       bool
	}{
		{"a.xml", "b.xml", true},
		{"a.xml", "archive/2026-11/a.xml", true},
		{"a.xml", "error/a.xml", true},
		{"a.xml", "../a.xml", false},
		{"a.xml", "archive/../../a.xml", false},
		{"a.xml", "archive/../a2.xml", false}, // no ".." at all, even when it stays inside
		{"a.xml", "/tmp/a.xml", false},
		{"a.xml", "", false},
		{"a.xml", "archive/", false},
		{"a.xml", "archive//a.xml", false},
		{"a.xml", "./a.xml", false},
		{"a.xml", `..\a.xml`, false},
		{"a.xml", "C:a.xml", false},
		{"../a.xml", "b.xml", false},
		{"missing.xml", "b.xml", false},
	}
	for _, tc := range cases {
		t.Run(tc.from+"->"+tc.to, func(t *testing.T) {
			root := t.TempDir()
			l, err := NewLocal(filepath.Join(root, "inbox"))
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(l.Dir, "a.xml"), "payment")
			err = l.Rename(ctx, tc.from, tc.to)
			if !tc.ok {
				if err == nil {
					t.Fatal("Rename succeeded")
				}
				if b, rerr := os.ReadFile(filepath.Join(l.Dir, "a.xml")); rerr != nil || string(b) != "payment" {
					t.Errorf("a refused rename touched the file: %v", rerr)
				}
				if des, _ := os.ReadDir(root); len(des) != 1 {
					t.Errorf("a refused rename wrote outside the folder: %v", des)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(filepath.Join(l.Dir, filepath.FromSlash(tc.to)))
			if err != nil || string(b) != "payment" {
				t.Errorf("moved file: %q, %v", b, err)
			}
			if _, err := os.Lstat(filepath.Join(l.Dir, "a.xml")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("source still there: %v", err)
			}
			if strings.Contains(tc.to, "/") {
				if got := listNames(t, l); len(got) != 0 {
					t.Errorf("List after moving into a subfolder: %q", got)
				}
			}
		})
	}
}

func TestRemove(t *testing.T) {
	l := newLocal(t)
	write(t, filepath.Join(l.Dir, "a.xml.ok"), "")
	if err := l.Remove(ctx, "a.xml.ok"); err != nil {
		t.Fatal(err)
	}
	if got := listNames(t, l); len(got) != 0 {
		t.Errorf("after Remove: %q", got)
	}
	if err := l.Remove(ctx, "../x"); !errors.Is(err, ErrUnsafeName) {
		t.Errorf("Remove outside: %v", err)
	}
	if err := l.Remove(ctx, "a.xml.ok"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Remove of a missing file: %v", err)
	}
}

// TestChanges: creating a file produces a hint. Hints are only hints, so
// the test waits generously and skips where the OS offers no events.
func TestChanges(t *testing.T) {
	l := newLocal(t)
	ch := l.Changes()
	if ch == nil {
		t.Skip("file system events unavailable here")
	}
	if l.Changes() != ch {
		t.Error("Changes() must return the same channel every time")
	}
	write(t, filepath.Join(l.Dir, "new.xml"), "x")
	select {
	case <-ch:
	case <-time.After(5 * time.Second):
		t.Fatal("no hint within 5s of creating a file")
	}
	if err := l.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// TestChangesUnavailable: a folder that cannot be watched gives nil (the
// sweep does the work) instead of failing.
func TestChangesUnavailable(t *testing.T) {
	l := &Local{Dir: filepath.Join(t.TempDir(), "missing")}
	if ch := l.Changes(); ch != nil {
		t.Error("Changes() on a missing folder is not nil")
	}
	if err := l.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// FuzzCheckName: an accepted name is one plain element that stays in the
// folder on every platform; a refused one says ErrUnsafeName.
func FuzzCheckName(f *testing.F) {
	for _, s := range []string{"pay.xml", "..", ".", "", "a/b", `a\b`, "C:x", "a\x00", "č.kpc", "\u0085", "..\\..\\x", "x:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := CheckName(name)
		if err != nil {
			if !errors.Is(err, ErrUnsafeName) {
				t.Fatalf("CheckName(%q) = %v, not ErrUnsafeName", name, err)
			}
			return
		}
		if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\:`) {
			t.Fatalf("CheckName accepted %q", name)
		}
		for _, r := range name {
			if r < 0x20 || (r >= 0x7f && r <= 0x9f) {
				t.Fatalf("CheckName accepted control character %U in %q", r, name)
			}
		}
		if !filepath.IsLocal(name) || filepath.Base(name) != name {
			t.Fatalf("CheckName accepted %q, which is not local to the folder", name)
		}
		dir := filepath.FromSlash("/srv/inbox")
		if p := filepath.Join(dir, name); filepath.Dir(p) != dir {
			t.Fatalf("%q joins to %q, outside %q", name, p, dir)
		}
	})
}
