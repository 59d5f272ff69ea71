package testenv

// An SFTP server in this process, for the failures a real sshd cannot easily
// be made to produce (field-lessons §3): servers that delete a file once it
// was read, refuse renames, lack posix-rename, overwrite on a plain rename,
// refuse folders, answer "permission denied", or run out of disk. The file
// system is a map in memory that tests change directly (Put, Get, SetQuota...)
// while the code under test talks SFTP to it over a real SSH connection.

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// MemSFTPOptions choose the class of server to simulate. The zero value is a
// well-behaved server (OpenSSH-like: plain rename refuses an existing target,
// posix-rename@openssh.com offered) accepting the generated user key.
type MemSFTPOptions struct {
	User     string // login name; default "erp"
	Password string // when set, password logins are accepted too
	NoKey    bool   // refuse the generated key: password only

	// ReadOnce: a file disappears once it has been read to its end or a
	// handle that read from it is closed (a mainframe queue). The open
	// handle keeps its bytes, like an unlinked file.
	ReadOnce bool
	// NoRename: rename and posix-rename answer permission denied.
	NoRename bool
	// NoPosixRename: posix-rename@openssh.com is not advertised, and asked
	// for anyway it answers "operation unsupported". pkg/sftp's request
	// server advertises its extensions from a package-global list
	// (sftp.SetSFTPExtensions), so the VERSION packet is rewritten on the
	// way out instead, per connection.
	NoPosixRename bool
	// OverwriteOnRename: a plain rename replaces an existing target file
	// (SFTPGo's behaviour, drakkan/sftpgo#2068) instead of failing.
	OverwriteOnRename bool
	// NoMkdir: mkdir answers permission denied; with Dirs, only the
	// folders the test created exist.
	NoMkdir bool
	// DenyRead: under these path prefixes, reading files and listing
	// folders answer permission denied (stat still works, as for a folder
	// with mode 0311). DenyWrite: creating, writing, removing, renaming
	// from or to and mkdir answer permission denied. Both can be changed
	// at runtime (SetDenyRead, SetDenyWrite).
	DenyRead, DenyWrite []string
	// Quota bounds the total bytes of all files. A write beyond it stores
	// what fits (as write(2) on a full disk does) and answers SSH_FX_FAILURE
	// "no space left on device". 0: unlimited. SetQuota changes it at
	// runtime; Put (the test's own writes) ignores it.
	Quota int64
	// Dirs are folders that exist from the start (with their parents).
	Dirs []string
}

// MemSFTP is a running in-memory SFTP server on a loopback port.
type MemSFTP struct {
	Host, User string
	Port       int
	Addr       string // host:port
	KnownHosts string // known_hosts file holding the server's host key
	KeyFile    string // the user's private key (OpenSSH format, no passphrase)
	Password   string

	ln      net.Listener
	userKey ssh.PublicKey
	config  *ssh.ServerConfig

	mu     sync.Mutex
	opts   MemSFTPOptions
	nodes  map[string]*memNode // clean absolute path → file or folder
	conns  map[net.Conn]bool
	logins int
	reads  map[string]int // opens for reading, per path
	ops    map[string]int // requests per method, e.g. "Rename"
	trace  []string       // the last requests, printed when a test fails
}

type memNode struct {
	dir   bool
	data  []byte
	mtime time.Time
}

// ErrNoSpace is what a write beyond the quota answers (as SSH_FX_FAILURE).
var ErrNoSpace = errors.New("no space left on device")

