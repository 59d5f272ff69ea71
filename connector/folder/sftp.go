package folder

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"erpconnector/connector/fsutil"
)

// SFTPServer says how to reach and log into one SFTP server, and what the
// server allows. Servers differ (field-lessons §3): some delete a file once it
// has been read, some refuse renames, some have no folder we may create.
type SFTPServer struct {
	Addr       string // host:port
	User       string
	KnownHosts string // OpenSSH known_hosts file; the server's key must be in it
	Key        []byte // OpenSSH private key file content (optional)
	Passphrase []byte // for an encrypted Key
	Password   string // optional; tried after the key
	// Timeout bounds dialling, the handshake, and any one operation that
	// makes no progress; a server that stops answering loses its connection
	// instead of hanging a route. Default 30s.
	Timeout time.Duration
	// ReadOnce: the server deletes a file once it has been read. Files are
	// read once, sequentially, and never looked at again.
	ReadOnce bool
	// NoRename: the server refuses renames. Files are then taken in place
	// and deleted once safely in the store, and uploads are written under
	// their final name followed by an empty UploadMarker file (".done").
	NoRename     bool
	UploadMarker string
	// NoMkdir: folders that do not exist are an error rather than created.
	NoMkdir bool

	// hostKeyCallback replaces known_hosts in this package's tests only.
	hostKeyCallback ssh.HostKeyCallback
}

// SettingError is a problem with one of the server's settings, found before
// connecting; Setting names it as the config file does ("known_hosts").
type SettingError struct {
	Setting string
	Err     error
}

func (e *SettingError) Error() string { return e.Err.Error() }
func (e *SettingError) Unwrap() error { return e.Err }

func settingErr(setting string, format string, args ...any) error {
	return &SettingError{Setting: setting, Err: fmt.Errorf(format, args...)}
}

// ErrUnreachable is returned while the server cannot be reached; the next
// attempt is made after a backoff (1s doubling up to a minute).
var ErrUnreachable = errors.New("sftp server unreachable")

// ErrConnectionLost is returned when the connection broke during an
// operation that is not safe to repeat blindly (a rename, an upload). The
// caller finds out on its next listing what the server did.
var ErrConnectionLost = errors.New("sftp connection lost")

// ErrCrossFolder is returned by MoveTo when the two folders are not on the
// same file system or server; the caller copies instead.
var ErrCrossFolder = errors.New("folders are not on the same server")

// SFTPConn is one long-lived connection to a server, shared by every folder
// on it: servers defend themselves against connection churn, so routes and
// polls reuse it, and it is re-dialled only after it broke.
type SFTPConn struct {
	srv    SFTPServer
	config *ssh.ClientConfig

	mu      sync.Mutex
	ssh     *ssh.Client
	cl      *sftp.Client
	posix   bool // posix-rename@openssh.com offered
	fsync   bool // fsync@openssh.com offered
	backoff time.Duration
	next    time.Time // no dial before this
	lastErr error
	dials   int
	// orphans are temporary uploads whose removal failed with the
	// connection; they are removed as soon as there is a connection again.
	orphans []string
}

