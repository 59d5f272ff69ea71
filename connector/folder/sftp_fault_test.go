package folder

// SFTP folders against the in-memory server (testenv.MemSFTP), for the
// server classes and failures a real sshd cannot easily be made to show:
// read-once queues, servers refusing renames, permission denied, a full
// disk, no mkdir, password-only logins, renames that overwrite.

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"erpconnector/internal/testenv"
)

// memConn is a connection to m with the server settings srv (Addr, User,
// KnownHosts and, unless a password is given, Key are filled in).
func memConn(t *testing.T, m *testenv.MemSFTP, srv SFTPServer) *SFTPConn {
	t.Helper()
	srv.Addr, srv.User, srv.KnownHosts = m.Addr, m.User, m.KnownHosts
	if srv.Password == "" {
		key, err := os.ReadFile(m.KeyFile)
		if err != nil {
			t.Fatal(err)
		}
		srv.Key = key
	}
	if srv.Timeout == 0 {
		srv.Timeout = 5 * time.Second
	}
	c, err := NewSFTPConn(srv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func readAll(t *testing.T, f Folder, name string) []byte {
	t.Helper()
	r, err := f.Open(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func upload(ctx context.Context, f Folder, name string, data []byte) error {
	w, err := f.Create(ctx, name)
	if err != nil {
		return err
	}
	for len(data) > 0 {
		n := min(len(data), 20<<10)
		if _, err := w.Write(data[:n]); err != nil {
			w.Abort()
			return err
		}
		data = data[n:]
	}
	return w.Close()
}

// A mainframe queue deletes a file once it was read: the folder reads it
// once, whole and sequentially, and the file is gone afterwards.
func TestSFTPMemReadOnce(t *testing.T) {
	m := testenv.StartMemSFTP(t, testenv.MemSFTPOptions{ReadOnce: true, Dirs: []string{"/q"}})
	c := memConn(t, m, SFTPServer{ReadOnce: true})
	f := c.Folder("/q")
	ctx := context.Background()
	data := randomBytes(300 << 10) // many read requests
	m.Put("/q/pay.xml", data)
	es, err := f.List(ctx)
	if err != nil || !slices.Equal(entryNames(es), []string{"pay.xml"}) || es[0].Size != int64(len(data)) {
		t.Fatalf("listing %v %v", es, err)
	}
	if got := readAll(t, f, "pay.xml"); !bytes.Equal(got, data) {
		t.Fatalf("read %d bytes, want the %d the server had", len(got), len(data))
	}
	if m.Exists("/q/pay.xml") {
		t.Fatal("the read-once server still has the file: the test server is broken")
	}
	if n := m.Reads("/q/pay.xml"); n != 1 {
		t.Errorf("opened %d times for reading; a read-once file can be read only once", n)
	}
	if es, _ := f.List(ctx); len(es) != 0 {
		t.Errorf("still listed: %v", entryNames(es))
	}
}

// A server that refuses renames: uploads are written in place under their
// name, never under a temporary name, and the marker follows only once the
// file is complete; a rewrite removes the old marker first.
func TestSFTPMemNoRenameUploadMarker(t *testing.T) {
	m := testenv.StartMemSFTP(t, testenv.MemSFTPOptions{NoRename: true, Dirs: []string{"/out"}})
	c := memConn(t, m, SFTPServer{NoRename: true, UploadMarker: ".done"})
	f := c.Folder("/out")
	ctx := context.Background()
	for round, content := range [][]byte{[]byte(`{"state":"accepted"}`), []byte(`{"state":"booked"}`)} {
		w, err := f.Create(ctx, "s.json")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(content[:5]); err != nil {
			t.Fatal(err)
		}
		if got := m.List("/out"); !slices.Equal(got, []string{"s.json"}) {
			t.Fatalf("round %d: while uploading the server holds %q; want only s.json, no marker, no temporary name", round, got)
		}
		w.Write(content[5:])
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if got := m.List("/out"); !slices.Equal(got, []string{"s.json", "s.json.done"}) {
			t.Fatalf("round %d: after the upload %q", round, got)
		}
		if b, _ := m.Get("/out/s.json"); !bytes.Equal(b, content) {
			t.Errorf("round %d: uploaded %q", round, b)
		}
	}
	if n := m.Ops("Rename") + m.Ops("PosixRename"); n != 0 {
		t.Errorf("%d renames asked of a server that refuses them", n)
	}
	// Moving is copying there: the caller is told so.
	if err := f.MoveTo(ctx, "s.json", f, "archive/s.json"); !errors.Is(err, ErrCrossFolder) {
		t.Errorf("MoveTo on a no-rename server: %v", err)
	}
	if err := f.Remove(ctx, "s.json"); err != nil || m.Exists("/out/s.json") {
		t.Errorf("remove: %v", err)
	}
}

// Permission denied is an answer, not a broken connection: the error says
// what was refused and errors.Is(err, fs.ErrPermission); the connection is
// kept, and everything works once the permission is back.
func TestSFTPMemPermissionDenied(t *testing.T) {
	tests := []struct {
		name  string
		deny  func(m *testenv.MemSFTP)
		op    func(f *SFTP) error
		names string // in the error
	}{
		{"list", func(m *testenv.MemSFTP) { m.SetDenyRead("/in") },
			func(f *SFTP) error { _, err := f.List(context.Background()); return err }, "/in"},
		{"open", func(m *testenv.MemSFTP) { m.SetDenyRead("/in/a.xml") },
			func(f *SFTP) error { _, err := f.Open(context.Background(), "a.xml"); return err }, "/in/a.xml"},
		{"create", func(m *testenv.MemSFTP) { m.SetDenyWrite("/in") },
			func(f *SFTP) error { return upload(context.Background(), f, "s.json", []byte("{}")) }, "/in/s.json"},
		{"remove", func(m *testenv.MemSFTP) { m.SetDenyWrite("/in") },
			func(f *SFTP) error { return f.Remove(context.Background(), "a.xml") }, "/in/a.xml"},
		{"rename", func(m *testenv.MemSFTP) { m.SetDenyWrite("/in/processing") },
			func(f *SFTP) error { return f.Rename(context.Background(), "a.xml", "processing/a.xml") }, "/in/a.xml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testenv.StartMemSFTP(t, testenv.MemSFTPOptions{Dirs: []string{"/in/processing"}})
			c := memConn(t, m, SFTPServer{})
			f := c.Folder("/in")
			m.Put("/in/a.xml", []byte("<a/>"))
			tt.deny(m)
			err := tt.op(f)
			if !errors.Is(err, fs.ErrPermission) {
				t.Fatalf("error %v; want fs.ErrPermission", err)
			}
			if !strings.Contains(err.Error(), tt.names) || !strings.Contains(err.Error(), "permission denied") {
				t.Errorf("error %q does not say what was refused (%s)", err, tt.names)
			}
			if errors.Is(err, ErrConnectionLost) || errors.Is(err, ErrUnreachable) {
				t.Errorf("permission denied taken for a connection failure: %v", err)
			}
			if b, ok := m.Get("/in/a.xml"); !ok || string(b) != "<a/>" {
				t.Errorf("the file changed: %q %v", b, ok)
			}
			m.SetDenyRead()
			m.SetDenyWrite()
			if err := tt.op(f); err != nil {
				t.Errorf("after the permission returned: %v", err)
			}
			if d := c.Dials(); d != 1 {
				t.Errorf("%d connections; a refusal must not cost the connection", d)
			}
			if left := m.Files("/in"); slices.ContainsFunc(left, func(s string) bool { return strings.Contains(s, ".erpconnector-tmp") }) {
				t.Errorf("temporary upload left: %q", left)
			}
		})
	}
}

// A full disk during an upload: Close fails, nothing appears under the
// name, no temporary is left, and the same upload succeeds once there is
// space again. On a no-rename server the partial file has no marker.
func TestSFTPMemDiskFull(t *testing.T) {
	for _, noRename := range []bool{false, true} {
		name := map[bool]string{false: "rename", true: "no-rename"}[noRename]
		t.Run(name, func(t *testing.T) {
			m := testenv.StartMemSFTP(t, testenv.MemSFTPOptions{NoRename: noRename, Dirs: []string{"/out"}})
			c := memConn(t, m, SFTPServer{NoRename: noRename})
			f := c.Folder("/out")
			ctx := context.Background()
			m.Put("/other/old.xml", make([]byte, 50<<10))
			m.SetQuota(m.Used() + 30<<10)
			data := randomBytes(100 << 10)
			// As the daemon's writers do: write everything, then Close
			// decides; the write errors are not looked at here.
			w, err := f.Create(ctx, "status.pain002.xml")
			if err != nil {
				t.Fatal(err)
			}
			var werr error
			for i := 0; i < len(data) && werr == nil; i += 20 << 10 {
				_, werr = w.Write(data[i : i+20<<10])
			}
			if werr == nil {
				t.Error("no write failed although the disk is full")
			}
			err = w.Close()
			if err == nil {
				t.Fatal("Close reported success for an upload onto a full disk")
			}
			if !strings.Contains(err.Error(), "no space left") || !strings.Contains(err.Error(), "status.pain002.xml") {
				t.Errorf("error does not say the disk is full, or which file: %v", err)
			}
			if err := f.RemoveTemps(ctx); err != nil {
				t.Fatal(err)
			}
			got := m.List("/out")
			if slices.Contains(got, "status.pain002.xml.done") {
				t.Fatalf("a marker announces a failed upload: %q", got)
			}
			if !noRename && len(got) != 0 {
				t.Fatalf("after the failed upload the outbox holds %q; want nothing", got)
			}
			if b, ok := m.Get("/other/old.xml"); !ok || len(b) != 50<<10 {
				t.Error("the disk-full error damaged another file")
			}
			m.SetQuota(0)
			if err := upload(ctx, f, "status.pain002.xml", data); err != nil {
				t.Fatalf("upload after space was freed: %v", err)
			}
			if b, _ := m.Get("/out/status.pain002.xml"); !bytes.Equal(b, data) {
				t.Errorf("stored %d bytes, want the %d uploaded", len(b), len(data))
			}
			want := []string{"status.pain002.xml"}
			if noRename {
				want = append(want, "status.pain002.xml.done")
			}
			if got := m.List("/out"); !slices.Equal(got, want) {
				t.Errorf("outbox %q, want %q", got, want)
			}
			if d := c.Dials(); d != 1 {
				t.Errorf("%d connections; a full disk must not cost the connection", d)
			}
		})
	}
}

// A server without mkdir: with mkdir = false a missing folder is a clear
// configuration error; with mkdir allowed but refused, permission denied.
func TestSFTPMemNoMkdir(t *testing.T) {
	m := testenv.StartMemSFTP(t, testenv.MemSFTPOptions{NoMkdir: true, Dirs: []string{"/in"}})
	ctx := context.Background()
	m.Put("/in/a.xml", []byte("a"))

	c := memConn(t, m, SFTPServer{NoMkdir: true})
	in := c.Folder("/in")
	err := in.Rename(ctx, "a.xml", "processing/a.xml")
	if err == nil || !strings.Contains(err.Error(), "mkdir = false") || !strings.Contains(err.Error(), "/in/processing") {
		t.Errorf("claim into a missing folder with mkdir = false: %v", err)
	}
	err = upload(ctx, c.Folder("/out"), "s.json", []byte("{}"))
	if err == nil || !strings.Contains(err.Error(), "mkdir = false") {
		t.Errorf("upload into a missing outbox with mkdir = false: %v", err)
	}
	if _, err := c.Folder("/nope").List(ctx); err == nil || !strings.Contains(err.Error(), "does not exist on the server") {
		t.Errorf("listing a missing folder: %v", err)
	}

	c2 := memConn(t, m, SFTPServer{})
	err = upload(ctx, c2.Folder("/out"), "s.json", []byte("{}"))
	if !errors.Is(err, fs.ErrPermission) || !strings.Contains(err.Error(), "create /out") {
		t.Errorf("mkdir refused by the server: %v", err)
	}
	if !m.Exists("/in/a.xml") || m.Exists("/out") {
		t.Error("the server changed")
	}
	// Once the administrator creates the folder, it works.
	m.Mkdir("/in/processing")
	if err := in.Rename(ctx, "a.xml", "processing/a.xml"); err != nil || !m.Exists("/in/processing/a.xml") {
		t.Errorf("claim after the folder was created: %v", err)
	}
}

func TestSFTPMemPasswordLogin(t *testing.T) {
	m := testenv.StartMemSFTP(t, testenv.MemSFTPOptions{Password: "s3cret pw", NoKey: true, Dirs: []string{"/in"}})
	m.Put("/in/a.xml", []byte("a"))
	c := memConn(t, m, SFTPServer{Password: "s3cret pw"})
	if es, err := c.Folder("/in").List(context.Background()); err != nil || len(es) != 1 {
		t.Fatalf("password login: %v %v", es, err)
	}
	bad := memConn(t, m, SFTPServer{Password: "wrong"})
	_, err := bad.Folder("/in").List(context.Background())
	if !errors.Is(err, ErrUnreachable) {
		t.Errorf("wrong password: %v", err)
	}
	if err != nil && strings.Contains(err.Error(), "wrong") {
		t.Errorf("the password appears in the error: %v", err)
	}
}

// Servers that overwrite on a plain rename (SFTPGo) or lack posix-rename:
// MoveTo still never replaces a file, and uploads still replace their own
// older copy.
func TestSFTPMemRenameSemantics(t *testing.T) {
	for _, opts := range []testenv.MemSFTPOptions{
		{OverwriteOnRename: true},
		{NoPosixRename: true},
		{OverwriteOnRename: true, NoPosixRename: true},
	} {
		t.Run(fmtOpts(opts), func(t *testing.T) {
			opts.Dirs = []string{"/in/processing", "/out"}
			m := testenv.StartMemSFTP(t, opts)
			c := memConn(t, m, SFTPServer{})
			ctx := context.Background()
			in := c.Folder("/in")
			m.Put("/in/a.xml", []byte("new"))
			m.Put("/in/processing/a.xml", []byte("being worked on"))
			if err := in.Rename(ctx, "a.xml", "processing/a.xml"); !errors.Is(err, fs.ErrExist) {
				t.Errorf("rename over a file being worked on: %v", err)
			}
			if b, _ := m.Get("/in/processing/a.xml"); string(b) != "being worked on" {
				t.Fatalf("the claimed file was replaced by %q", b)
			}
			if b, _ := m.Get("/in/a.xml"); string(b) != "new" {
				t.Fatalf("the new file was lost: %q", b)
			}
			out := c.Folder("/out")
			for _, v := range []string{"v1", "v2"} {
				if err := upload(ctx, out, "s.json", []byte(v)); err != nil {
					t.Fatal(err)
				}
				if b, _ := m.Get("/out/s.json"); string(b) != v {
					t.Errorf("uploaded %q, the server has %q", v, b)
				}
			}
			if got := m.List("/out"); !slices.Equal(got, []string{"s.json"}) {
				t.Errorf("outbox %q", got)
			}
			if opts.NoPosixRename && m.Ops("PosixRename") != 0 {
				t.Error("posix-rename used although the server does not offer it")
			}
		})
	}
}

func fmtOpts(o testenv.MemSFTPOptions) string {
	var s []string
	if o.OverwriteOnRename {
		s = append(s, "overwrite-on-rename")
	}
	if o.NoPosixRename {
		s = append(s, "no-posix-rename")
	}
	return strings.Join(s, "+")
}