// StartMemSFTP starts the server; it stops at the test's cleanup.
func StartMemSFTP(t testing.TB, opts MemSFTPOptions) *MemSFTP {
	t.Helper()
	if opts.User == "" {
		opts.User = "erp"
	}
	m := &MemSFTP{Host: "127.0.0.1", User: opts.User, Password: opts.Password, opts: opts,
		nodes: map[string]*memNode{"/": {dir: true, mtime: time.Now()}},
		conns: map[net.Conn]bool{}, reads: map[string]int{}, ops: map[string]int{}}
	for _, d := range opts.Dirs {
		m.mkdirAll(memClean(d))
	}
	dir := t.TempDir()

	_, hostPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	hostSigner, err := ssh.NewSignerFromKey(hostPriv)
	if err != nil {
		t.Fatal(err)
	}
	userPub, userPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if m.userKey, err = ssh.NewPublicKey(userPub); err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(userPriv, "erpconnector-memsftp")
	if err != nil {
		t.Fatal(err)
	}
	m.KeyFile = filepath.Join(dir, "user_ed25519")
	if err := os.WriteFile(m.KeyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}

	m.config = &ssh.ServerConfig{
		PublicKeyCallback: func(c ssh.ConnMetadata, k ssh.PublicKey) (*ssh.Permissions, error) {
			if c.User() == m.User && !opts.NoKey && bytes.Equal(k.Marshal(), m.userKey.Marshal()) {
				return nil, nil
			}
			return nil, errors.New("key refused")
		},
	}
	if opts.Password != "" {
		m.config.PasswordCallback = func(c ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
			if c.User() == m.User && subtle.ConstantTimeCompare(pw, []byte(opts.Password)) == 1 {
				return nil, nil
			}
			return nil, errors.New("password refused")
		}
	}
	m.config.AddHostKey(hostSigner)

	if m.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	m.Addr = m.ln.Addr().String()
	m.Port = m.ln.Addr().(*net.TCPAddr).Port
	m.KnownHosts = filepath.Join(dir, "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(m.Addr)}, hostSigner.PublicKey()) + "\n"
	if err := os.WriteFile(m.KnownHosts, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	go m.serve()
	t.Cleanup(func() {
		m.ln.Close()
		m.DropAll()
		if t.Failed() {
			m.mu.Lock()
			t.Logf("memsftp: last requests:\n%s", strings.Join(m.trace, "\n"))
			m.mu.Unlock()
		}
	})
	return m
}

func (m *MemSFTP) serve() {
	for {
		nc, err := m.ln.Accept()
		if err != nil {
			return
		}
		m.mu.Lock()
		m.conns[nc] = true
		m.mu.Unlock()
		go m.serveConn(nc)
	}
}

func (m *MemSFTP) serveConn(nc net.Conn) {
	defer func() {
		nc.Close()
		m.mu.Lock()
		delete(m.conns, nc)
		m.mu.Unlock()
	}()
	nc.SetDeadline(time.Now().Add(10 * time.Second))
	sc, chans, reqs, err := ssh.NewServerConn(nc, m.config)
	if err != nil {
		return
	}
	nc.SetDeadline(time.Time{})
	defer sc.Close()
	m.mu.Lock()
	m.logins++
	m.mu.Unlock()
	go ssh.DiscardRequests(reqs)
	for nch := range chans {
		if nch.ChannelType() != "session" {
			nch.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, creqs, err := nch.Accept()
		if err != nil {
			return
		}
		go m.session(ch, creqs)
	}
}

// session serves the "sftp" subsystem and refuses everything else (shells,
// commands): a file-transfer-only account.
func (m *MemSFTP) session(ch ssh.Channel, reqs <-chan *ssh.Request) {
	started := false
	for req := range reqs {
		ok := req.Type == "subsystem" && !started && len(req.Payload) >= 4 && string(req.Payload[4:]) == "sftp"
		req.Reply(ok, nil)
		if !ok {
			continue
		}
		started = true
		var rwc io.ReadWriteCloser = ch
		m.mu.Lock()
		if m.opts.NoPosixRename {
			rwc = &memVersionFilter{ReadWriteCloser: ch, drop: "posix-rename@openssh.com"}
		}
		m.mu.Unlock()
		go func() {
			rs := sftp.NewRequestServer(rwc, sftp.Handlers{FileGet: memHandler{m}, FilePut: memHandler{m}, FileCmd: memHandler{m}, FileList: memHandler{m}})
			rs.Serve()
			rs.Close()
			ch.Close()
		}()
	}
}

// memVersionFilter removes one extension from the server's SSH_FXP_VERSION
// packet, the first packet the server sends.
type memVersionFilter struct {
	io.ReadWriteCloser
	drop string
	done bool
	buf  []byte
}

func (v *memVersionFilter) Write(p []byte) (int, error) {
	if v.done {
		return v.ReadWriteCloser.Write(p)
	}
	v.buf = append(v.buf, p...)
	if len(v.buf) < 4 || len(v.buf) < 4+int(binary.BigEndian.Uint32(v.buf)) {
		return len(p), nil // the packet is not complete yet
	}
	v.done = true
	n := 4 + int(binary.BigEndian.Uint32(v.buf))
	pkt, rest := v.buf[4:n], v.buf[n:]
	out := pkt
	if len(pkt) >= 5 && pkt[0] == 2 { // SSH_FXP_VERSION, uint32 version, then name/data pairs
		out = append([]byte(nil), pkt[:5]...)
		for b := pkt[5:]; len(b) > 0; {
			name, b1, ok1 := memSSHString(b)
			data, b2, ok2 := memSSHString(b1)
			if !ok1 || !ok2 {
				out = pkt // not what we expected: pass it on unchanged
				break
			}
			if string(name) != v.drop {
				out = memAppendSSHString(memAppendSSHString(out, name), data)
			}
			b = b2
		}
	}
	msg := binary.BigEndian.AppendUint32(nil, uint32(len(out)))
	msg = append(append(msg, out...), rest...)
	if _, err := v.ReadWriteCloser.Write(msg); err != nil {
		return 0, err
	}
	return len(p), nil
}

func memSSHString(b []byte) (s, rest []byte, ok bool) {
	if len(b) < 4 || len(b)-4 < int(binary.BigEndian.Uint32(b)) {
		return nil, nil, false
	}
	n := 4 + int(binary.BigEndian.Uint32(b))
	return b[4:n], b[n:], true
}

func memAppendSSHString(b, s []byte) []byte {
	return append(binary.BigEndian.AppendUint32(b, uint32(len(s))), s...)
}

// DropAll cuts every open connection now (a network failure).
func (m *MemSFTP) DropAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for c := range m.conns {
		c.Close()
	}
}

// Logins is how many SSH logins succeeded so far.
func (m *MemSFTP) Logins() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.logins
}

// Ops is how many requests of one method were made ("Get" opens for
// reading, "Put" for writing, "Rename", "PosixRename", "Remove", "Mkdir",
// "List", "Stat", "Setstat", "Rmdir").
func (m *MemSFTP) Ops(method string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ops[method]
}

// Reads is how many times p was opened for reading.
func (m *MemSFTP) Reads(p string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.reads[memClean(p)]
}

// SetQuota changes the disk size (0: unlimited), e.g. to free a full disk.
func (m *MemSFTP) SetQuota(n int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.opts.Quota = n
}

// Used is the total size of all files.
func (m *MemSFTP) Used() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.used()
}