// NewSFTPConn checks the server's settings (known_hosts readable, key
// parseable) without connecting; the first operation connects.
func NewSFTPConn(srv SFTPServer) (*SFTPConn, error) {
	if srv.Timeout <= 0 {
		srv.Timeout = 30 * time.Second
	}
	if srv.UploadMarker == "" {
		srv.UploadMarker = ".done"
	}
	if _, _, err := net.SplitHostPort(srv.Addr); err != nil {
		return nil, fmt.Errorf("sftp %s: %w", srv.Addr, err)
	}
	hostKey := srv.hostKeyCallback
	var algos []string
	if hostKey == nil {
		if srv.KnownHosts == "" {
			return nil, settingErr("known_hosts", "sftp %s: known_hosts is required: the server's host key must be known before the first connection", srv.Addr)
		}
		cb, err := knownhosts.New(srv.KnownHosts)
		if err != nil {
			return nil, settingErr("known_hosts", "sftp %s: known_hosts: %w", srv.Addr, err)
		}
		algos = knownAlgorithms(cb, srv.Addr)
		if len(algos) == 0 {
			return nil, settingErr("known_hosts", "sftp %s: %s has no key for %s; add it (ssh-keyscan -p PORT HOST) after checking its fingerprint with the server's administrator",
				srv.Addr, srv.KnownHosts, knownhosts.Normalize(srv.Addr))
		}
		hostKey = hostKeyChecker(cb, srv.KnownHosts)
	}
	var auth []ssh.AuthMethod
	if len(srv.Key) > 0 {
		var signer ssh.Signer
		var err error
		if len(srv.Passphrase) > 0 {
			signer, err = ssh.ParsePrivateKeyWithPassphrase(srv.Key, srv.Passphrase)
		} else {
			signer, err = ssh.ParsePrivateKey(srv.Key)
		}
		if _, ok := errors.AsType[*ssh.PassphraseMissingError](err); ok {
			return nil, settingErr("private_key", "sftp %s: the private key is encrypted: set passphrase", srv.Addr)
		}
		if err != nil {
			return nil, settingErr("private_key", "sftp %s: private key: %w", srv.Addr, err)
		}
		auth = append(auth, ssh.PublicKeys(signer))
	}
	if srv.Password != "" {
		pw := srv.Password
		auth = append(auth, ssh.Password(pw),
			// Many servers offer only keyboard-interactive for passwords.
			ssh.KeyboardInteractive(func(_, _ string, qs []string, _ []bool) ([]string, error) {
				a := make([]string, len(qs))
				for i := range a {
					a[i] = pw
				}
				return a, nil
			}))
	}
	if len(auth) == 0 {
		return nil, settingErr("private_key", "sftp %s: no private key and no password", srv.Addr)
	}
	return &SFTPConn{srv: srv, config: &ssh.ClientConfig{
		User: srv.User, Auth: auth, HostKeyCallback: hostKey, HostKeyAlgorithms: algos, Timeout: srv.Timeout,
	}}, nil
}

// knownAlgorithms are the host key algorithms known_hosts has for addr, so
// that the server is asked for a key we can check (a server offering ed25519
// and RSA must not be refused because it offered the one we do not know).
func knownAlgorithms(cb ssh.HostKeyCallback, addr string) []string {
	// The knownhosts package answers "which keys do you have for this host"
	// only through the error for a key it does not know.
	probe, err := ssh.NewPublicKey(ed25519.PublicKey(make([]byte, ed25519.PublicKeySize))) // no one has this key
	if err != nil {
		return nil
	}
	tcp, _ := net.ResolveTCPAddr("tcp", addr)
	if tcp == nil {
		tcp = &net.TCPAddr{}
	}
	var ke *knownhosts.KeyError
	if !errors.As(cb(addr, tcp, probe), &ke) {
		return nil
	}
	var algos []string
	for _, k := range ke.Want {
		switch t := k.Key.Type(); t {
		case ssh.KeyAlgoRSA:
			algos = append(algos, ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA)
		default:
			algos = append(algos, t)
		}
	}
	return algos
}

func hostKeyChecker(cb ssh.HostKeyCallback, file string) ssh.HostKeyCallback {
	return func(host string, remote net.Addr, key ssh.PublicKey) error {
		err := cb(host, remote, key)
		var ke *knownhosts.KeyError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &ke) && len(ke.Want) > 0:
			return fmt.Errorf("the host key of %s (%s) is not the one in %s: the server's key changed or someone is in between; refusing to connect",
				host, ssh.FingerprintSHA256(key), file)
		case errors.As(err, &ke):
			return fmt.Errorf("%s is not in %s; refusing to connect", host, file)
		}
		return err
	}
}

// String names the server for logs: no secrets, only who and where.
func (c *SFTPConn) String() string { return "sftp://" + c.srv.User + "@" + c.srv.Addr }

// Server is the server's settings.
func (c *SFTPConn) Server() SFTPServer { return c.srv }

// Connected reports whether a connection is open now.
func (c *SFTPConn) Connected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cl != nil
}

// Dials is how many connections were opened so far.
func (c *SFTPConn) Dials() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dials
}

