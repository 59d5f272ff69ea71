package folder

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"erpconnector/internal/testenv"
)

// realServer starts a real OpenSSH sshd and returns a connection to it.
func realServer(t *testing.T) (*testenv.SSHD, *SFTPConn) {
	t.Helper()
	s := testenv.StartSSHD(t)
	return s, connTo(t, s, s.Addr, s.KnownHosts)
}

func connTo(t *testing.T, s *testenv.SSHD, addr, knownHosts string) *SFTPConn {
	t.Helper()
	key, err := os.ReadFile(s.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewSFTPConn(SFTPServer{Addr: addr, User: s.User, KnownHosts: knownHosts, Key: key, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func entryNames(es []Entry) []string {
	var n []string
	for _, e := range es {
		n = append(n, e.Name)
	}
	slices.Sort(n)
	return n
}

func TestSFTPRealServerFolder(t *testing.T) {
	_, c := realServer(t)
	ctx := context.Background()
	dir := t.TempDir()
	f := c.Folder(dir)

	os.WriteFile(filepath.Join(dir, "a.xml"), []byte("<a/>"), 0o644)
	os.WriteFile(filepath.Join(dir, "b.kpc"), []byte("kpc"), 0o644)
	os.WriteFile(filepath.Join(dir, fsTemp("x")), []byte("half"), 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.Symlink("/etc/passwd", filepath.Join(dir, "link.xml"))
	os.WriteFile(filepath.Join(dir, "bad\nname.xml"), []byte("x"), 0o644)

	es, err := f.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := entryNames(es); !slices.Equal(got, []string{"a.xml", "b.kpc"}) {
		t.Fatalf("listing %q; want only the two plain files (no temp, folder, symlink or control-character name)", got)
	}
	e, err := f.Stat(ctx, "a.xml")
	if err != nil || e.Size != 4 {
		t.Fatalf("stat: %+v %v", e, err)
	}
	if _, err := f.Stat(ctx, "link.xml"); !errors.Is(err, ErrUnsafeName) {
		t.Errorf("stat of a symlink: %v", err)
	}
	if _, err := f.Open(ctx, "../etc/passwd"); !errors.Is(err, ErrUnsafeName) {
		t.Errorf("open ../: %v", err)
	}
	if _, err := f.Stat(ctx, "missing.xml"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stat of a missing file: %v", err)
	}

	r, err := f.Open(ctx, "a.xml")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	r.Close()
	if string(b) != "<a/>" {
		t.Fatalf("read %q", b)
	}

	// Claim into a processing subfolder; never over an existing file.
	if err := f.Rename(ctx, "a.xml", "processing/a.xml"); err != nil {
		t.Fatal(err)
	}
	proc := f.Sub("processing")
	if es, _ := proc.List(ctx); !slices.Equal(entryNames(es), []string{"a.xml"}) {
		t.Fatalf("processing holds %q", entryNames(es))
	}
	os.WriteFile(filepath.Join(dir, "a.xml"), []byte("<new/>"), 0o644)
	if err := f.Rename(ctx, "a.xml", "processing/a.xml"); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("rename over an existing file: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "processing", "a.xml")); string(b) != "<a/>" {
		t.Fatalf("claimed file was replaced: %q", b)
	}
	arch := c.Folder(filepath.Join(dir, "archive"))
	name, err := FreeName(ctx, arch, "2026-11/a.xml")
	if err != nil || name != "2026-11/a.xml" {
		t.Fatalf("free name %q %v", name, err)
	}
	if err := proc.MoveTo(ctx, "a.xml", arch, name); err != nil {
		t.Fatal(err)
	}
	if name, _ := FreeName(ctx, arch, "2026-11/a.xml"); name != "2026-11/a (2).xml" {
		t.Errorf("second free name %q", name)
	}
	if err := proc.MoveTo(ctx, "a.xml", &Local{Dir: dir}, "x"); !errors.Is(err, ErrCrossFolder) {
		t.Errorf("move to a local folder: %v", err)
	}
	if err := f.Remove(ctx, "b.kpc"); err != nil {
		t.Fatal(err)
	}

	// One connection served all of it.
	if d := c.Dials(); d != 1 {
		t.Errorf("%d connections; want one reused", d)
	}
}

func fsTemp(name string) string { return ".erpconnector-tmp-123-" + name }

func TestSFTPUploadIsAtomic(t *testing.T) {
	_, c := realServer(t)
	ctx := context.Background()
	dir := t.TempDir()
	f := c.Folder(filepath.Join(dir, "out"))
	w, err := f.Create(ctx, "status.xml")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("<half"))
	if _, err := os.Stat(filepath.Join(dir, "out", "status.xml")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a half-written upload is visible under its name: %v", err)
	}
	if es, _ := f.List(ctx); len(es) != 0 {
		t.Fatalf("the temporary upload is listed: %q", entryNames(es))
	}
	w.Write([]byte("/>"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "out", "status.xml")); string(b) != "<half/>" {
		t.Fatalf("uploaded %q", b)
	}
	// Rewriting (after a crash) replaces the file in one step.
	w, _ = f.Create(ctx, "status.xml")
	w.Write([]byte("<v2/>"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "out", "status.xml")); string(b) != "<v2/>" {
		t.Fatalf("rewritten %q", b)
	}
	ents, _ := os.ReadDir(filepath.Join(dir, "out"))
	if len(ents) != 1 {
		t.Fatalf("leftovers on the server: %v", ents)
	}
	// A temporary left behind by a crash is cleaned up.
	os.WriteFile(filepath.Join(dir, "out", fsTemp("old.xml")), []byte("x"), 0o644)
	if err := f.RemoveTemps(ctx); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(filepath.Join(dir, "out")); len(ents) != 1 {
		t.Fatalf("temporary not removed: %v", ents)
	}
}

func TestSFTPHostKeyMustBeKnown(t *testing.T) {
	s := testenv.StartSSHD(t)
	key, _ := os.ReadFile(s.KeyFile)
	other := t.TempDir()
	keygen := testenv.Tool(t, "ssh-keygen")
	exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(other, "k")).Run()
	pub, _ := os.ReadFile(filepath.Join(other, "k.pub"))
	wrong := filepath.Join(other, "known_hosts")
	os.WriteFile(wrong, []byte("[127.0.0.1]:"+strings.Split(s.Addr, ":")[1]+" "+string(pub)), 0o600)
	unknown := filepath.Join(other, "empty_known_hosts")
	os.WriteFile(unknown, []byte("[example.com]:22 "+string(pub)), 0o600)

	if _, err := NewSFTPConn(SFTPServer{Addr: s.Addr, User: s.User, Key: key}); err == nil || !strings.Contains(err.Error(), "known_hosts is required") {
		t.Errorf("no known_hosts: %v", err)
	}
	if _, err := NewSFTPConn(SFTPServer{Addr: s.Addr, User: s.User, Key: key, KnownHosts: unknown}); err == nil || !strings.Contains(err.Error(), "has no key for") {
		t.Errorf("host not in known_hosts: %v", err)
	}
	c, err := NewSFTPConn(SFTPServer{Addr: s.Addr, User: s.User, Key: key, KnownHosts: wrong, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_, err = c.Folder(t.TempDir()).List(context.Background())
	if err == nil || !strings.Contains(err.Error(), "is not the one in") {
		t.Fatalf("changed host key: %v", err)
	}
}

func TestSFTPEncryptedKey(t *testing.T) {
	s := testenv.StartSSHD(t)
	keygen := testenv.Tool(t, "ssh-keygen")
	k := filepath.Join(t.TempDir(), "enc")
	if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "s3cret pass", "-f", k).CombinedOutput(); err != nil {
		t.Fatal(err, string(out))
	}
	pub, _ := os.ReadFile(k + ".pub")
	ak := filepath.Join(s.Dir, "authorized_keys")
	old, _ := os.ReadFile(ak)
	os.WriteFile(ak, append(old, pub...), 0o600)
	key, _ := os.ReadFile(k)

	if _, err := NewSFTPConn(SFTPServer{Addr: s.Addr, User: s.User, Key: key, KnownHosts: s.KnownHosts}); err == nil || !strings.Contains(err.Error(), "set passphrase") {
		t.Errorf("encrypted key without passphrase: %v", err)
	}
	if _, err := NewSFTPConn(SFTPServer{Addr: s.Addr, User: s.User, Key: key, Passphrase: []byte("wrong"), KnownHosts: s.KnownHosts}); err == nil {
		t.Error("wrong passphrase accepted")
	} else if strings.Contains(err.Error(), "wrong") {
		t.Errorf("the passphrase appears in the error: %v", err)
	}
	c, err := NewSFTPConn(SFTPServer{Addr: s.Addr, User: s.User, Key: key, Passphrase: []byte("s3cret pass"), KnownHosts: s.KnownHosts})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Folder(t.TempDir()).List(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// The server goes away and comes back: operations fail clearly meanwhile,
// with backoff between attempts, and the folder works again afterwards.
func TestSFTPServerRestart(t *testing.T) {
	s, c := realServer(t)
	ctx := context.Background()
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.xml"), []byte("x"), 0o644)
	f := c.Folder(dir)
	if _, err := f.List(ctx); err != nil {
		t.Fatal(err)
	}
	s.Stop(t)
	_, err := f.List(ctx)
	if !errors.Is(err, ErrUnreachable) && !errors.Is(err, ErrConnectionLost) {
		t.Fatalf("listing with the server down: %v", err)
	}
	if _, err := f.List(ctx); !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "next attempt in") {
		t.Fatalf("second listing should wait for the backoff: %v", err)
	}
	s.Restart(t)
	var es []Entry
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if es, err = f.List(ctx); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil || len(es) != 1 {
		t.Fatalf("after restart: %v %v", es, err)
	}
	if d := c.Dials(); d != 2 {
		t.Errorf("%d dials; want 2 (the first, and one after the restart)", d)
	}
}

// Connection cut mid-download: the read fails (never a short file passed as
// complete), and the next open on a new connection reads it whole.
func TestSFTPCutMidDownload(t *testing.T) {
	s := testenv.StartSSHD(t)
	p := testenv.StartProxy(t, s.Addr)
	c := connTo(t, s, p.Addr, s.KnownHostsFor(t, p.Addr))
	ctx := context.Background()
	dir := t.TempDir()
	data := make([]byte, 4<<20)
	rand.Read(data)
	os.WriteFile(filepath.Join(dir, "big.xml"), data, 0o644)
	f := c.Folder(dir)
	if _, err := f.List(ctx); err != nil { // connection up before the cut is armed
		t.Fatal(err)
	}
	p.DropAll()
	p.CutAfter(1<<20, 0)
	r, err := f.Open(ctx, "big.xml")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, err = io.Copy(&buf, r)
	r.Close()
	if err == nil {
		t.Fatalf("a download cut after 1 MiB returned no error (%d of %d bytes)", buf.Len(), len(data))
	}
	if !errors.Is(err, ErrConnectionLost) {
		t.Errorf("error does not say the connection was lost: %v", err)
	}
	p.CutAfter(0, 0)
	time.Sleep(1100 * time.Millisecond) // the backoff
	var got []byte
	for i := 0; i < 20; i++ {
		if r, err = f.Open(ctx, "big.xml"); err == nil {
			got, err = io.ReadAll(r)
			r.Close()
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("second download: %d bytes, %v", len(got), err)
	}
}

// Connection cut mid-upload: Close fails and nothing appears under the name;
// the temporary is cleaned by RemoveTemps on the next start.
func TestSFTPCutMidUpload(t *testing.T) {
	s := testenv.StartSSHD(t)
	p := testenv.StartProxy(t, s.Addr)
	c := connTo(t, s, p.Addr, s.KnownHostsFor(t, p.Addr))
	ctx := context.Background()
	dir := t.TempDir()
	f := c.Folder(dir)
	if _, err := f.List(ctx); err != nil {
		t.Fatal(err)
	}
	p.DropAll()
	p.CutAfter(0, 256<<10)
	time.Sleep(1100 * time.Millisecond)
	var err error
	var w io.WriteCloser
	for i := 0; i < 20; i++ {
		if w, err = f.Create(ctx, "status.xml"); err == nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	chunk := make([]byte, 64<<10)
	for i := 0; i < 16 && err == nil; i++ {
		_, err = w.Write(chunk)
	}
	if cerr := w.Close(); cerr == nil {
		t.Fatal("an upload cut after 256 KiB reported success")
	}
	if _, err := os.Stat(filepath.Join(dir, "status.xml")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a partial upload appeared under its final name: %v", err)
	}
	p.CutAfter(0, 0)
	time.Sleep(1100 * time.Millisecond)
	for i := 0; i < 20; i++ {
		if err = f.RemoveTemps(ctx); err == nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("left on the server: %v", ents)
	}
}

// BenchmarkSFTPList10k is one poll of a folder holding 10,000 files on a
// real sshd (listing and the settling check), the cost of an idle poll.
func BenchmarkSFTPList10k(b *testing.B) {
	s := testenv.StartSSHD(b)
	key, _ := os.ReadFile(s.KeyFile)
	c, err := NewSFTPConn(SFTPServer{Addr: s.Addr, User: s.User, KnownHosts: s.KnownHosts, Key: key})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	dir := b.TempDir()
	for i := 0; i < 10_000; i++ {
		os.WriteFile(filepath.Join(dir, "f"+strconv.Itoa(i)+".xml"), []byte("x"), 0o644)
	}
	f := c.Folder(dir)
	st := Settler{Settle: 2 * time.Second}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		es, err := f.List(ctx)
		if err != nil || len(es) != 10_000 {
			b.Fatalf("%d entries, %v", len(es), err)
		}
		st.Ready(es, time.Now())
	}
}

// BenchmarkSFTPDownload50MB downloads one 50 MB file from a real sshd.
func BenchmarkSFTPDownload50MB(b *testing.B) {
	s := testenv.StartSSHD(b)
	key, _ := os.ReadFile(s.KeyFile)
	c, err := NewSFTPConn(SFTPServer{Addr: s.Addr, User: s.User, KnownHosts: s.KnownHosts, Key: key})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	dir := b.TempDir()
	data := make([]byte, 50<<20)
	rand.Read(data)
	os.WriteFile(filepath.Join(dir, "big.xml"), data, 0o644)
	f := c.Folder(dir)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := f.Open(ctx, "big.xml")
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, r)
		r.Close()
		if err != nil || n != int64(len(data)) {
			b.Fatalf("%d bytes, %v", n, err)
		}
	}
}
