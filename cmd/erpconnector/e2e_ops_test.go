package main

// Operator actions through the real binary: reload (a broken configuration
// is refused and the running one kept), retry of a rejected file after the
// configuration was fixed, cancel at BankIntegration.

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
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