// client returns the live connection, dialling when there is none and the
// backoff allows.
func (c *SFTPConn) client() (*sftp.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cl != nil {
		return c.cl, nil
	}
	if now := time.Now(); now.Before(c.next) {
		return nil, fmt.Errorf("%s: %w (next attempt in %s): %v", c, ErrUnreachable, c.next.Sub(now).Round(time.Millisecond), c.lastErr)
	}
	sc, cl, err := c.dial()
	if err != nil {
		c.backoff = min(max(2*c.backoff, time.Second), time.Minute)
		c.next = time.Now().Add(c.backoff)
		c.lastErr = err
		return nil, fmt.Errorf("%s: %w: %v", c, ErrUnreachable, err)
	}
	c.backoff, c.lastErr, c.next = 0, nil, time.Time{}
	c.ssh, c.cl = sc, cl
	c.dials++
	for _, p := range c.orphans {
		if err := cl.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			slog.Warn("cannot remove an interrupted upload", "server", c.String(), "file", p, "err", err)
		}
	}
	c.orphans = nil
	_, c.posix = cl.HasExtension("posix-rename@openssh.com")
	_, c.fsync = cl.HasExtension("fsync@openssh.com")
	return cl, nil
}

func (c *SFTPConn) dial() (*ssh.Client, *sftp.Client, error) {
	nc, err := net.DialTimeout("tcp", c.srv.Addr, c.srv.Timeout)
	if err != nil {
		return nil, nil, err
	}
	// The handshake gets the same bound as the dial: a tarpit or a
	// half-open port must not hang the route.
	nc.SetDeadline(time.Now().Add(c.srv.Timeout))
	conn, chans, reqs, err := ssh.NewClientConn(nc, c.srv.Addr, c.config)
	if err != nil {
		nc.Close()
		return nil, nil, err
	}
	nc.SetDeadline(time.Time{})
	sc := ssh.NewClient(conn, chans, reqs)
	opts := []sftp.ClientOption{}
	if c.srv.ReadOnce {
		// Read-once servers map a file to a queue message: one sequential
		// read, and no stat by name after opening.
		opts = append(opts, sftp.UseConcurrentReads(false), sftp.UseFstat(true))
	}
	cl, err := sftp.NewClient(sc, opts...)
	if err != nil {
		sc.Close()
		return nil, nil, err
	}
	return sc, cl, nil
}

// drop closes cl if it is still the current connection.
func (c *SFTPConn) drop(cl *sftp.Client) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cl != cl || cl == nil {
		return
	}
	c.cl.Close()
	c.ssh.Close()
	c.cl, c.ssh = nil, nil
}

// Close ends the connection.
func (c *SFTPConn) Close() error {
	c.mu.Lock()
	cl := c.cl
	c.mu.Unlock()
	c.drop(cl)
	return nil
}

// lost reports whether err means the connection is gone (rather than an
// answer from the server such as "no such file").
func lost(err error) bool {
	if err == nil {
		return false
	}
	var se *sftp.StatusError
	if errors.As(err, &se) {
		return se.FxCode() == sftp.ErrSSHFxConnectionLost || se.FxCode() == sftp.ErrSSHFxNoConnection
	}
	if errors.Is(err, os.ErrNotExist) || errors.Is(err, os.ErrPermission) || errors.Is(err, os.ErrExist) {
		return false
	}
	var ne net.Error
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.As(err, &ne) || errors.Is(err, sftp.ErrSSHFxConnectionLost) || strings.Contains(err.Error(), "connection lost")
}

// do runs fn on the connection with a watchdog: if fn makes no progress for
// the timeout the connection is closed, which ends fn with an error. Safe
// operations (listing, stat, open for reading) are tried once more on a new
// connection; the others report ErrConnectionLost.
func (c *SFTPConn) do(safe bool, fn func(*sftp.Client) error) error {
	for attempt := 0; ; attempt++ {
		cl, err := c.client()
		if err != nil {
			return err
		}
		t := time.AfterFunc(c.srv.Timeout, func() { c.drop(cl) })
		err = fn(cl)
		t.Stop()
		if !lost(err) {
			return err
		}
		c.drop(cl)
		if !safe || attempt > 0 {
			return fmt.Errorf("%s: %w: %v", c, ErrConnectionLost, err)
		}
		slog.Info("sftp connection lost; reconnecting", "server", c.String(), "err", err)
	}
}

// Folder is the folder at dir on the server. A dir that is not absolute is
// relative to the login folder.
func (c *SFTPConn) Folder(dir string) *SFTP {
	return &SFTP{c: c, dir: path.Clean(dir)}
}