// SetDenyRead and SetDenyWrite replace the path prefixes refused.
func (m *MemSFTP) SetDenyRead(prefixes ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.opts.DenyRead = prefixes
}

func (m *MemSFTP) SetDenyWrite(prefixes ...string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.opts.DenyWrite = prefixes
}

// Put writes a file as someone on the server would (the ERP): at once,
// creating its folders, regardless of quota and permissions.
func (m *MemSFTP) Put(p string, data []byte) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p = memClean(p)
	m.mkdirAll(path.Dir(p))
	m.nodes[p] = &memNode{data: slices.Clone(data), mtime: time.Now()}
}

// Get is a file's content; false when there is no such file.
func (m *MemSFTP) Get(p string) ([]byte, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.nodes[memClean(p)]
	if n == nil || n.dir {
		return nil, false
	}
	return slices.Clone(n.data), true
}

// Exists reports whether a file or folder exists.
func (m *MemSFTP) Exists(p string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.nodes[memClean(p)] != nil
}

// Mkdir creates a folder and its parents.
func (m *MemSFTP) Mkdir(p string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mkdirAll(memClean(p))
}

// Remove deletes a file or folder with everything in it.
func (m *MemSFTP) Remove(p string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p = memClean(p)
	for k := range m.nodes {
		if k != "/" && memUnder(k, p) {
			delete(m.nodes, k)
		}
	}
}

// List is the sorted names in a folder; folders end in "/".
func (m *MemSFTP) List(dir string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, k := range m.children(memClean(dir)) {
		name := path.Base(k)
		if m.nodes[k].dir {
			name += "/"
		}
		out = append(out, name)
	}
	return out
}

