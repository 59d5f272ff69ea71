package testenv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// memClient logs into m with its generated key (or a password) the way the
// connector does: the host key checked against the known_hosts file.
func memClient(t *testing.T, m *MemSFTP, password string) (*sftp.Client, error) {
	t.Helper()
	hk, err := knownhosts.New(m.KnownHosts)
	if err != nil {
		t.Fatal(err)
	}
	var auth []ssh.AuthMethod
	if password != "" {
		auth = append(auth, ssh.Password(password))
	} else {
		b, err := os.ReadFile(m.KeyFile)
		if err != nil {
			t.Fatal(err)
		}
		signer, err := ssh.ParsePrivateKey(b)
		if err != nil {
			t.Fatalf("the key file is not an OpenSSH private key: %v", err)
		}
		auth = append(auth, ssh.PublicKeys(signer))
	}
	sc, err := ssh.Dial("tcp", m.Addr, &ssh.ClientConfig{User: m.User, Auth: auth, HostKeyCallback: hk, Timeout: 5 * time.Second})
	if err != nil {
		return nil, err
	}
	cl, err := sftp.NewClient(sc)
	if err != nil {
		sc.Close()
		return nil, err
	}
	t.Cleanup(func() { cl.Close(); sc.Close() })
	return cl, nil
}

func mustClient(t *testing.T, m *MemSFTP) *sftp.Client {
	t.Helper()
	cl, err := memClient(t, m, "")
	if err != nil {
		t.Fatal(err)
	}
	return cl
}