// SFTP is a folder on an SFTP server. It has no change events: it is polled.
type SFTP struct {
	c   *SFTPConn
	dir string
}

func (f *SFTP) String() string { return f.c.String() + "/" + strings.TrimPrefix(f.dir, "/") }

// Dir is the folder's path on the server.
func (f *SFTP) Dir() string { return f.dir }

// Conn is the connection the folder uses.
func (f *SFTP) Conn() *SFTPConn { return f.c }

// Sub is the folder name inside f.
func (f *SFTP) Sub(name string) *SFTP { return f.c.Folder(path.Join(f.dir, name)) }

// Changes is nil: an SFTP folder can only be polled.
func (f *SFTP) Changes() <-chan struct{} { return nil }

func (f *SFTP) Close() error { return nil }

// List reads the folder. Names the server sends that are not plain names
// ("/", "..", control characters) are refused, as are symlinks, folders and
// our own temporary uploads.
func (f *SFTP) List(ctx context.Context) ([]Entry, error) {
	var fis []os.FileInfo
	err := f.c.do(true, func(cl *sftp.Client) error {
		var err error
		fis, err = cl.ReadDirContext(ctx, f.dir)
		return err
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: the folder does not exist on the server: %w", f, err)
	}
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", f, err)
	}
	out := make([]Entry, 0, len(fis))
	for _, fi := range fis {
		if !fi.Mode().IsRegular() || strings.HasPrefix(fi.Name(), fsutil.TempPrefix) {
			continue
		}
		if err := CheckName(fi.Name()); err != nil {
			slog.Warn("sftp server listed a name that is not a plain file name; ignored", "folder", f.String(), "err", err)
			continue
		}
		out = append(out, Entry{Name: fi.Name(), Size: fi.Size(), ModTime: fi.ModTime()})
	}
	return out, nil
}

func (f *SFTP) path(rel string) (string, error) {
	if err := checkRel(rel); err != nil {
		return "", err
	}
	return path.Join(f.dir, rel), nil
}

// Stat describes a regular file; rel may name a file in a subfolder.
func (f *SFTP) Stat(ctx context.Context, rel string) (Entry, error) {
	p, err := f.path(rel)
	if err != nil {
		return Entry{}, err
	}
	var fi os.FileInfo
	err = f.c.do(true, func(cl *sftp.Client) error {
		var err error
		fi, err = cl.Lstat(p)
		return err
	})
	if err != nil {
		return Entry{}, err
	}
	if !fi.Mode().IsRegular() {
		return Entry{}, fmt.Errorf("%s: %w: not a regular file", p, ErrUnsafeName)
	}
	return Entry{Name: path.Base(p), Size: fi.Size(), ModTime: fi.ModTime()}, nil
}

// Open opens a file for one sequential read.
func (f *SFTP) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	p, err := f.path(name)
	if err != nil {
		return nil, err
	}
	var file *sftp.File
	var cl *sftp.Client
	err = f.c.do(true, func(c *sftp.Client) error {
		cl = c
		file, err = c.OpenFile(p, os.O_RDONLY)
		return err
	})
	if err != nil {
		// pkg/sftp answers a bare "permission denied": name the file.
		return nil, fmt.Errorf("open %s on %s: %w", p, f.c, err)
	}
	return &sftpReader{f: file, c: f.c, cl: cl}, nil
}

// sftpReader arms the watchdog for every read, so that a download that
// stalls breaks the connection instead of hanging.
type sftpReader struct {
	f  *sftp.File
	c  *SFTPConn
	cl *sftp.Client
}

func (r *sftpReader) Read(p []byte) (int, error) {
	t := time.AfterFunc(r.c.srv.Timeout, func() { r.c.drop(r.cl) })
	defer t.Stop()
	n, err := r.f.Read(p)
	return n, r.wrap(err)
}

// WriteTo keeps pkg/sftp's pipelined reads (many requests in flight), which
// is what makes large downloads fast; the watchdog follows the writes.
func (r *sftpReader) WriteTo(w io.Writer) (int64, error) {
	pw := &progressWriter{w: w, reset: func() {}}
	t := time.AfterFunc(r.c.srv.Timeout, func() { r.c.drop(r.cl) })
	defer t.Stop()
	pw.reset = func() { t.Reset(r.c.srv.Timeout) }
	n, err := r.f.WriteTo(pw)
	return n, r.wrap(err)
}

