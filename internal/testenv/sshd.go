package testenv

import (
	"errors"
	"testing"

	"erpconnector/internal/sshd"
)

// SSHD is a real OpenSSH sshd on a loopback port (see internal/sshd).
type SSHD struct {
	*sshd.Server
}

// StartSSHD starts sshd for the test and stops it at cleanup. A missing sshd
// or ssh-keygen skips the test (fails it when ERPCONNECTOR_STRICT=1).
func StartSSHD(t testing.TB, extraConfig ...string) *SSHD {
	t.Helper()
	s, err := sshd.Start(t.TempDir(), extraConfig...)
	if errors.Is(err, sshd.ErrNotInstalled) {
		Missing(t, "%v (.ci/run installs openssh-server)", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("sshd log:\n%s", s.Log())
		}
	})
	return &SSHD{s}
}

// Stop kills sshd and every session it serves.
func (s *SSHD) Stop(t testing.TB) { s.Server.Stop() }

// Restart starts sshd again with the same keys and port.
func (s *SSHD) Restart(t testing.TB) {
	t.Helper()
	if err := s.Server.Restart(); err != nil {
		t.Fatal(err)
	}
}

// KnownHostsFor writes a known_hosts file naming the server's key for another
// address (a proxy in front of the server) and returns its path.
func (s *SSHD) KnownHostsFor(t testing.TB, addr string) string {
	t.Helper()
	p, err := s.Server.KnownHostsFor(t.TempDir(), addr)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
