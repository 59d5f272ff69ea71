package main

// Operator actions through the real binary: reload (a broken configuration
// is refused and the running one kept), retry of a rejected file after the
// configuration was fixed, cancel at BankIntegration.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"erpconnector/internal/testenv"
)

// cli runs `erpconnector <cmd> --config <e.config> <rest...>`.
func (e *env) cli(args ...string) (string, error) {
	e.t.Helper()
	out, err := exec.Command(binary(e.t), append([]string{args[0], "--config", e.config}, args[1:]...)...).CombinedOutput()
	return string(out), err
}

func (e *env) withAdmin() {
	e.t.Helper()
	cfg, _ := os.ReadFile(e.config)
	port := freePort(e.t)
	os.WriteFile(e.config, bytes.Replace(cfg, []byte(`listen = "off"`), []byte(fmt.Sprintf(`listen = "127.0.0.1:%d"`, port)), 1), 0o600)
}

func TestReloadRetryAndCancel(t *testing.T) {
	s := startSim(t, "--approval")
	e := newEnv(t, s, "")
	e.withAdmin()
	// Start without the CSV mapping on the route: a CSV file is rejected.
	cfg, _ := os.ReadFile(e.config)
	good := string(cfg)
	os.WriteFile(e.config, []byte(strings.Replace(good, "csv = \"danish-erp\"\n", "", 1)), 0o600)
	e.start()
	e.drop("p.csv", sample(t, "dk-payments.csv"))
	waitFor(t, "CSV rejected", 20*time.Second, func() bool { return len(e.statusFiles("p.F000001.001.rejected.json")) > 0 })

	// A broken configuration is refused; the daemon keeps running.
	os.WriteFile(e.config, []byte(good+"\nbroken = [\n"), 0o600)
	if out, err := e.cli("reload"); err == nil {
		t.Fatalf("reload of a broken configuration succeeded:\n%s", out)
	}
	// The daemon refuses it too (SIGHUP bypasses the CLI's own check) and
	// keeps running with the configuration it has.
	e.cmd.Process.Signal(syscall.SIGHUP)
	waitFor(t, "reload refused in the log", 10*time.Second, func() bool { return strings.Contains(e.log.String(), "reload refused") })
	select {
	case <-e.exited:
		t.Fatal("the daemon stopped after a refused reload")
	case <-time.After(500 * time.Millisecond):
	}
	// Fix it, reload, retry the rejected file.
	os.WriteFile(e.config, []byte(good), 0o600)
	if out, err := e.cli("reload"); err != nil {
		t.Fatalf("reload: %v\n%s", err, out)
	}
	waitFor(t, "reloaded", 20*time.Second, func() bool { return strings.Contains(e.log.String(), "configuration reloaded") })
	waitFor(t, "admin back", 10*time.Second, func() bool { _, err := e.cli("status"); return err == nil })
	if out, err := e.cli("retry", "F000001"); err != nil {
		t.Fatalf("retry: %v\n%s", err, out)
	}
	waitFor(t, "retried file awaiting approval", 20*time.Second, func() bool {
		return len(e.statusFiles("awaiting-authorisation.json")) > 0
	})
	l := s.ledger(t)
	exactlyOnce(t, l, sampleCSVIDs...)

	// Cancel one payment before it is approved.
	if out, err := e.cli("cancel", "F000001/0"); err != nil {
		t.Fatalf("cancel: %v\n%s", err, out)
	}
	s.control(t, "/_sim/clock", map[string]string{"advance": "10s"})
	waitFor(t, "payment cancelled", 20*time.Second, func() bool {
		for _, f := range e.statusFiles(".json") {
			for _, p := range e.readStatus(f).Payments {
				if p.Index == 0 && p.State == "cancelled" {
					return true
				}
			}
		}
		return false
	})
	exactlyOnce(t, s.ledger(t), sampleCSVIDs...)
}

// `service install --print` writes a unit that systemd itself accepts, and
// --root installs it into a temporary root with the enable symlink.
func TestServiceInstallSystemd(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("systemd is Linux")
	}
	analyze := testenv.Tool(t, "systemd-analyze")
	testenv.Tool(t, "systemctl")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "erpconnector.toml")
	os.WriteFile(cfg, []byte("[store]\npath = \"var/store.db\"\n[[bank]]\nname = \"dk\"\nkind = \"bankintegration\"\nurl = \"sandbox\"\n[[route]]\nname = \"r\"\ninbox = \"in\"\noutbox = \"out\"\nbank = \"dk\"\n"), 0o600)
	out, err := exec.Command(binary(t), "service", "install", "--config", cfg, "--print").Output()
	if err != nil {
		t.Fatal(err)
	}
	unit := string(out)
	for _, want := range []string{"Type=notify", "ExecStart=" + binary(t) + " run --config " + cfg, "Restart=on-failure",
		"NoNewPrivileges=yes", "ProtectSystem=strict", "ReadWritePaths=", filepath.Join(dir, "in"), "WatchdogSec="} {
		if !strings.Contains(unit, want) {
			t.Errorf("unit lacks %q:\n%s", want, unit)
		}
	}
	unitFile := filepath.Join(dir, "erpconnector.service")
	os.WriteFile(unitFile, out, 0o644)
	if v, err := exec.Command(analyze, "verify", "--man=no", unitFile).CombinedOutput(); err != nil || len(bytes.TrimSpace(v)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, v)
	}
	root := filepath.Join(dir, "root")
	if out, err := exec.Command(binary(t), "service", "install", "--config", cfg, "--root", root).CombinedOutput(); err != nil {
		t.Fatalf("install --root: %v\n%s", err, out)
	}
	for _, p := range []string{"etc/systemd/system/erpconnector.service", "etc/systemd/system/multi-user.target.wants/erpconnector.service"} {
		if _, err := os.Lstat(filepath.Join(root, p)); err != nil {
			t.Errorf("%s not installed: %v", p, err)
		}
	}
}

// A file over max_file_size is refused without being kept: it goes to the
// error folder with its report, the ERP gets a rejected status, the daemon
// goes on with the next file.
func TestOversizedFileRefused(t *testing.T) {
	s := startSim(t)
	e := newEnv(t, s, `max_file_size = "1KB"`)
	e.start()
	e.drop("big.xml", sample(t, "dk-payments.xml")) // about 2 KB
	e.drop("small.csv", sample(t, "dk-payments.csv"))
	waitFor(t, "big file rejected", 20*time.Second, func() bool { return len(e.statusFiles("big.F")) > 0 })
	report, err := os.ReadFile(filepath.Join(e.inbox, "error", "big.xml.error.txt"))
	if err != nil || !bytes.Contains(report, []byte("more than max_file_size")) {
		t.Errorf("error report: %v\n%s", err, report)
	}
	waitFor(t, "the small file at the bank", 20*time.Second, func() bool { return e.fileAtBank("small.") })
	if n := len(s.ledger(t).Payments); n != 3 {
		t.Errorf("bank has %d payments; only the small file's 3 may arrive", n)
	}
	spooled, _ := filepath.Glob(filepath.Join(e.dir, "var", "spool", "*"))
	for _, p := range spooled {
		if fi, err := os.Stat(p); err == nil && fi.Size() > 1000 {
			t.Errorf("the oversized file was kept in the spool: %s", p)
		}
	}
}
