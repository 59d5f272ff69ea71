// Package sshd starts a real OpenSSH sshd on a loopback port with a host key
// and a user key made for the occasion, serving SFTP to the user running it.
// Tests (through internal/testenv) and `erpconnector bench` use it: the SFTP
// side is measured and tested against the server users actually run.
package sshd

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrNotInstalled is returned when sshd or ssh-keygen cannot be found.
var ErrNotInstalled = errors.New("OpenSSH sshd is not installed (Debian: openssh-server)")

// Server is a running sshd. Paths on the server are paths on this machine.
type Server struct {
	Host, User string
	Port       int
	Addr       string // host:port
	KnownHosts string // known_hosts file holding the server's key
	KeyFile    string // the user's private key (OpenSSH format, no passphrase)
	Dir        string // the server's own files (config, keys)

	cmd    *exec.Cmd
	exited chan struct{}
	log    *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Binary is the sshd executable, or ErrNotInstalled.
func Binary() (string, error) {
	if _, err := os.Stat("/usr/sbin/sshd"); err == nil {
		return "/usr/sbin/sshd", nil
	}
	if p, err := exec.LookPath("sshd"); err == nil {
		return p, nil
	}
	return "", ErrNotInstalled
}

// Start makes keys in dir and starts sshd; extraConfig lines come first in
// sshd_config (the first value of a setting wins there).
func Start(dir string, extraConfig ...string) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		return nil, ErrNotInstalled
	}
	u, err := user.Current()
	if err != nil {
		return nil, err
	}
	s := &Server{Host: "127.0.0.1", User: u.Username, Dir: dir, log: &lockedBuffer{}}
	s.KeyFile = filepath.Join(dir, "user_ed25519")
	hostKey := filepath.Join(dir, "host_ed25519")
	for _, k := range []string{s.KeyFile, hostKey} {
		if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-C", "erpconnector-test", "-f", k).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("ssh-keygen: %v: %s", err, out)
		}
	}
	pub, err := os.ReadFile(s.KeyFile + ".pub")
	if err != nil {
		return nil, err
	}
	authorized := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(authorized, pub, 0o600); err != nil {
		return nil, err
	}
	// Privilege separation wants this folder when sshd runs as root.
	if os.Geteuid() == 0 {
		os.MkdirAll("/run/sshd", 0o755)
	}
	for attempt := 0; ; attempt++ {
		if s.Port, err = freePort(); err != nil {
			return nil, err
		}
		s.Addr = net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
		cfg := filepath.Join(dir, "sshd_config")
		conf := append(extraConfig,
			"Port "+strconv.Itoa(s.Port),
			"ListenAddress 127.0.0.1",
			"HostKey "+hostKey,
			"PidFile none",
			"AuthorizedKeysFile "+authorized,
			"PubkeyAuthentication yes",
			"PasswordAuthentication no",
			"KbdInteractiveAuthentication no",
			"PermitRootLogin prohibit-password",
			"StrictModes no",
			"UsePAM no",
			"MaxStartups 200",
			"MaxSessions 50",
			"LogLevel VERBOSE",
			"Subsystem sftp internal-sftp",
		)
		if err := os.WriteFile(cfg, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
			return nil, err
		}
		s.cmd = exec.Command(bin, "-D", "-e", "-f", cfg)
		if err := s.start(); err == nil {
			break
		} else if attempt == 2 {
			return nil, err
		}
	}
	hostPub, err := os.ReadFile(hostKey + ".pub")
	if err != nil {
		s.Stop()
		return nil, err
	}
	f := strings.Fields(string(hostPub))
	s.KnownHosts = filepath.Join(dir, "known_hosts")
	line := fmt.Sprintf("[%s]:%d %s %s\n", s.Host, s.Port, f[0], f[1])
	if err := os.WriteFile(s.KnownHosts, []byte(line), 0o600); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) start() error {
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.cmd.SysProcAttr = procGroup()
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start sshd: %w", err)
	}
	s.exited = make(chan struct{})
	go func(cmd *exec.Cmd, exited chan struct{}) { cmd.Wait(); close(exited) }(s.cmd, s.exited)
	if !waitListening(s.Addr, s.exited, 10*time.Second) {
		killTree(s.cmd.Process.Pid)
		<-s.exited
		return fmt.Errorf("sshd did not start:\n%s", s.log.String())
	}
	return nil
}

// Log is what sshd printed so far.
func (s *Server) Log() string { return s.log.String() }

// Stop kills sshd and every session it serves (a server crash or reboot)
// and waits until the port is closed.
func (s *Server) Stop() {
	killTree(s.cmd.Process.Pid)
	<-s.exited
	for i := 0; i < 100; i++ {
		c, err := net.DialTimeout("tcp", s.Addr, 100*time.Millisecond)
		if err != nil {
			return
		}
		c.Close()
		time.Sleep(20 * time.Millisecond)
	}
}

// Restart starts sshd again with the same keys and port.
func (s *Server) Restart() error {
	s.cmd = exec.Command(s.cmd.Path, s.cmd.Args[1:]...)
	return s.start()
}

// KnownHostsFor writes a known_hosts file into dir naming the server's key for
// another address (a proxy in front of the server) and returns its path.
func (s *Server) KnownHostsFor(dir, addr string) (string, error) {
	b, err := os.ReadFile(s.KnownHosts)
	if err != nil {
		return "", err
	}
	host, port, _ := net.SplitHostPort(addr)
	key := strings.SplitN(strings.TrimSpace(string(b)), " ", 2)[1]
	p := filepath.Join(dir, "known_hosts")
	return p, os.WriteFile(p, []byte(fmt.Sprintf("[%s]:%s %s\n", host, port, key)), 0o600)
}

func waitListening(addr string, exited <-chan struct{}, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return false
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