func upload(cl *sftp.Client, p string, data []byte) error {
	f, err := cl.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func download(cl *sftp.Client, p string) ([]byte, error) {
	f, err := cl.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// A well-behaved server: files and folders round-trip between the test's
// direct access and the SFTP client, and renames behave as OpenSSH's do.
func TestMemSFTPBasics(t *testing.T) {
	m := StartMemSFTP(t, MemSFTPOptions{Dirs: []string{"/in"}})
	cl := mustClient(t, m)
	m.Put("/in/a.xml", []byte("<a/>"))
	fis, err := cl.ReadDir("/in")
	if err != nil || len(fis) != 1 || fis[0].Name() != "a.xml" || fis[0].Size() != 4 || !fis[0].Mode().IsRegular() {
		t.Fatalf("listing: %v %v", fis, err)
	}
	if b, err := download(cl, "/in/a.xml"); err != nil || string(b) != "<a/>" {
		t.Fatalf("download %q %v", b, err)
	}
	if err := cl.MkdirAll("/out/sub"); err != nil {
		t.Fatal(err)
	}
	if err := upload(cl, "/out/sub/s.json", []byte(`{"x":1}`)); err != nil {
		t.Fatal(err)
	}
	if b, ok := m.Get("/out/sub/s.json"); !ok || string(b) != `{"x":1}` {
		t.Fatalf("uploaded %q %v", b, ok)
	}
	if got := m.List("/out"); !slices.Equal(got, []string{"sub/"}) {
		t.Errorf("List(/out) = %q", got)
	}
	if _, ok := cl.HasExtension("posix-rename@openssh.com"); !ok {
		t.Error("posix-rename is not offered by default")
	}
	// Plain rename refuses an existing target; posix-rename replaces it.
	m.Put("/out/t.json", []byte("old"))
	if err := cl.Rename("/out/sub/s.json", "/out/t.json"); err == nil {
		t.Error("plain rename replaced an existing file")
	}
	if err := cl.PosixRename("/out/sub/s.json", "/out/t.json"); err != nil {
		t.Fatal(err)
	}
	if b, _ := m.Get("/out/t.json"); string(b) != `{"x":1}` || m.Exists("/out/sub/s.json") {
		t.Errorf("after posix-rename: %q", b)
	}
	// A folder moves with what is in it.
	if err := cl.Rename("/out/sub", "/out/moved"); err != nil {
		t.Fatal(err)
	}
	m.Put("/out/moved/x", []byte("1"))
	if got := m.Files("/out"); !slices.Equal(got, []string{"moved/x", "t.json"}) {
		t.Errorf("Files(/out) = %q", got)
	}
	if err := cl.Remove("/out/t.json"); err != nil || m.Exists("/out/t.json") {
		t.Errorf("remove: %v", err)
	}
	if _, err := cl.Stat("/nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stat of a missing file: %v", err)
	}
	if m.Logins() != 1 || m.Ops("Get") != 1 || m.Reads("/in/a.xml") != 1 {
		t.Errorf("logins %d, opens for reading %d", m.Logins(), m.Ops("Get"))
	}
}

// Each option makes the server behave like one class of real server.
func TestMemSFTPServerClasses(t *testing.T) {
	tests := []struct {
		name  string
		opts  MemSFTPOptions
		check func(t *testing.T, m *MemSFTP, cl *sftp.Client)
	}{
		{"read-once", MemSFTPOptions{ReadOnce: true}, func(t *testing.T, m *MemSFTP, cl *sftp.Client) {
			m.Put("/q/msg.xml", bytes.Repeat([]byte("x"), 100<<10))
			b, err := download(cl, "/q/msg.xml")
			if err != nil || len(b) != 100<<10 {
				t.Fatalf("read %d bytes, %v", len(b), err)
			}
			if m.Exists("/q/msg.xml") {
				t.Error("the file is still there after it was read")
			}
			// Opened but never read: still there.
			m.Put("/q/two.xml", []byte("2"))
			f, err := cl.Open("/q/two.xml")
			if err != nil {
				t.Fatal(err)
			}
			f.Close()
			if !m.Exists("/q/two.xml") {
				t.Error("a file opened but not read was deleted")
			}
		}},
		{"no-rename", MemSFTPOptions{NoRename: true}, func(t *testing.T, m *MemSFTP, cl *sftp.Client) {
			m.Put("/a", []byte("a"))
			if err := cl.Rename("/a", "/b"); !errors.Is(err, fs.ErrPermission) {
				t.Errorf("rename: %v", err)
			}
			if err := cl.PosixRename("/a", "/b"); !errors.Is(err, fs.ErrPermission) {
				t.Errorf("posix-rename: %v", err)
			}
			if !m.Exists("/a") || m.Exists("/b") {
				t.Error("the refused rename happened")
			}
		}},
		{"no-posix-rename", MemSFTPOptions{NoPosixRename: true}, func(t *testing.T, m *MemSFTP, cl *sftp.Client) {
			if _, ok := cl.HasExtension("posix-rename@openssh.com"); ok {
				t.Error("posix-rename is advertised")
			}
			if _, ok := cl.HasExtension("statvfs@openssh.com"); !ok {
				t.Error("the other extensions were dropped too")
			}
			m.Put("/a", []byte("a"))
			m.Put("/b", []byte("b"))
			var se *sftp.StatusError
			if err := cl.PosixRename("/a", "/b"); !errors.As(err, &se) || se.FxCode() != sftp.ErrSSHFxOpUnsupported {
				t.Errorf("posix-rename asked anyway: %v", err)
			}
			if b, _ := m.Get("/b"); string(b) != "b" {
				t.Error("the target was replaced")
			}
		}},
		{"overwrite-on-rename", MemSFTPOptions{OverwriteOnRename: true}, func(t *testing.T, m *MemSFTP, cl *sftp.Client) {
			m.Put("/a", []byte("a"))
			m.Put("/b", []byte("b"))
			if err := cl.Rename("/a", "/b"); err != nil {
				t.Fatal(err)
			}
			if b, _ := m.Get("/b"); string(b) != "a" {
				t.Errorf("plain rename did not overwrite: %q", b)
			}
		}},
		{"no-mkdir", MemSFTPOptions{NoMkdir: true, Dirs: []string{"/in"}}, func(t *testing.T, m *MemSFTP, cl *sftp.Client) {
			if err := cl.Mkdir("/in/processing"); !errors.Is(err, fs.ErrPermission) {
				t.Errorf("mkdir: %v", err)
			}
			if err := upload(cl, "/missing/x", []byte("x")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("upload into a missing folder: %v", err)
			}
		}},
		{"deny", MemSFTPOptions{DenyRead: []string{"/in"}, DenyWrite: []string{"/out"}}, func(t *testing.T, m *MemSFTP, cl *sftp.Client) {
			m.Put("/in/a", []byte("a"))
			m.Put("/out/b", []byte("b"))
			m.Put("/inbox/c", []byte("c")) // a prefix is a path, not a string prefix
			if _, err := cl.ReadDir("/in"); !errors.Is(err, fs.ErrPermission) {
				t.Errorf("list: %v", err)
			}
			if _, err := download(cl, "/in/a"); !errors.Is(err, fs.ErrPermission) {
				t.Errorf("read: %v", err)
			}
			if _, err := cl.Stat("/in/a"); err != nil {
				t.Errorf("stat is allowed: %v", err)
			}
			if _, err := download(cl, "/inbox/c"); err != nil {
				t.Errorf("/inbox is not under /in: %v", err)
			}
			if err := upload(cl, "/out/new", []byte("n")); !errors.Is(err, fs.ErrPermission) {
				t.Errorf("create: %v", err)
			}
			if err := cl.Remove("/out/b"); !errors.Is(err, fs.ErrPermission) {
				t.Errorf("remove: %v", err)
			}
			if err := cl.Rename("/in/a", "/out/a"); !errors.Is(err, fs.ErrPermission) {
				t.Errorf("rename into a denied folder: %v", err)
			}
			m.SetDenyRead()
			m.SetDenyWrite()
			if _, err := cl.ReadDir("/in"); err != nil {
				t.Errorf("list after permission returned: %v", err)
			}
			if err := upload(cl, "/out/new", []byte("n")); err != nil {
				t.Errorf("create after permission returned: %v", err)
			}
		}},
		{"disk-full", MemSFTPOptions{Quota: 100 << 10}, func(t *testing.T, m *MemSFTP, cl *sftp.Client) {
			m.Put("/big", make([]byte, 90<<10))
			err := upload(cl, "/x", make([]byte, 20<<10))
			var se *sftp.StatusError
			if !errors.As(err, &se) || se.FxCode() != sftp.ErrSSHFxFailure || !strings.Contains(err.Error(), "no space left") {
				t.Fatalf("upload beyond the quota: %v", err)
			}
			if m.Used() > 100<<10 {
				t.Errorf("%d bytes stored beyond the quota", m.Used())
			}
			m.SetQuota(0)
			if err := upload(cl, "/x", make([]byte, 20<<10)); err != nil {
				t.Fatalf("upload after space was freed: %v", err)
			}
			if b, _ := m.Get("/x"); len(b) != 20<<10 {
				t.Errorf("stored %d bytes", len(b))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := StartMemSFTP(t, tt.opts)
			tt.check(t, m, mustClient(t, m))
		})
	}
}

func TestMemSFTPLogin(t *testing.T) {
	m := StartMemSFTP(t, MemSFTPOptions{Password: "pw 1", NoKey: true})
	if _, err := memClient(t, m, ""); err == nil {
		t.Error("the key was accepted with NoKey")
	}
	if _, err := memClient(t, m, "wrong"); err == nil {
		t.Error("a wrong password was accepted")
	}
	if _, err := memClient(t, m, "pw 1"); err != nil {
		t.Errorf("password login: %v", err)
	}
	if m.Logins() != 1 {
		t.Errorf("%d logins", m.Logins())
	}
	// DropAll cuts the connection: the client sees it.
	cl, _ := memClient(t, m, "pw 1")
	m.DropAll()
	if _, err := cl.ReadDir("/"); err == nil {
		t.Error("the connection survived DropAll")
	}
}

// versionPacket is an SSH_FXP_VERSION packet with the given name/data pairs.
func versionPacket(pairs ...string) []byte {
	body := []byte{2, 0, 0, 0, 3}
	for _, p := range pairs {
		body = memAppendSSHString(body, []byte(p))
	}
	return append(binary.BigEndian.AppendUint32(nil, uint32(len(body))), body...)
}

// FuzzVersionFilter: whatever the server writes, in whatever pieces, the
// filter never panics, accepts every write whole, passes everything after
// the first packet through unchanged, emits a first packet whose length
// prefix is right, removes the extension from a well-formed VERSION packet,
// and changes nothing in a packet that does not carry it.
func FuzzVersionFilter(f *testing.F) {
	real := versionPacket("hardlink@openssh.com", "1", "posix-rename@openssh.com", "1", "statvfs@openssh.com", "2")
	f.Add(real, uint16(7))
	f.Add(append(real, 0, 0, 0, 5, 101, 0, 0, 0, 1), uint16(len(real)))
	f.Add(versionPacket("statvfs@openssh.com", "2"), uint16(0))
	f.Add(versionPacket("posix-rename@openssh.com"), uint16(3)) // a name without its data
	f.Add([]byte{0, 0, 0, 1, 101}, uint16(1))                   // not a VERSION packet
	f.Add([]byte{0, 0, 0, 9, 2, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff}, uint16(2))
	const drop = "posix-rename@openssh.com"
	f.Fuzz(func(t *testing.T, in []byte, split uint16) {
		var out bytes.Buffer
		v := &memVersionFilter{ReadWriteCloser: nopCloser{&out}, drop: drop}
		cut := 0
		if len(in) > 0 {
			cut = int(split) % (len(in) + 1)
		}
		for _, part := range [][]byte{in[:cut], in[cut:]} {
			if n, err := v.Write(part); n != len(part) || err != nil {
				t.Fatalf("Write(%d bytes) = %d, %v", len(part), n, err)
			}
		}
		if len(in) < 4 || len(in)-4 < int(binary.BigEndian.Uint32(in)) {
			if out.Len() != 0 {
				t.Fatalf("an incomplete first packet was passed on: %x", out.Bytes())
			}
			return
		}
		n := 4 + int(binary.BigEndian.Uint32(in))
		got := out.Bytes()
		if len(got) < 4 || len(got)-4 < int(binary.BigEndian.Uint32(got)) {
			t.Fatalf("output is not a packet: %x", got)
		}
		m := 4 + int(binary.BigEndian.Uint32(got))
		if !bytes.Equal(got[m:], in[n:]) {
			t.Fatalf("bytes after the first packet changed: %x → %x", in[n:], got[m:])
		}
		pkt, outPkt := in[4:n], got[4:m]
		if !bytes.Contains(pkt, []byte(drop)) && !bytes.Equal(pkt, outPkt) {
			t.Fatalf("a packet without %s changed: %x → %x", drop, pkt, outPkt)
		}
		if len(outPkt) < 5 || outPkt[0] != 2 {
			if !bytes.Equal(pkt, outPkt) {
				t.Fatalf("a packet that is not VERSION changed")
			}
			return
		}
		var names []string
		wellFormed := true
		for b := outPkt[5:]; len(b) > 0; {
			name, b1, ok1 := memSSHString(b)
			_, b2, ok2 := memSSHString(b1)
			if !ok1 || !ok2 {
				wellFormed = false
				break
			}
			names = append(names, string(name))
			b = b2
		}
		if wellFormed && slices.Contains(names, drop) {
			t.Fatalf("%s is still advertised: %q", drop, names)
		}
		if !wellFormed && !bytes.Equal(pkt, outPkt) {
			t.Fatalf("a malformed VERSION packet was rewritten")
		}
	})
}

type nopCloser struct{ io.Writer }

func (nopCloser) Read([]byte) (int, error) { return 0, io.EOF }
func (nopCloser) Close() error             { return nil }
