package config

import (
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// SFTP is one SFTP server that routes and statement blocks may use as
// sftp://user@host:port/path folders. Its settings say how to log in and what
// the server allows; every folder on it shares one connection.
type SFTP struct {
	Host string `toml:"host"`
	Port int    `toml:"port"` // default 22
	User string `toml:"user"`
	// KnownHosts is an OpenSSH known_hosts file holding the server's host
	// key. Required: there is no "accept any key" setting.
	KnownHosts string   `toml:"known_hosts"`
	PrivateKey Secret   `toml:"private_key"` // file:PATH of an OpenSSH private key (or env:)
	Passphrase Secret   `toml:"passphrase"`  // for an encrypted private key
	Password   Secret   `toml:"password"`
	Timeout    Duration `toml:"timeout"` // connect, and any one operation without progress (default 30s)
	// Rename: the server allows renames (default true). Inbox files are
	// claimed by renaming them into <inbox>/processing and archived by
	// renaming; uploads go to a temporary name and are renamed into place.
	// With false, files are taken in place and deleted once safely stored,
	// and uploads are written under their name followed by an empty
	// name+upload_marker file.
	Rename       *bool  `toml:"rename"`
	UploadMarker string `toml:"upload_marker"` // with rename = false (default ".done")
	// ReadOnce: the server deletes a file once it has been read (mainframe
	// queues); files are read once, sequentially, and not archived.
	ReadOnce bool `toml:"read_once"`
	// Mkdir: missing folders (processing, archive, error, outbox) are
	// created (default true). With false a missing folder is an error.
	Mkdir *bool `toml:"mkdir"`
}

// Key is "user@host:port", what an sftp:// URL names.
func (s *SFTP) Key() string {
	return s.User + "@" + net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
}

// CanRename and CanMkdir read the defaults.
func (s *SFTP) CanRename() bool { return s.Rename == nil || *s.Rename }
func (s *SFTP) CanMkdir() bool  { return s.Mkdir == nil || *s.Mkdir }

// Remote is a parsed sftp:// folder.
type Remote struct {
	User, Host string
	Port       int
	Path       string // absolute, or relative to the login folder when written as /~/path
}

// Key is "user@host:port", matching SFTP.Key.
func (r Remote) Key() string { return r.User + "@" + r.Addr() }

// Addr is "host:port".
func (r Remote) Addr() string { return net.JoinHostPort(r.Host, strconv.Itoa(r.Port)) }

// IsRemote reports whether a folder setting is a URL rather than a path.
func IsRemote(folder string) bool { return strings.Contains(folder, "://") }

// ParseRemote parses sftp://user@host[:port]/path. A path starting with /~/
// is relative to the login folder (as curl writes it); any other is absolute.
func ParseRemote(s string) (Remote, error) {
	u, err := url.Parse(s)
	if err != nil {
		return Remote{}, fmt.Errorf("%q is not a URL", s)
	}
	if u.Scheme != "sftp" {
		return Remote{}, fmt.Errorf("%q: only sftp:// remote folders are supported", s)
	}
	if u.User == nil || u.User.Username() == "" {
		return Remote{}, fmt.Errorf("%q: the user is missing (sftp://user@host/path)", s)
	}
	if _, set := u.User.Password(); set {
		return Remote{}, fmt.Errorf("%q: no password in the URL; use the [[sftp]] block's password = \"env:...\"", redactURL(u))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return Remote{}, fmt.Errorf("%q: no query or fragment allowed", s)
	}
	r := Remote{User: u.User.Username(), Host: u.Hostname(), Port: 22}
	if r.Host == "" {
		return Remote{}, fmt.Errorf("%q: the host is missing", s)
	}
	if p := u.Port(); p != "" {
		if r.Port, err = strconv.Atoi(p); err != nil || r.Port < 1 || r.Port > 65535 {
			return Remote{}, fmt.Errorf("%q: %q is not a port", s, p)
		}
	}
	r.Path = u.Path
	if rest, ok := strings.CutPrefix(r.Path, "/~/"); ok {
		r.Path = rest
	}
	if r.Path == "" || r.Path == "/" || r.Path == "/~" {
		return Remote{}, fmt.Errorf("%q: the folder path is missing", s)
	}
	for _, part := range strings.Split(r.Path, "/") {
		if part == ".." || part == "." {
			return Remote{}, fmt.Errorf("%q: no . or .. in the path", s)
		}
	}
	return r, nil
}

func redactURL(u *url.URL) string {
	c := *u
	c.User = url.User(u.User.Username())
	return c.String()
}

// SFTPFor is the [[sftp]] block for a remote folder, or nil.
func (c *Config) SFTPFor(r Remote) *SFTP {
	for i := range c.SFTP {
		if c.SFTP[i].Key() == r.Key() {
			return &c.SFTP[i]
		}
	}
	return nil
}

func (c *Config) sftpDefaults() {
	for i := range c.SFTP {
		s := &c.SFTP[i]
		if s.Port == 0 {
			s.Port = 22
		}
		if s.Timeout.Duration == 0 {
			s.Timeout.Duration = 30 * time.Second
		}
		if s.UploadMarker == "" {
			s.UploadMarker = ".done"
		}
		if s.KnownHosts != "" {
			s.KnownHosts = c.resolve(s.KnownHosts)
		}
		s.PrivateKey.dir, s.Passphrase.dir, s.Password.dir = c.Dir, c.Dir, c.Dir
	}
}

// checkSFTP checks the [[sftp]] blocks and every remote folder setting.
func (c *Config) checkSFTP(add func(key, format string, args ...any)) {
	seen := map[string]bool{}
	for i := range c.SFTP {
		s := &c.SFTP[i]
		k := fmt.Sprintf("sftp[%d]", i)
		if s.Host == "" {
			add(k+".host", "missing")
		}
		if s.User == "" {
			add(k+".user", "missing")
		}
		if s.Port < 1 || s.Port > 65535 {
			add(k+".port", "%d is not a port", s.Port)
		}
		if seen[s.Key()] {
			add(k+".host", "%s has two [[sftp]] blocks", s.Key())
		}
		seen[s.Key()] = true
		if s.KnownHosts == "" {
			add(k+".known_hosts", "missing: the server's host key must be known (ssh-keyscan, then check the fingerprint)")
		}
		if !s.PrivateKey.IsSet() && !s.Password.IsSet() {
			add(k+".private_key", "missing: give private_key (file:PATH) or password (env:NAME)")
		}
		if s.Passphrase.IsSet() && !s.PrivateKey.IsSet() {
			add(k+".passphrase", "passphrase without private_key")
		}
		for _, sec := range []struct {
			key string
			s   Secret
		}{{"private_key", s.PrivateKey}, {"passphrase", s.Passphrase}, {"password", s.Password}} {
			if sec.s.IsSet() {
				if err := sec.s.Check(); err != nil {
					add(k+"."+sec.key, "%v", err)
				}
			}
		}
		if s.Timeout.bad != "" {
			add(k+".timeout", "%s", s.Timeout.bad)
		}
		if !strings.HasPrefix(s.UploadMarker, ".") || strings.ContainsAny(s.UploadMarker, `/\`) {
			add(k+".upload_marker", "%q must be a suffix starting with a dot, such as .done", s.UploadMarker)
		}
	}
	remote := func(key, folder string) (Remote, *SFTP, bool) {
		if !IsRemote(folder) {
			return Remote{}, nil, false
		}
		r, err := ParseRemote(folder)
		if err != nil {
			add(key, "%v", err)
			return r, nil, false
		}
		s := c.SFTPFor(r)
		if s == nil {
			add(key, "no [[sftp]] block for %s (host, port and user must match)", r.Key())
			return r, nil, false
		}
		return r, s, true
	}
	for i := range c.Routes {
		rt := &c.Routes[i]
		k := fmt.Sprintf("route[%d]", i)
		in, srv, inOK := remote(k+".inbox", rt.Inbox)
		remote(k+".outbox", rt.Outbox)
		for _, f := range []struct{ key, path string }{{"archive", rt.Archive}, {"error", rt.Error}} {
			switch {
			case IsRemote(rt.Inbox) != IsRemote(f.path):
				add(k+"."+f.key, "%s must be on the same server as the inbox (or left out)", f.key)
			case inOK:
				if r, _, ok := remote(k+"."+f.key, f.path); ok && r.Key() != in.Key() {
					add(k+"."+f.key, "%s must be on the same server as the inbox (%s)", f.key, in.Key())
				}
			}
		}
		if inOK && srv.ReadOnce && rt.ReadyMarker != "" {
			add(k+".ready_marker", "a read-once server cannot be asked for marker files")
		}
	}
	for i := range c.Statements {
		remote(fmt.Sprintf("statement[%d].outbox", i), c.Statements[i].Outbox)
	}
}

// remoteJoin appends a folder name to a remote folder URL.
func remoteJoin(u, name string) string {
	return strings.TrimSuffix(u, "/") + "/" + name
}

// ProblemAt is a problem found after loading (say, by trying a key file) at
// key, with the line of that key in the file.
func (c *Config) ProblemAt(key string, err error) Error {
	src, _ := os.ReadFile(c.File)
	return Error{File: c.File, Line: newLocator(src).line(key), Key: key, Msg: err.Error()}
}
