package main

// End-to-end tests: the real binary (built with -tags failpoints), a real
// BankIntegration simulator in its own process, real folders and a real bbolt
// file. They assert what an ERP and its users rely on: every valid payment
// reaches the bank exactly once, every file is accounted for, every status
// file is complete and valid.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"erpconnector/connector/sandbox"
	"erpconnector/connector/sandbox/bisim"
	"erpconnector/internal/testenv"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// binary builds the erpconnector binary once per test run.
func binary(t *testing.T) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("end-to-end tests use POSIX signals")
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "erpconnector-e2e-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "erpconnector")
		args := []string{"build", "-tags", "failpoints", "-o", binPath}
		if os.Getenv("ERPCONNECTOR_E2E_RACE") == "1" {
			args = append(args, "-race") // the daemon under the race detector
		}
		out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// sim is a BankIntegration simulator running as its own process, so that it
// outlives daemons the tests kill.
type sim struct {
	URL string
	cmd *exec.Cmd
}

func startSim(t *testing.T, extra ...string) *sim {
	t.Helper()
	args := append([]string{"sandbox", "--listen", "127.0.0.1:0", "--state", filepath.Join(t.TempDir(), "sim.json"), "--step", "150ms"}, extra...)
	cmd := exec.Command(binary(t), args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	sc := bufio.NewScanner(out)
	if !sc.Scan() {
		t.Fatal("sandbox printed nothing")
	}
	line := sc.Text()
	i := strings.Index(line, "http://")
	if i < 0 {
		t.Fatalf("sandbox said %q", line)
	}
	go io.Copy(io.Discard, out)
	return &sim{URL: strings.TrimSpace(line[i:]), cmd: cmd}
}

func (s *sim) control(t *testing.T, path string, body any) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(s.URL+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		msg, _ := io.ReadAll(resp.Body)
		t.Fatalf("%s: %s %s", path, resp.Status, msg)
	}
}

func (s *sim) ledger(t *testing.T) bisim.Ledger {
	t.Helper()
	resp, err := http.Get(s.URL + "/_sim/ledger")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var l bisim.Ledger
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		t.Fatal(err)
	}
	return l
}