func (r *sftpReader) wrap(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	if lost(err) {
		r.c.drop(r.cl)
		return fmt.Errorf("%s: %w while reading: %v", r.c, ErrConnectionLost, err)
	}
	return err
}

func (r *sftpReader) Close() error { return r.f.Close() }

type progressWriter struct {
	w     io.Writer
	reset func()
}

func (p *progressWriter) Write(b []byte) (int, error) {
	p.reset()
	return p.w.Write(b)
}

// Create uploads name atomically: the bytes go to a temporary name in the
// same folder and are renamed to name only once complete (posix-rename
// where offered, which replaces an older file in one step). On a server
// that refuses renames the file is written under its name and an empty
// name+UploadMarker follows it, which the reader must wait for.
func (f *SFTP) Create(ctx context.Context, name string) (Writer, error) {
	p, err := f.path(name)
	if err != nil {
		return nil, err
	}
	if err := f.mkdirAll(path.Dir(p)); err != nil {
		return nil, err
	}
	tmp := p
	if f.c.srv.NoRename {
		// Written in place: a marker left by an earlier upload of this name
		// (rewritten after a crash) would announce the half-written file.
		err := f.c.do(false, func(cl *sftp.Client) error { return cl.Remove(p + f.c.srv.UploadMarker) })
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("upload %s: remove the old marker: %w", p, err)
		}
	} else {
		var rnd [6]byte
		rand.Read(rnd[:])
		tmp = path.Join(path.Dir(p), fsutil.TempPrefix+hex.EncodeToString(rnd[:])+"-"+fsutil.Shorten(path.Base(p), 100))
	}
	var file *sftp.File
	var cl *sftp.Client
	err = f.c.do(false, func(c *sftp.Client) error {
		cl = c
		var err error
		file, err = c.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrConnectionLost) && tmp != p {
			// The server may have created the file before the answer was lost.
			f.c.mu.Lock()
			f.c.orphans = append(f.c.orphans, tmp)
			f.c.mu.Unlock()
		}
		return nil, fmt.Errorf("upload %s: %w", p, err)
	}
	return &sftpWriter{f: f, file: file, cl: cl, tmp: tmp, final: p}, nil
}

type sftpWriter struct {
	f          *SFTP
	file       *sftp.File
	cl         *sftp.Client
	tmp, final string
	err        error
	closed     bool
}

func (w *sftpWriter) Write(b []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	t := time.AfterFunc(w.f.c.srv.Timeout, func() { w.f.c.drop(w.cl) })
	n, err := w.file.Write(b)
	t.Stop()
	if err != nil {
		w.err = fmt.Errorf("upload %s: %w", w.final, err)
		if lost(err) {
			w.f.c.drop(w.cl)
			w.err = fmt.Errorf("upload %s: %w: %v", w.final, ErrConnectionLost, err)
		}
	}
	return n, w.err
}

// Abort gives the upload up and removes the temporary file.
func (w *sftpWriter) Abort() {
	if w.err == nil {
		w.err = errors.New("upload aborted")
	}
	w.Close()
}

// Close completes the upload. On any error the temporary file is removed
// (when the connection still allows) and nothing appears under the name.
func (w *sftpWriter) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	c := w.f.c
	if w.err == nil && c.fsyncOK() {
		if err := w.file.Sync(); err != nil && !errors.Is(err, sftp.ErrSSHFxOpUnsupported) {
			w.err = fmt.Errorf("upload %s: fsync: %w", w.final, err)
		}
	}
	if err := w.file.Close(); err != nil && w.err == nil {
		// The server reports a full disk or quota at close on some servers.
		w.err = fmt.Errorf("upload %s: %w", w.final, err)
	}
	if w.err != nil {
		w.removeTemp()
		return w.err
	}
	if c.srv.NoRename {
		w.err = c.do(false, func(cl *sftp.Client) error {
			m, err := cl.OpenFile(w.final+c.srv.UploadMarker, os.O_WRONLY|os.O_CREATE|os.O_TRUNC)
			if err != nil {
				return err
			}
			return m.Close()
		})
		if w.err != nil {
			w.err = fmt.Errorf("upload %s: marker: %w", w.final, w.err)
		}
		return w.err
	}
	w.err = c.do(false, func(cl *sftp.Client) error {
		if c.posixOK() {
			return cl.PosixRename(w.tmp, w.final)
		}
		// Plain SFTP rename refuses an existing target: an older copy of
		// this file (rewritten after a crash) is removed first.
		if err := cl.Remove(w.final); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		return cl.Rename(w.tmp, w.final)
	})
	if w.err != nil {
		// After a lost connection the rename may have happened: the
		// temporary is then gone, and removing it is harmless.
		w.removeTemp()
		w.err = fmt.Errorf("upload %s: rename into place: %w", w.final, w.err)
	}
	return w.err
}

