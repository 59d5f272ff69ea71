package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// check-config tries each [[sftp]] block's known_hosts and private key
// without connecting, and names the line to fix.
func TestCheckConfigSFTPSettings(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "known_hosts"), []byte("[other.example]:22 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "id_bad"), []byte("-----BEGIN OPENSSH PRIVATE KEY-----\nnot a key\n-----END OPENSSH PRIVATE KEY-----\n"), 0o600)
	cfg := `[admin]
listen = "off"
[[bank]]
name = "dk"
kind = "bankintegration"
url = "sandbox"
[[route]]
name = "dk"
inbox = "sftp://erp@files.example/out"
outbox = "sftp://erp@backup.example/in"
bank = "dk"

[[sftp]]
host = "files.example"
user = "erp"
known_hosts = "known_hosts"
password = "env:ERPC_TEST_SFTP_PW"

[[sftp]]
host = "backup.example"
user = "erp"
known_hosts = "known_hosts2"
private_key = "file:id_bad"
`
	p := filepath.Join(dir, "c.toml")
	os.WriteFile(p, []byte(cfg), 0o600)
	os.WriteFile(filepath.Join(dir, "known_hosts2"), []byte("[backup.example]:22 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n"), 0o600)
	t.Setenv("ERPC_TEST_SFTP_PW", "hunter2-secret")
	out, err := runCLI(t, "check-config", "--config", p)
	if err == nil {
		t.Fatalf("check-config passed:\n%s", out)
	}
	for _, want := range []string{
		fmt.Sprintf("%s:16: sftp[0].known_hosts: sftp files.example:22: %s has no key for files.example", p, filepath.Join(dir, "known_hosts")),
		fmt.Sprintf("%s:23: sftp[1].private_key: sftp backup.example:22: private key:", p),
		"2 problem(s)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "hunter2") {
		t.Errorf("the password shows:\n%s", out)
	}
}