// env is one daemon installation: config, folders, store.
type env struct {
	t      *testing.T
	dir    string
	config string
	inbox  string
	outbox string
	sim    *sim
	log    *syncBuffer
	cmd    *exec.Cmd
	exited chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// exampleCSVMapping is the [csv.danish-erp] mapping config.example.toml ships.
func exampleCSVMapping(t *testing.T) string {
	t.Helper()
	example, err := os.ReadFile(filepath.Join("..", "..", "config.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	m := string(example[bytes.Index(example, []byte("[csv.danish-erp]")):])
	if end := strings.Index(m, "\n# ----"); end >= 0 {
		m = m[:end] // the mapping only, not the sections after it
	}
	return m
}

func newEnv(t *testing.T, s *sim, routeExtra string) *env {
	t.Helper()
	dir := t.TempDir()
	e := &env{t: t, dir: dir, config: filepath.Join(dir, "erpconnector.toml"),
		inbox: filepath.Join(dir, "in"), outbox: filepath.Join(dir, "out"), sim: s, log: &syncBuffer{}}
	csvMapping := exampleCSVMapping(t)
	cfg := fmt.Sprintf(`
[store]
path = "var/store.db"
[admin]
listen = "off"
[log]
level = "debug"
[[bank]]
name = "dk"
kind = "bankintegration"
url = %q
erp = %q
api_key = "env:E2E_BI_KEY"
poll_every = "200ms"
timeout = "10s"
move_to_next_bank_date = true
  [[bank.account]]
  number = "52470021527478"
  integration_code = "env:E2E_BI_CODE"
[[route]]
name = "dk"
inbox = "in"
outbox = "out"
bank = "dk"
csv = "danish-erp"
status = ["pain.002", "csv", "json"]
past_dates = "today"
settle = "300ms"
sweep = "1s"
%s
%s`, s.URL, sandbox.BIERP, routeExtra, csvMapping)
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
	return e
}

// start runs the daemon; extraEnv like "ERPCONNECTOR_FAILPOINT=after-intent".
func (e *env) start(extraEnv ...string) {
	e.t.Helper()
	code, _ := sandbox.BICode("52470021527478")
	e.startWithEnv(append(append(os.Environ(), "E2E_BI_KEY="+sandbox.BIAPIKey, "E2E_BI_CODE="+code), extraEnv...))
}

// startWithEnv runs the daemon with exactly this environment.
func (e *env) startWithEnv(environ []string) {
	e.t.Helper()
	cmd := exec.Command(binary(e.t), "run", "--config", e.config)
	cmd.Env = environ
	cmd.Stdout, cmd.Stderr = e.log, e.log
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.cmd = cmd
	e.exited = make(chan error, 1)
	go func() { e.exited <- cmd.Wait() }()
}

// stop sends SIGTERM and waits for a clean exit.
func (e *env) stop() {
	if strings.Contains(e.log.String(), "WARNING: DATA RACE") {
		e.t.Error("the race detector found a data race in the daemon (see its log)")
	}
	if e.cmd == nil {
		return
	}
	e.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-e.exited:
	case <-time.After(30 * time.Second):
		e.cmd.Process.Kill()
		<-e.exited
		e.t.Error("daemon did not stop within 30s of SIGTERM")
	}
	e.cmd = nil
}

// kill sends SIGKILL: no cleanup at all.
func (e *env) kill() {
	if e.cmd == nil {
		return
	}
	e.cmd.Process.Kill()
	<-e.exited
	e.cmd = nil
}

// waitExit waits for the daemon to die by itself (a failpoint).
func (e *env) waitExit(timeout time.Duration) {
	e.t.Helper()
	select {
	case <-e.exited:
		e.cmd = nil
	case <-time.After(timeout):
		e.t.Fatalf("daemon did not reach its failpoint within %s", timeout)
	}
}

func (e *env) drop(name string, content []byte) {
	e.t.Helper()
	// Written elsewhere and renamed in, as a careful ERP does; tests of
	// slow writers write in place on purpose.
	tmp := filepath.Join(e.dir, name+".tmp")
	if err := os.WriteFile(tmp, content, 0o640); err != nil {
		e.t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(e.inbox, name)); err != nil {
		e.t.Fatal(err)
	}
}

func sample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "samples", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// statusFiles lists outbox files whose names contain substr.
func (e *env) statusFiles(substr string) []string {
	des, _ := os.ReadDir(e.outbox)
	var out []string
	for _, de := range des {
		if strings.Contains(de.Name(), substr) && !strings.HasPrefix(de.Name(), ".") {
			out = append(out, de.Name())
		}
	}
	return out
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
}

// statusJSON reads a JSON status file.
type statusDoc struct {
	State    string `json:"state"`
	Payments []struct {
		Index int    `json:"index"`
		State string `json:"state"`
	} `json:"payments"`
}

func (e *env) readStatus(name string) statusDoc {
	e.t.Helper()
	b, err := os.ReadFile(filepath.Join(e.outbox, name))
	if err != nil {
		e.t.Fatal(err)
	}
	var d statusDoc
	if err := json.Unmarshal(b, &d); err != nil {
		e.t.Fatalf("%s: %v\n%s", name, err, b)
	}
	return d
}

// checkOutbox stops the daemon, then validates every pain.002 against the
// official XSD and parses every JSON status file; no temporary file may be left.
func (e *env) checkOutbox() {
	e.t.Helper()
	e.stop()
	des, err := os.ReadDir(e.outbox)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, de := range des {
		p := filepath.Join(e.outbox, de.Name())
		switch {
		case strings.HasPrefix(de.Name(), "."):
			e.t.Errorf("temporary file left in the outbox: %s", de.Name())
		case strings.HasSuffix(de.Name(), ".pain002.xml"):
			b, _ := os.ReadFile(p)
			testenv.ValidateXSD(e.t, "pain.002.001.03.xsd", b)
		case strings.HasSuffix(de.Name(), ".json"):
			e.readStatus(de.Name())
		}
	}
}

// atBank reports whether a status file says the bank has the payments
// (accepted, pending or booked): how far the state got before the next poll
// depends on the bank's pace, so tests accept any of them.
func (e *env) atBank() bool { return e.fileAtBank("") }

// fileAtBank is atBank for the status files of inbox names starting with prefix.
func (e *env) fileAtBank(prefix string) bool {
	for _, f := range e.statusFiles(".json") {
		if !strings.HasPrefix(f, prefix) {
			continue
		}
		switch e.readStatus(f).State {
		case "accepted", "pending", "booked":
			return true
		}
	}
	return false
}

// exactlyOnce asserts that every expected payment ID reached the bank once.
func exactlyOnce(t *testing.T, l bisim.Ledger, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if n := l.Received("52470021527478", id); n != 1 {
			t.Errorf("payment %s reached the bank %d times, want exactly 1", id, n)
		}
	}
}

var sampleXMLIDs = []string{"INV-1001", "INV-1002", "INV-1003"}
var sampleCSVIDs = []string{"20101", "20102", "20103"}

func TestEndToEnd(t *testing.T) {
	s := startSim(t)
	e := newEnv(t, s, "")
	e.start()
	e.drop("payments.xml", sample(t, "dk-payments.xml"))
	e.drop("payments.csv", sample(t, "dk-payments.csv"))
	e.drop("czech.kpc", sample(t, "kb-payments.kpc"))

	waitFor(t, "both payment files accepted", 20*time.Second, func() bool {
		return len(e.statusFiles("payments.F")) > 0 && len(e.statusFiles("accepted.json")) >= 2
	})
	// The sample is dated ahead: let the bank's clock reach its execution date.
	s.control(t, "/_sim/clock", map[string]string{"advance": "2000h"})
	waitFor(t, "every payment booked", 30*time.Second, func() bool {
		return len(e.statusFiles("booked.json")) == 2
	})
	for _, f := range e.statusFiles("booked.json") {
		d := e.readStatus(f)
		if d.State != "booked" || len(d.Payments) != 3 {
			t.Errorf("%s: state %s with %d payments, want booked with 3", f, d.State, len(d.Payments))
		}
		for _, p := range d.Payments {
			if p.State != "booked" {
				t.Errorf("%s: payment %d is %s", f, p.Index, p.State)
			}
		}
	}
	// The KPC file cannot go to a Danish bank: rejected, with every reason.
	rej := e.statusFiles("czech.F")
	if len(rej) == 0 || !strings.Contains(strings.Join(rej, " "), "rejected") {
		t.Errorf("no rejected status for the KPC file: %v", rej)
	}
	report, err := os.ReadFile(filepath.Join(e.inbox, "error", "czech.kpc.error.txt"))
	if err != nil {
		t.Fatalf("error report: %v", err)
	}
	for _, want := range []string{"czech.kpc:4: debtor account", "czech.kpc:5: debtor account", "nothing was sent"} {
		if !bytes.Contains(report, []byte(want)) {
			t.Errorf("error report lacks %q:\n%s", want, report)
		}
	}
	if _, err := os.Stat(filepath.Join(e.inbox, "error", "czech.kpc")); err != nil {
		t.Errorf("rejected file not in error/: %v", err)
	}
	month := time.Now().Format("2006-01")
	for _, n := range []string{"payments.xml", "payments.csv"} {
		if _, err := os.Stat(filepath.Join(e.inbox, "archive", month, n)); err != nil {
			t.Errorf("%s not archived: %v", n, err)
		}
		if _, err := os.Stat(filepath.Join(e.inbox, n)); err == nil {
			t.Errorf("%s still in the inbox", n)
		}
	}
	l := s.ledger(t)
	exactlyOnce(t, l, append(sampleXMLIDs, sampleCSVIDs...)...)
	if len(l.Payments) != 6 {
		t.Errorf("the bank has %d payments, want 6", len(l.Payments))
	}

	// `status` reads through the running daemon? Admin is off here, so it
	// must fail fast on the store lock rather than hang.
	out, err := exec.Command(binary(t), "status", "--config", e.config).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "holds the store") {
		t.Errorf("status while running with admin off: %v\n%s", err, out)
	}
	e.checkOutbox() // stops the daemon
	out, err = exec.Command(binary(t), "status", "--config", e.config).CombinedOutput()
	code, _ := sandbox.BICode("52470021527478")
	noSecrets(t, []string{sandbox.BIAPIKey, code}, e.log.String(), string(out), e.dir)
	if err != nil || !strings.Contains(string(out), "booked") || !strings.Contains(string(out), "rejected") {
		t.Errorf("status from the store: %v\n%s", err, out)
	}
}