// removeTemp removes the temporary upload now, or on the next connection.
func (w *sftpWriter) removeTemp() {
	if w.tmp == w.final {
		return // written in place (no renames): the marker is what counts
	}
	c := w.f.c
	err := c.do(false, func(cl *sftp.Client) error { return cl.Remove(w.tmp) })
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		c.mu.Lock()
		c.orphans = append(c.orphans, w.tmp)
		c.mu.Unlock()
	}
}

func (c *SFTPConn) posixOK() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.posix
}

func (c *SFTPConn) fsyncOK() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.fsync
}

func (f *SFTP) mkdirAll(dir string) error {
	return f.c.do(false, func(cl *sftp.Client) error {
		fi, err := cl.Stat(dir)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("%s on %s is not a folder", dir, f.c)
			}
			return nil
		}
		if !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if f.c.srv.NoMkdir {
			return fmt.Errorf("%s does not exist on %s and mkdir = false: create it on the server, or allow mkdir", dir, f.c)
		}
		if err := cl.MkdirAll(dir); err != nil {
			return fmt.Errorf("create %s on %s: %w", dir, f.c, err)
		}
		return nil
	})
}

// Rename moves a file within the folder (to may name a subfolder path,
// created as needed). It never replaces an existing file.
func (f *SFTP) Rename(ctx context.Context, from, to string) error {
	return f.MoveTo(ctx, from, f, to)
}

// MoveTo renames name into dst (on the same server) as dstName, which may
// name a subfolder path. It never replaces an existing file: the plain SFTP
// rename refuses to, and a server that would overwrite is checked first.
func (f *SFTP) MoveTo(ctx context.Context, name string, dst Folder, dstName string) error {
	d, ok := dst.(*SFTP)
	if !ok || d.c != f.c || f.c.srv.NoRename {
		return ErrCrossFolder
	}
	src, err := f.path(name)
	if err != nil {
		return err
	}
	to, err := d.path(dstName)
	if err != nil {
		return err
	}
	if err := d.mkdirAll(path.Dir(to)); err != nil {
		return err
	}
	return f.c.do(false, func(cl *sftp.Client) error {
		if _, err := cl.Lstat(to); err == nil {
			return fmt.Errorf("rename %s to %s: %w", src, to, fs.ErrExist)
		}
		if err := cl.Rename(src, to); err != nil {
			return fmt.Errorf("rename %s to %s: %w", src, to, err)
		}
		return nil
	})
}

// Remove deletes a file.
func (f *SFTP) Remove(ctx context.Context, name string) error {
	p, err := f.path(name)
	if err != nil {
		return err
	}
	err = f.c.do(false, func(cl *sftp.Client) error { return cl.Remove(p) })
	if err != nil {
		return fmt.Errorf("remove %s on %s: %w", p, f.c, err)
	}
	return nil
}

// RemoveTemps deletes our temporary uploads left by a broken connection or
// a crash; they are incomplete, and the store rewrites them.
func (f *SFTP) RemoveTemps(ctx context.Context) error {
	return f.c.do(true, func(cl *sftp.Client) error {
		fis, err := cl.ReadDirContext(ctx, f.dir)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		for _, fi := range fis {
			if strings.HasPrefix(fi.Name(), fsutil.TempPrefix) && fi.Mode().IsRegular() {
				cl.Remove(path.Join(f.dir, fi.Name()))
			}
		}
		return nil
	})
}
