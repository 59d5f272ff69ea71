package main

// End-to-end tests of the KB route: the real binary with its in-process KB
// simulator (OAuth2 + BATCHDA), reached by the tests through the simulator's
// control API on a fixed loopback port.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"erpconnector/connector/sandbox"
	"erpconnector/connector/sandbox/kbsim"
)

type kbEnv struct {
	*env
	simURL string
}

// newKBEnv writes a config with one KB route on the in-process sandbox.
func newKBEnv(t *testing.T, sandboxExtra, bankExtra string) *kbEnv {
	t.Helper()
	dir := t.TempDir()
	port := freePort(t)
	e := &env{t: t, dir: dir, config: filepath.Join(dir, "erpconnector.toml"),
		inbox: filepath.Join(dir, "in"), outbox: filepath.Join(dir, "out"), log: &syncBuffer{}}
	cfg := fmt.Sprintf(`
[store]
path = "var/store.db"
[admin]
listen = "127.0.0.1:%d"
[log]
level = "debug"
[[bank]]
name = "kb"
kind = "kb"
url = "sandbox"
poll_every = "200ms"
token_margin = "1s"
%s
  [bank.sandbox]
  listen = "127.0.0.1:%d"
  process_after = "1s"
  %s
[[route]]
name = "kb"
inbox = "in"
outbox = "out"
bank = "kb"
status = ["pain.002", "json"]
past_dates = "today"
settle = "300ms"
sweep = "1s"
`, freePort(t), bankExtra, port, sandboxExtra)
	if err := os.WriteFile(e.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(e.inbox, 0o750)
	t.Cleanup(func() {
		e.stop()
		if t.Failed() {
			t.Logf("daemon log:\n%s", e.log.String())
		}
	})
	return &kbEnv{env: e, simURL: fmt.Sprintf("http://127.0.0.1:%d", port)}
}

func (k *kbEnv) control(path string, in, out any) int {
	k.t.Helper()
	b, _ := json.Marshal(in)
	method := "POST"
	if in == nil {
		method = "GET"
	}
	req, _ := http.NewRequest(method, k.simURL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		k.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if out != nil {
		json.Unmarshal(body, out)
	}
	return resp.StatusCode
}

// startAndWait starts the daemon and waits for its in-process simulator.
func (k *kbEnv) startAndWait() {
	k.t.Helper()
	k.start()
	waitFor(k.t, "the KB sandbox", 10*time.Second, func() bool {
		resp, err := http.Get(k.simURL + "/_sim/ledger")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
}

func (k *kbEnv) ledger() kbsim.Ledger {
	var l kbsim.Ledger
	k.control("/_sim/ledger", nil, &l)
	return l
}

// batchesOnce asserts that every batch the bank knows arrived exactly once
// and that there are want of them.
func (k *kbEnv) batchesOnce(want int) kbsim.Ledger {
	k.t.Helper()
	l := k.ledger()
	if len(l.Batches) != want {
		k.t.Errorf("the bank has %d batches, want %d", len(l.Batches), want)
	}
	for _, b := range l.Batches {
		if n := l.Received(b.ExchangeIdentification); n != 1 {
			k.t.Errorf("batch %s (%s) reached KB %d times, want exactly 1", b.TransactionIdentification, b.ExchangeIdentification, n)
		}
	}
	return l
}

func (k *kbEnv) hasState(prefix, state string) bool {
	for _, f := range k.statusFiles(".json") {
		if strings.HasPrefix(f, prefix) && k.readStatus(f).State == state {
			return true
		}
	}
	return false
}

func TestKBEndToEnd(t *testing.T) {
	k := newKBEnv(t, "", "")
	k.start()
	k.drop("orders.kpc", sample(t, "kb-payments.kpc"))
	cz, err := os.ReadFile(filepath.Join("..", "..", "testdata", "convert", "cz-payments.pain001.09.xml"))
	if err != nil {
		t.Fatal(err)
	}
	k.drop("cz.xml", cz)
	waitFor(t, "both files awaiting signature", 20*time.Second, func() bool {
		return k.hasState("orders.", "awaiting-authorisation") && k.hasState("cz.", "awaiting-authorisation")
	})
	l := k.batchesOnce(2)
	var kpcBatch, xmlBatch string
	for _, b := range l.Batches {
		if strings.HasPrefix(b.InstructionName, "orders") {
			kpcBatch = b.TransactionIdentification
		} else {
			xmlBatch = b.TransactionIdentification
		}
	}
	// The signer signs one batch and deletes the other in internet banking.
	if code := k.control("/_sim/sign", map[string]string{"batch": kpcBatch}, nil); code != 200 {
		t.Fatalf("sign: %d", code)
	}
	if code := k.control("/_sim/reject", map[string]string{"batch": xmlBatch}, nil); code != 200 {
		t.Fatalf("reject: %d", code)
	}
	k.control("/_sim/clock", map[string]string{"advance": "5s"}, nil)
	waitFor(t, "signed batch booked, deleted batch cancelled", 20*time.Second, func() bool {
		return k.hasState("orders.", "booked") && k.hasState("cz.", "cancelled")
	})
	k.batchesOnce(2)
	k.checkOutbox()
}

func TestKBUnknownOutcomeWaitsForAPerson(t *testing.T) {
	k := newKBEnv(t, "", "")
	k.startAndWait()
	k.control("/_sim/fault", map[string]any{"path": kbsim.PathBatchPayments, "kind": "drop-after-commit", "count": 1}, nil)
	k.drop("orders.kpc", sample(t, "kb-payments.kpc"))
	waitFor(t, "unknown outcome reported", 20*time.Second, func() bool { return k.hasState("orders.", "unknown") })
	b, _ := os.ReadFile(filepath.Join(k.outbox, k.statusFiles("unknown.pain002.xml")[0]))
	if !bytes.Contains(b, []byte("check internet banking")) {
		t.Errorf("status file does not tell the ERP to check internet banking:\n%s", b)
	}
	time.Sleep(2 * time.Second) // a wrong implementation would resend now
	k.batchesOnce(1)
	out, err := exec.Command(binary(t), "status", "--config", k.config).CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("resolve")) {
		t.Errorf("status does not say how to resolve: %v\n%s", err, out)
	}
	// The operator finds the batch in internet banking.
	out, err = exec.Command(binary(t), "resolve", "--config", k.config, "--submitted", "F000001").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("through the running daemon")) {
		t.Fatalf("resolve: %v\n%s", err, out)
	}
	waitFor(t, "awaiting signature after resolve", 20*time.Second, func() bool { return k.hasState("orders.", "awaiting-authorisation") })
	k.batchesOnce(1)
}

func TestKBNotSubmittedIsSentAgainWithTheSameIdentity(t *testing.T) {
	k := newKBEnv(t, "", "")
	k.startAndWait()
	k.control("/_sim/fault", map[string]any{"path": kbsim.PathBatchPayments, "kind": "status", "status": 503, "count": 1}, nil)
	k.drop("orders.kpc", sample(t, "kb-payments.kpc"))
	waitFor(t, "unknown outcome after 503", 20*time.Second, func() bool { return k.hasState("orders.", "unknown") })
	if n := len(k.ledger().Batches); n != 0 {
		t.Fatalf("503 yet the bank kept %d batches", n)
	}
	k.stop()
	// Daemon stopped: resolve works on the store directly.
	out, err := exec.Command(binary(t), "resolve", "--config", k.config, "--not-submitted", "F000001").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("planned")) {
		t.Fatalf("resolve: %v\n%s", err, out)
	}
	k.start()
	waitFor(t, "awaiting signature", 20*time.Second, func() bool { return k.hasState("orders.", "awaiting-authorisation") })
	k.batchesOnce(1)
}

// A rotated refresh token is written to the store before it is used: killing
// the daemon at any moment, many times, never leaves it holding only a dead
// token; reusing an old one would be refused by the bank (invalid_grant).
func TestKBRotatedRefreshTokenSurvivesSIGKILL(t *testing.T) {
	k := newKBEnv(t, "rotate_refresh_tokens = true\n  access_token_ttl = \"2s\"", "")
	for i := 0; i < 6; i++ {
		k.start()
		// Refreshes happen about every second (2s tokens, 1s margin) once a
		// call needs a token: keep one coming by polling a batch.
		if i == 0 {
			k.drop("orders.kpc", sample(t, "kb-payments.kpc"))
		}
		time.Sleep(time.Duration(700+i*450) * time.Millisecond)
		k.kill()
	}
	k.start()
	waitFor(t, "the batch at the bank", 20*time.Second, func() bool { return k.hasState("orders.", "awaiting-authorisation") })
	time.Sleep(3 * time.Second) // more refreshes after the last restart
	log := k.log.String()
	if strings.Contains(log, "re-authorisation needed") || strings.Contains(log, "invalid_grant") {
		t.Fatalf("a restart lost the rotated refresh token")
	}
	k.batchesOnce(1)
}

// When the bank refuses the refresh token, the route waits with a clear
// "re-authorisation needed" and sends nothing.
func TestKBInvalidGrantNeedsReauthorisation(t *testing.T) {
	k := newKBEnv(t, "access_token_ttl = \"2s\"", "")
	k.start()
	time.Sleep(500 * time.Millisecond)
	k.control("/_sim/expire-refresh", map[string]string{"client_id": "Erpconnector-0001"}, nil)
	time.Sleep(2500 * time.Millisecond) // the cached access token expires
	k.drop("orders.kpc", sample(t, "kb-payments.kpc"))
	waitFor(t, "re-authorisation needed", 20*time.Second, func() bool { return strings.Contains(k.log.String(), "re-authorisation needed") })
	if n := len(k.ledger().Batches); n != 0 {
		t.Fatalf("a batch was sent without authorisation: %d", n)
	}
	out, _ := exec.Command(binary(t), "status", "--config", k.config).CombinedOutput()
	if !bytes.Contains(out, []byte("re-authorisation needed")) {
		t.Errorf("status does not say re-authorisation is needed:\n%s", out)
	}
}

// The onboarding path against a KB simulator running as its own process:
// `kb authorize` prints the login address, the "browser" (an HTTP client that
// follows KB's redirect) comes back to the loopback redirect with a code, the
// tokens land in the store, and the daemon then sends batches with them. A
// later access token that the bank no longer accepts (401) is refreshed once.
func TestKBAuthorizeThenSend(t *testing.T) {
	s := startKBSim(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "erpconnector.toml")
	cfg := fmt.Sprintf(`
[store]
path = "var/store.db"
[admin]
listen = "off"
[[bank]]
name = "kb"
kind = "kb"
url = %q
token_url = "%s/oauth2/v3/access_token"
authorize_url = "%s/autfe/ssologin"
client_id = %q
client_secret = "env:E2E_KB_SECRET"
oauth_api_key = "env:E2E_KB_OAUTH"
redirect_uri = %q
batch_status = "cobs"
poll_every = "200ms"
[[route]]
name = "kb"
inbox = "in"
outbox = "out"
bank = "kb"
status = ["json"]
past_dates = "today"
settle = "300ms"
`, s, s, s, sandbox.KBClientID, sandbox.KBRedirectURI)
	os.WriteFile(cfgPath, []byte(cfg), 0o600)
	environ := append(os.Environ(), "E2E_KB_SECRET="+sandbox.KBClientSecret, "E2E_KB_OAUTH="+kbsim.DefaultOAuthAPIKey)

	kbAuthorizeCLI(t, cfgPath, environ, s)

	e := &env{t: t, dir: dir, config: cfgPath, inbox: filepath.Join(dir, "in"), outbox: filepath.Join(dir, "out"), log: &syncBuffer{}}
	os.MkdirAll(e.inbox, 0o750)
	t.Cleanup(func() {
		e.stop()
		if t.Failed() {
			t.Logf("daemon log:\n%s", e.log.String())
		}
	})
	e.startWithEnv(environ)
	e.drop("orders.kpc", sample(t, "kb-payments.kpc"))
	k := &kbEnv{env: e, simURL: s}
	waitFor(t, "batch imported", 20*time.Second, func() bool { return k.hasState("orders.", "awaiting-authorisation") })
	// Ten minutes later on the bank's clock the cached access token is dead.
	k.control("/_sim/clock", map[string]string{"advance": "10m"}, nil)
	e.drop("more.xml", mustRead(t, "testdata/convert/cz-payments.pain001.09.xml"))
	waitFor(t, "second batch imported after a refresh", 20*time.Second, func() bool { return k.hasState("more.", "awaiting-authorisation") })
	k.batchesOnce(2)
}

// kbAuthorizeCLI runs `erpconnector kb authorize` against the KB simulator at
// s and completes the login as the user's browser would.
func kbAuthorizeCLI(t *testing.T, cfgPath string, environ []string, s string) {
	t.Helper()
	auth := exec.Command(binary(t), "kb", "authorize", "--config", cfgPath, "--wait", "20s")
	auth.Env = environ
	out, _ := auth.StdoutPipe()
	var errb bytes.Buffer
	auth.Stderr = &errb
	if err := auth.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	var login string
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); strings.HasPrefix(l, s+"/autfe/ssologin?") {
			login = l
			break
		}
	}
	if login == "" {
		t.Fatalf("kb authorize printed no login address; stderr: %s", errb.String())
	}
	time.Sleep(200 * time.Millisecond) // the redirect listener is up before the address is printed
	resp, err := http.Get(login)       // KB logs the user in and redirects back with the code
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rest, _ := io.ReadAll(out)
	if err := auth.Wait(); err != nil || !bytes.Contains(rest, []byte("Authorised")) {
		t.Fatalf("kb authorize: %v\n%s\n%s", err, rest, errb.String())
	}
}

// startKBSim runs `erpconnector sandbox --kb-listen` as its own process.
func startKBSim(t *testing.T, extra ...string) string {
	t.Helper()
	cmd := exec.Command(binary(t), append([]string{"sandbox", "--listen", "127.0.0.1:0", "--kb-listen", "127.0.0.1:0"}, extra...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if l := sc.Text(); strings.HasPrefix(l, "KB sandbox listening on ") {
			go io.Copy(io.Discard, out)
			return strings.TrimSpace(strings.TrimPrefix(l, "KB sandbox listening on "))
		}
	}
	t.Fatal("the sandbox did not start a KB simulator")
	return ""
}

func mustRead(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