func TestSameContentTwiceIsNotSentAgain(t *testing.T) {
	s := startSim(t)
	e := newEnv(t, s, "")
	e.start()
	e.drop("first.xml", sample(t, "dk-payments.xml"))
	waitFor(t, "first file at the bank", 20*time.Second, e.atBank)
	e.drop("second.xml", sample(t, "dk-payments.xml"))
	waitFor(t, "duplicate status", 20*time.Second, func() bool { return len(e.statusFiles("second.F000002.001.duplicate.json")) > 0 })
	b, _ := os.ReadFile(filepath.Join(e.outbox, "second.F000002.001.duplicate.csv"))
	if !bytes.Contains(b, []byte("first.xml")) {
		t.Errorf("duplicate status does not name the first file:\n%s", b)
	}
	time.Sleep(time.Second) // give a wrong implementation the chance to send it
	exactlyOnce(t, s.ledger(t), sampleXMLIDs...)
	e.checkOutbox()
}

func TestFileStillBeingWrittenIsNotTakenEarly(t *testing.T) {
	s := startSim(t)
	e := newEnv(t, s, "")
	// A settle period well above the writer's pauses, so that a slow machine
	// cannot make the test's own writer look finished.
	cfg, _ := os.ReadFile(e.config)
	os.WriteFile(e.config, bytes.Replace(cfg, []byte(`settle = "300ms"`), []byte(`settle = "1500ms"`), 1), 0o600)
	e.start()
	full := sample(t, "dk-payments.xml")
	// Written in place, slowly: a chunk every 100ms (far less than the settle).
	p := filepath.Join(e.inbox, "slow.xml")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o640)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(full); i += 200 {
		f.Write(full[i:min(i+200, len(full))])
		time.Sleep(100 * time.Millisecond)
	}
	f.Close()
	waitFor(t, "the complete file at the bank", 20*time.Second, e.atBank)
	if got := e.statusFiles("rejected"); len(got) > 0 {
		t.Fatalf("a half-written file was taken: %v", got)
	}
	archived, err := os.ReadFile(filepath.Join(e.inbox, "archive", time.Now().Format("2006-01"), "slow.xml"))
	if err != nil || !bytes.Equal(archived, full) {
		t.Fatalf("archived copy differs from what the ERP wrote (%v)", err)
	}
	exactlyOnce(t, s.ledger(t), sampleXMLIDs...)
}

