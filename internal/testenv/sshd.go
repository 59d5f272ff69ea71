package testenv

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// SSHD is a real OpenSSH sshd on a loopback port, with a host key and a user
// key made for the test. It serves SFTP (internal-sftp) to the user running
// the tests; paths on the server are paths on this machine.
type SSHD struct {
	Host, User string
	Port       int
	Addr       string // host:port
	KnownHosts string // known_hosts file holding the server's key
	KeyFile    string // the user's private key (OpenSSH format, no passphrase)
	Dir        string // the server's own files (config, keys, log)

	cmd *exec.Cmd
	log *lockedBuffer
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

// StartSSHD starts sshd for the test and stops it at cleanup. A missing sshd
// or ssh-keygen skips the test (fails it when ERPCONNECTOR_STRICT=1).
func StartSSHD(t testing.TB, extraConfig ...string) *SSHD {
	t.Helper()
	sshd := "/usr/sbin/sshd"
	if _, err := os.Stat(sshd); err != nil {
		p, err := exec.LookPath("sshd")
		if err != nil {
			Missing(t, "sshd is not installed (.ci/run installs openssh-server)")
		}
		sshd = p
	}
	keygen := Tool(t, "ssh-keygen")
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	s := &SSHD{Host: "127.0.0.1", User: u.Username, Dir: dir, log: &lockedBuffer{}}
	s.KeyFile = filepath.Join(dir, "user_ed25519")
	hostKey := filepath.Join(dir, "host_ed25519")
	for _, k := range []string{s.KeyFile, hostKey} {
		if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-C", "erpconnector-test", "-f", k).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v\n%s", err, out)
		}
	}
	pub, err := os.ReadFile(s.KeyFile + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	authorized := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(authorized, pub, 0o600); err != nil {
		t.Fatal(err)
	}
	// Privilege separation wants this folder when sshd runs as root.
	if os.Geteuid() == 0 {
		os.MkdirAll("/run/sshd", 0o755)
	}
	for attempt := 0; ; attempt++ {
		s.Port = freeLoopbackPort(t)
		s.Addr = net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
		cfg := filepath.Join(dir, "sshd_config")
		conf := []string{
			"Port " + strconv.Itoa(s.Port),
			"ListenAddress 127.0.0.1",
			"HostKey " + hostKey,
			"PidFile none",
			"AuthorizedKeysFile " + authorized,
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
		}
		conf = append(extraConfig, conf...) // first value wins in sshd_config
		if err := os.WriteFile(cfg, []byte(strings.Join(conf, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(sshd, "-D", "-e", "-f", cfg)
		cmd.Stdout, cmd.Stderr = s.log, s.log
		cmd.SysProcAttr = procGroup()
		if err := cmd.Start(); err != nil {
			t.Fatalf("start sshd: %v", err)
		}
		s.cmd = cmd
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		if waitListening(s.Addr, exited, 10*time.Second) {
			t.Cleanup(func() {
				killTree(cmd.Process.Pid)
				<-exited
				if t.Failed() {
					t.Logf("sshd log:\n%s", s.log.String())
				}
			})
			break
		}
		cmd.Process.Kill()
		<-exited
		if attempt == 2 {
			t.Fatalf("sshd did not start:\n%s", s.log.String())
		}
	}
	hostPub, err := os.ReadFile(hostKey + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(hostPub))
	s.KnownHosts = filepath.Join(dir, "known_hosts")
	line := fmt.Sprintf("[%s]:%d %s %s\n", s.Host, s.Port, f[0], f[1])
	if err := os.WriteFile(s.KnownHosts, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// KnownHostsFor writes a known_hosts file naming the server's key for
// another address (a proxy in front of the server) and returns its path.
func (s *SSHD) KnownHostsFor(t testing.TB, addr string) string {
	t.Helper()
	b, err := os.ReadFile(s.KnownHosts)
	if err != nil {
		t.Fatal(err)
	}
	host, port, _ := net.SplitHostPort(addr)
	key := strings.SplitN(strings.TrimSpace(string(b)), " ", 2)[1]
	p := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(p, []byte(fmt.Sprintf("[%s]:%s %s\n", host, port, key)), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Log is what sshd printed so far.
func (s *SSHD) Log() string { return s.log.String() }

// Stop kills sshd and every session it serves (a server crash or reboot).
func (s *SSHD) Stop(t testing.TB) {
	t.Helper()
	killTree(s.cmd.Process.Pid)
	for i := 0; i < 100; i++ {
		if c, err := net.DialTimeout("tcp", s.Addr, 100*time.Millisecond); err != nil {
			return
		} else {
			c.Close()
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Restart starts sshd again with the same keys and port.
func (s *SSHD) Restart(t testing.TB) {
	t.Helper()
	cmd := exec.Command(s.cmd.Path, s.cmd.Args[1:]...)
	cmd.Stdout, cmd.Stderr = s.log, s.log
	cmd.SysProcAttr = procGroup()
	if err := cmd.Start(); err != nil {
		t.Fatalf("restart sshd: %v", err)
	}
	s.cmd = cmd
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	if !waitListening(s.Addr, exited, 10*time.Second) {
		t.Fatalf("sshd did not restart:\n%s", s.log.String())
	}
	t.Cleanup(func() { killTree(cmd.Process.Pid); <-exited })
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

func freeLoopbackPort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