// Files is every file under dir, as sorted paths relative to dir.
func (m *MemSFTP) Files(dir string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	dir = memClean(dir)
	var out []string
	for k, n := range m.nodes {
		if !n.dir && memUnder(k, dir) {
			out = append(out, strings.TrimPrefix(strings.TrimPrefix(k, dir), "/"))
		}
	}
	slices.Sort(out)
	return out
}

// --- the file system, m.mu held ---

func memClean(p string) string { return path.Clean("/" + p) }

// under reports whether p is prefix or inside it.
func memUnder(p, prefix string) bool {
	return prefix == "/" || p == prefix || strings.HasPrefix(p, prefix+"/")
}

func memMatches(p string, prefixes []string) bool {
	for _, pre := range prefixes {
		if memUnder(p, memClean(pre)) {
			return true
		}
	}
	return false
}

func (m *MemSFTP) mkdirAll(p string) {
	for q := p; ; q = path.Dir(q) {
		if m.nodes[q] == nil {
			m.nodes[q] = &memNode{dir: true, mtime: time.Now()}
		}
		if q == "/" {
			return
		}
	}
}

func (m *MemSFTP) used() int64 {
	var n int64
	for _, f := range m.nodes {
		n += int64(len(f.data))
	}
	return n
}

// children are the sorted paths directly in dir.
func (m *MemSFTP) children(dir string) []string {
	var out []string
	for k := range m.nodes {
		if k != "/" && path.Dir(k) == dir {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func (m *MemSFTP) record(method, p string, err error) {
	m.ops[method]++
	line := time.Now().Format("15:04:05.000") + " " + method + " " + p
	if err != nil {
		line += ": " + err.Error()
	}
	if len(m.trace) >= 300 {
		m.trace = m.trace[1:]
	}
	m.trace = append(m.trace, line)
}

// memDenied is permission denied as pkg/sftp sends it (SSH_FX_PERMISSION_DENIED).
func memDenied(p string) error {
	return fmt.Errorf("%s: %w", p, sftp.ErrSSHFxPermissionDenied)
}

func memFailure(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, sftp.ErrSSHFxFailure)...)
}

// parentDir checks that p's folder exists.
func (m *MemSFTP) parentDir(p string) error {
	d := m.nodes[path.Dir(p)]
	if d == nil {
		return os.ErrNotExist
	}
	if !d.dir {
		return memFailure("%s is not a folder", path.Dir(p))
	}
	return nil
}

// memHandler answers the request server's calls.
type memHandler struct{ m *MemSFTP }

func (h memHandler) Fileread(r *sftp.Request) (_ io.ReaderAt, err error) {
	m := h.m
	m.mu.Lock()
	defer m.mu.Unlock()
	p := memClean(r.Filepath)
	defer func() { m.record("Get", p, err) }()
	n := m.nodes[p]
	switch {
	case memMatches(p, m.opts.DenyRead):
		return nil, memDenied(p)
	case n == nil:
		return nil, os.ErrNotExist
	case n.dir:
		return nil, memFailure("%s is a folder", p)
	}
	m.reads[p]++
	return &memReader{m: m, p: p, n: n}, nil
}

type memReader struct {
	m    *MemSFTP
	p    string
	n    *memNode
	read bool
}

func (r *memReader) ReadAt(b []byte, off int64) (int, error) {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	r.read = true
	if off >= int64(len(r.n.data)) {
		r.consume()
		return 0, io.EOF
	}
	n := copy(b, r.n.data[off:])
	if off+int64(n) >= int64(len(r.n.data)) {
		r.consume()
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

// consume deletes a read-once file, unless its name meanwhile holds
// another file.
func (r *memReader) consume() {
	if r.m.opts.ReadOnce && r.m.nodes[r.p] == r.n {
		delete(r.m.nodes, r.p)
		r.m.record("read-once delete", r.p, nil)
	}
}

func (r *memReader) Close() error {
	r.m.mu.Lock()
	defer r.m.mu.Unlock()
	if r.read {
		r.consume()
	}
	return nil
}

func (h memHandler) Filewrite(r *sftp.Request) (_ io.WriterAt, err error) {
	m := h.m
	m.mu.Lock()
	defer m.mu.Unlock()
	p := memClean(r.Filepath)
	defer func() { m.record("Put", p, err) }()
	fl := r.Pflags()
	if memMatches(p, m.opts.DenyWrite) {
		return nil, memDenied(p)
	}
	if err := m.parentDir(p); err != nil {
		return nil, err
	}
	n := m.nodes[p]
	switch {
	case n != nil && n.dir:
		return nil, memFailure("%s is a folder", p)
	case n != nil && fl.Creat && fl.Excl:
		return nil, memFailure("%s exists", p)
	case n == nil && !fl.Creat:
		return nil, os.ErrNotExist
	case n == nil:
		n = &memNode{mtime: time.Now()}
		m.nodes[p] = n
	case fl.Trunc:
		n.data, n.mtime = nil, time.Now()
	}
	return &memWriter{m: m, p: p, n: n, appendOnly: fl.Append}, nil
}

type memWriter struct {
	m          *MemSFTP
	p          string
	n          *memNode
	appendOnly bool
}

func (w *memWriter) WriteAt(b []byte, off int64) (int, error) {
	w.m.mu.Lock()
	defer w.m.mu.Unlock()
	if w.appendOnly {
		off = int64(len(w.n.data))
	}
	// Like write(2) on a full disk: what fits is written, then the error.
	err := w.m.grow(w.n, off+int64(len(b)))
	if int64(len(w.n.data)) > off {
		copy(w.n.data[off:], b)
		w.n.mtime = time.Now()
	}
	if err != nil {
		w.m.record("Write", w.p, err)
		return 0, err
	}
	return len(b), nil
}

// grow extends n towards size bytes as far as the quota allows; short of
// size it answers ErrNoSpace.
func (m *MemSFTP) grow(n *memNode, size int64) error {
	have := int64(len(n.data))
	if size <= have {
		return nil
	}
	if q := m.opts.Quota; q > 0 && m.used()+size-have > q {
		free := max(q-m.used(), 0)
		n.data = append(n.data, make([]byte, free)...)
		return fmt.Errorf("%w (quota %d bytes)", ErrNoSpace, q)
	}
	n.data = append(n.data, make([]byte, size-have)...)
	return nil
}

func (h memHandler) Filecmd(r *sftp.Request) (err error) {
	m := h.m
	m.mu.Lock()
	defer m.mu.Unlock()
	p, target := memClean(r.Filepath), ""
	if r.Target != "" {
		target = memClean(r.Target)
	}
	defer func() { m.record(r.Method, strings.TrimSuffix(p+" → "+target, " → "), err) }()
	if memMatches(p, m.opts.DenyWrite) || (target != "" && memMatches(target, m.opts.DenyWrite)) {
		return memDenied(p)
	}
	n := m.nodes[p]
	switch r.Method {
	case "Setstat":
		if n == nil {
			return os.ErrNotExist
		}
		fl, attrs := r.AttrFlags(), r.Attributes()
		if fl.Size && !n.dir {
			if int64(attrs.Size) < int64(len(n.data)) {
				n.data = n.data[:attrs.Size]
			} else if err := m.grow(n, int64(attrs.Size)); err != nil {
				return err
			}
		}
		if fl.Acmodtime {
			n.mtime = time.Unix(int64(attrs.Mtime), 0)
		}
		return nil
	case "Rename":
		return m.rename(p, target, m.opts.OverwriteOnRename)
	case "Mkdir":
		switch {
		case m.opts.NoMkdir:
			return memDenied(p)
		case n != nil:
			return memFailure("%s exists", p)
		}
		if err := m.parentDir(p); err != nil {
			return err
		}
		m.nodes[p] = &memNode{dir: true, mtime: time.Now()}
		return nil
	case "Rmdir":
		switch {
		case n == nil:
			return os.ErrNotExist
		case !n.dir || p == "/":
			return memFailure("%s is not a folder", p)
		case len(m.children(p)) > 0:
			return memFailure("%s is not empty", p)
		}
		delete(m.nodes, p)
		return nil
	case "Remove":
		switch {
		case n == nil:
			return os.ErrNotExist
		case n.dir:
			return memFailure("%s is a folder", p)
		}
		delete(m.nodes, p)
		return nil
	}
	return sftp.ErrSSHFxOpUnsupported // links
}

// PosixRename replaces the target in one step, when the server offers it.
func (h memHandler) PosixRename(r *sftp.Request) (err error) {
	m := h.m
	m.mu.Lock()
	defer m.mu.Unlock()
	p, target := memClean(r.Filepath), memClean(r.Target)
	defer func() { m.record("PosixRename", p+" → "+target, err) }()
	if m.opts.NoPosixRename {
		return sftp.ErrSSHFxOpUnsupported
	}
	if memMatches(p, m.opts.DenyWrite) || memMatches(target, m.opts.DenyWrite) {
		return memDenied(p)
	}
	return m.rename(p, target, true)
}

func (m *MemSFTP) rename(p, target string, overwrite bool) error {
	n := m.nodes[p]
	switch {
	case m.opts.NoRename:
		return memDenied(p)
	case n == nil:
		return os.ErrNotExist
	case p == "/" || memUnder(target, p):
		return memFailure("cannot move %s into itself", p)
	}
	if err := m.parentDir(target); err != nil {
		return err
	}
	if old := m.nodes[target]; old != nil {
		// OpenSSH answers a plain rename onto an existing name with a
		// failure; posix-rename and some servers replace it.
		if !overwrite || old.dir || n.dir {
			return memFailure("%s exists", target)
		}
	}
	for k, v := range m.nodes {
		if memUnder(k, p) {
			delete(m.nodes, k)
			m.nodes[target+strings.TrimPrefix(k, p)] = v
		}
	}
	return nil
}

func (h memHandler) Filelist(r *sftp.Request) (_ sftp.ListerAt, err error) {
	m := h.m
	m.mu.Lock()
	defer m.mu.Unlock()
	p := memClean(r.Filepath)
	defer func() { m.record(r.Method, p, err) }()
	n := m.nodes[p]
	switch r.Method {
	case "List":
		switch {
		case memMatches(p, m.opts.DenyRead):
			return nil, memDenied(p)
		case n == nil:
			return nil, os.ErrNotExist
		case !n.dir:
			return nil, memFailure("%s is not a folder", p)
		}
		var l memLister
		for _, k := range m.children(p) {
			l = append(l, memStat(k, m.nodes[k]))
		}
		return l, nil
	case "Stat", "Lstat":
		if n == nil {
			return nil, os.ErrNotExist
		}
		return memLister{memStat(p, n)}, nil
	}
	return nil, sftp.ErrSSHFxOpUnsupported // no links here
}

type memLister []os.FileInfo

func (l memLister) ListAt(out []os.FileInfo, off int64) (int, error) {
	if off >= int64(len(l)) {
		return 0, io.EOF
	}
	n := copy(out, l[off:])
	if off+int64(n) >= int64(len(l)) {
		return n, io.EOF
	}
	return n, nil
}

// memFileInfo is a snapshot: later writes do not change a listing already made.
type memFileInfo struct {
	name  string
	size  int64
	mode  os.FileMode
	mtime time.Time
}

func memStat(p string, n *memNode) os.FileInfo {
	fi := &memFileInfo{name: path.Base(p), size: int64(len(n.data)), mode: 0o644, mtime: n.mtime}
	if n.dir {
		fi.mode = os.ModeDir | 0o755
	}
	return fi
}

func (f *memFileInfo) Name() string       { return f.name }
func (f *memFileInfo) Size() int64        { return f.size }
func (f *memFileInfo) Mode() os.FileMode  { return f.mode }
func (f *memFileInfo) ModTime() time.Time { return f.mtime }
func (f *memFileInfo) IsDir() bool        { return f.mode.IsDir() }
func (f *memFileInfo) Sys() any           { return nil }

// URL is the sftp:// folder URL for an absolute path on this server.
func (m *MemSFTP) URL(p string) string {
	return "sftp://" + m.User + "@" + m.Host + ":" + strconv.Itoa(m.Port) + memClean(p)
}