func TestRejectedFileListsEveryProblem(t *testing.T) {
	s := startSim(t)
	e := newEnv(t, s, "")
	e.start()
	bad := bytes.Replace(sample(t, "dk-payments.xml"), []byte(">1540.00<"), []byte(">1540.001<"), 1)
	bad = bytes.Replace(bad, []byte("DE89370400440532013000"), []byte("DE89370400440532013001"), 1)
	e.drop("bad.xml", bad)
	e.drop("good.xml", sample(t, "dk-payments.xml"))
	waitFor(t, "rejection", 20*time.Second, func() bool { return len(e.statusFiles("bad.F")) > 0 })
	waitFor(t, "the good file accepted regardless", 20*time.Second, func() bool { return e.fileAtBank("good.") })
	report, err := os.ReadFile(filepath.Join(e.inbox, "error", "bad.xml.error.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CdtTrfTxInf[1]/Amt/InstdAmt", "CtrlSum", "IBAN"} {
		if !bytes.Contains(report, []byte(want)) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	l := s.ledger(t)
	exactlyOnce(t, l, sampleXMLIDs...)
	if len(l.Payments) != 3 {
		t.Errorf("bank has %d payments; the rejected file must send none", len(l.Payments))
	}
	e.checkOutbox()
}

func TestServerErrorThenSuccess(t *testing.T) {
	s := startSim(t)
	s.control(t, "/_sim/fault", map[string]any{"path": "/payment", "kind": "status", "status": 503, "count": 2})
	e := newEnv(t, s, "")
	e.start()
	e.drop("p.xml", sample(t, "dk-payments.xml"))
	waitFor(t, "accepted after 503s", 40*time.Second, e.atBank)
	exactlyOnce(t, s.ledger(t), sampleXMLIDs...)
	if !strings.Contains(e.log.String(), "503") {
		t.Error("the 503 answers never reached the daemon")
	}
}

func TestDroppedConnectionAfterCommitIsNotResent(t *testing.T) {
	s := startSim(t)
	s.control(t, "/_sim/fault", map[string]any{"path": "/payment", "kind": "drop-after-commit", "count": 1})
	e := newEnv(t, s, "")
	e.start()
	e.drop("p.xml", sample(t, "dk-payments.xml"))
	waitFor(t, "accepted after the lost answer", 40*time.Second, e.atBank)
	l := s.ledger(t)
	exactlyOnce(t, l, sampleXMLIDs...)
	if !strings.Contains(e.log.String(), "outcome unknown") {
		t.Error("the dropped connection was not treated as an unknown outcome")
	}
}

func TestDroppedConnectionBeforeCommitIsResent(t *testing.T) {
	s := startSim(t)
	s.control(t, "/_sim/fault", map[string]any{"path": "/payment", "kind": "drop-before-commit", "count": 1})
	e := newEnv(t, s, "")
	e.start()
	e.drop("p.xml", sample(t, "dk-payments.xml"))
	waitFor(t, "accepted after resending", 40*time.Second, e.atBank)
	exactlyOnce(t, s.ledger(t), sampleXMLIDs...)
}

// TestRestartInEveryState kills the daemon at named points and at once, then
// restarts it: every payment must reach the bank exactly once and the file
// must end with complete, valid status files.
func TestRestartInEveryState(t *testing.T) {
	for _, point := range []string{"after-claim", "after-intent", "after-bank-call", "after-status-write:1", "after-status-write:4", "sigkill-at-claim"} {
		t.Run(point, func(t *testing.T) {
			s := startSim(t)
			e := newEnv(t, s, "")
			if point == "sigkill-at-claim" {
				e.start()
				e.drop("p.xml", sample(t, "dk-payments.xml"))
				waitFor(t, "claim", 10*time.Second, func() bool { return strings.Contains(e.log.String(), "file claimed") })
				e.kill()
			} else {
				e.start("ERPCONNECTOR_FAILPOINT=" + point)
				e.drop("p.xml", sample(t, "dk-payments.xml"))
				e.waitExit(20 * time.Second)
			}
			e.start()
			waitFor(t, "accepted after restart", 30*time.Second, e.atBank)
			exactlyOnce(t, s.ledger(t), sampleXMLIDs...)
			if _, err := os.Stat(filepath.Join(e.inbox, "p.xml")); err == nil {
				t.Error("inbox file was not moved after the restart")
			}
			if n := len(e.statusFiles("duplicate")); n > 0 {
				t.Error("the restart treated its own file as a duplicate")
			}
			e.checkOutbox()
		})
	}
}

func TestSIGTERMDuringSubmitFinishesCleanly(t *testing.T) {
	s := startSim(t)
	s.control(t, "/_sim/fault", map[string]any{"path": "/payment", "kind": "delay", "delay": "2s", "count": 1})
	e := newEnv(t, s, "")
	e.start()
	e.drop("p.xml", sample(t, "dk-payments.xml"))
	waitFor(t, "submitting", 20*time.Second, func() bool {
		return strings.Contains(e.log.String(), "submitting") || strings.Contains(e.log.String(), "status file written")
	})
	time.Sleep(300 * time.Millisecond) // inside the 2s bank delay
	start := time.Now()
	e.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-e.exited:
		e.cmd = nil
		if err != nil {
			t.Fatalf("daemon exited with %v after SIGTERM", err)
		}
	case <-time.After(25 * time.Second):
		t.Fatal("daemon did not stop after SIGTERM")
	}
	t.Logf("stopped %s after SIGTERM", time.Since(start).Round(time.Millisecond))
	e.start()
	waitFor(t, "accepted", 40*time.Second, e.atBank)
	exactlyOnce(t, s.ledger(t), sampleXMLIDs...)
}

// A person approves in the net bank: until then the ERP is told the payments
// await authorisation; a rejection in the bank reaches the ERP with its code.
func TestAwaitingAuthorisationThenApprovedOrRejected(t *testing.T) {
	s := startSim(t, "--approval")
	e := newEnv(t, s, "")
	e.start()
	e.drop("p.xml", sample(t, "dk-payments.xml"))
	waitFor(t, "awaiting authorisation", 20*time.Second, func() bool { return len(e.statusFiles("awaiting-authorisation.json")) > 0 })
	b, _ := os.ReadFile(filepath.Join(e.outbox, e.statusFiles("awaiting-authorisation.pain002.xml")[0]))
	if !bytes.Contains(b, []byte("<TxSts>PDNG</TxSts>")) || !bytes.Contains(b, []byte("authori")) {
		t.Errorf("pain.002 does not say the payments await authorisation:\n%s", b)
	}
	s.control(t, "/_sim/reject", map[string]any{"paymentIds": []string{"INV-1003"}, "code": "AC04", "text": "Closed account"})
	s.control(t, "/_sim/approve", map[string]any{"paymentIds": []string{"INV-1001", "INV-1002"}})
	s.control(t, "/_sim/clock", map[string]string{"advance": "2000h"})
	waitFor(t, "final state", 30*time.Second, func() bool { return len(e.statusFiles("partial.json")) > 0 })
	csv, _ := os.ReadFile(filepath.Join(e.outbox, strings.TrimSuffix(e.statusFiles("partial.json")[0], ".json")+".csv"))
	for _, want := range []string{"INV-1001;E2E-INV-1001;1540.00;DKK;2026-12-01;BankIntegration ApS;DK2280790000820049;booked", "INV-1003", "rejected;AC04;Closed account"} {
		if !bytes.Contains(csv, []byte(want)) {
			t.Errorf("CSV status lacks %q:\n%s", want, csv)
		}
	}
	exactlyOnce(t, s.ledger(t), sampleXMLIDs...)
	e.checkOutbox()
}

// status_files = "final" writes one status file set, when every payment is
// final; pain.002.001.10 validates against its own schema.
func TestFinalStatusOnlyAndPain002V10(t *testing.T) {
	s := startSim(t)
	e := newEnv(t, s, "status_files = \"final\"\npain002_version = \"10\"")
	e.start()
	e.drop("p.xml", sample(t, "dk-payments.xml"))
	time.Sleep(1500 * time.Millisecond)
	if got := e.statusFiles("p."); len(got) != 0 {
		t.Fatalf("status files before the final state: %v", got)
	}
	s.control(t, "/_sim/clock", map[string]string{"advance": "2000h"})
	waitFor(t, "final status", 30*time.Second, func() bool { return len(e.statusFiles("booked.pain002.xml")) > 0 })
	e.stop()
	got := e.statusFiles("p.")
	if len(got) != 3 {
		t.Errorf("want exactly one set of 3 status files, got %v", got)
	}
	for _, f := range e.statusFiles(".pain002.xml") {
		b, _ := os.ReadFile(filepath.Join(e.outbox, f))
		testenv.ValidateXSD(t, "pain.002.001.10.xsd", b)
	}
}

// With the admin endpoint on, `status` reads through the running daemon
// instead of the locked store.
func TestStatusThroughRunningDaemon(t *testing.T) {
	s := startSim(t)
	e := newEnv(t, s, "")
	port := freePort(t)
	cfg, _ := os.ReadFile(e.config)
	cfg = bytes.Replace(cfg, []byte(`listen = "off"`), []byte(fmt.Sprintf(`listen = "127.0.0.1:%d"`, port)), 1)
	os.WriteFile(e.config, cfg, 0o600)
	e.start()
	e.drop("p.xml", sample(t, "dk-payments.xml"))
	waitFor(t, "at the bank", 20*time.Second, e.atBank)
	out, err := exec.Command(binary(t), "status", "--config", e.config, "--file", "F000001").CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("from the daemon")) || !bytes.Contains(out, []byte("INV-1003")) {
		t.Fatalf("status through the daemon: %v\n%s", err, out)
	}
	// The page, the JSON API and the metrics show no secret.
	var pages []string
	for _, path := range []string{"/", "/api/status?payments=1", "/metrics"} {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d%s", port, path))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: %s", path, resp.Status)
		}
		pages = append(pages, string(b))
	}
	if !strings.Contains(pages[1], "INV-1003") || !strings.Contains(pages[2], "erpconnector") {
		t.Errorf("admin endpoint lacks the file or the metrics")
	}
	code, _ := sandbox.BICode("52470021527478")
	noSecrets(t, []string{sandbox.BIAPIKey, code}, append(pages, string(out), e.log.String(), e.dir)...)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// noSecrets fails if any secret appears in the given texts or in any file
// under dir other than the configuration (logs, status files, error
// reports, the store, the spool).
func noSecrets(t *testing.T, secrets []string, texts ...string) {
	t.Helper()
	dir := texts[len(texts)-1]
	for _, sec := range secrets {
		for i, text := range texts[:len(texts)-1] {
			if strings.Contains(text, sec) {
				t.Errorf("a secret appears in output %d", i)
			}
		}
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasSuffix(p, ".toml") || strings.HasSuffix(p, "sim.json") {
				return nil
			}
			b, _ := os.ReadFile(p)
			if bytes.Contains(b, []byte(sec)) {
				t.Errorf("a secret appears in %s", p)
			}
			return nil
		})
	}
}
