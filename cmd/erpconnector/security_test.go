package main

// The security story in one place, against the real binary:
//
//	what                                   where
//	secrets never shown (every output)     TestSecSecretsNeverShown (BI-only variants: TestEndToEnd, TestStatusThroughRunningDaemon)
//	a secret pasted into the config        TestSecSecretsNeverShown (check-config refuses it without echoing it)
//	XML bombs within bounded memory        TestSecHostileXML
//	oversized files (max_file_size)        TestSecHostileXML (limit named, nothing spooled); also TestOversizedFileRefused
//	path tricks in the inbox               TestSecPathTricks
//	unit level                             formats/pain001 (DTD, MaxDepth, MaxTokenBytes), connector/folder (CheckName),
//	                                       connector/config (FuzzParseSecrets), scripts/fuzz (every reader and validator)

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"erpconnector/connector/daemon"
	"erpconnector/connector/sandbox"
	"erpconnector/connector/sandbox/kbsim"
	"erpconnector/connector/store"
)

// secSecret is one secret value and where the connector may legitimately keep it.
type secSecret struct {
	name    string
	value   string
	inStore bool // OAuth tokens live in the store; nothing else may
}

// secWriteSecret writes a 0600 secret file outside the installation folder
// (noSecrets scans that folder) and returns its absolute path.
func secWriteSecret(t *testing.T, dir, name, value string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(value+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// secGet fetches an admin URL and returns its body.
func secGet(t *testing.T, url, bearer string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET %s: %s", url, resp.Status)
	}
	return string(b)
}

// secState reads the state of the newest JSON status file whose name starts
// with prefix in dir ("" when there is none).
func secState(dir, prefix string) string {
	des, _ := os.ReadDir(dir)
	state := ""
	for _, de := range des {
		if !strings.HasPrefix(de.Name(), prefix) || !strings.HasSuffix(de.Name(), ".json") {
			continue
		}
		b, _ := os.ReadFile(filepath.Join(dir, de.Name()))
		var d statusDoc
		if json.Unmarshal(b, &d) == nil {
			state = d.State
		}
	}
	return state
}

// Every secret the daemon handles — BankIntegration API key and integration
// code, KB client secret, OAuth and BATCHDA API keys, the admin token and the
// KB access and refresh tokens — stays out of everything a person or the ERP
// sees: the debug log, status files, error reports, the status page, its JSON
// API, /metrics, `status` (text and JSON), `check-config` (also when a secret
// is missing or pasted into the file) and the goroutine dump of a crash.
func TestSecSecretsNeverShown(t *testing.T) {
	s := startSim(t)
	e := newEnv(t, s, "")
	secrets := t.TempDir()
	kbOutbox := filepath.Join(e.dir, "outkb")
	kbInbox := filepath.Join(e.dir, "inkb")
	os.MkdirAll(kbInbox, 0o750)
	const adminToken = "sec-admin-token-3c9e71d0f5a2"
	const batchKey = "sec-batch-api-key-b60e2f4491c7"
	code, _ := sandbox.BICode("52470021527478")
	port := freePort(t)
	cfg, _ := os.ReadFile(e.config)
	cfg = bytes.Replace(cfg, []byte(`listen = "off"`), []byte(fmt.Sprintf("listen = \"127.0.0.1:%d\"\ntoken = \"file:%s\"",
		port, secWriteSecret(t, secrets, "admin.token", adminToken))), 1)
	// The KB sandbox takes the configured client secret and OAuth apiKey;
	// BATCHDA accepts and ignores an apiKey, so any value serves.
	cfg = append(cfg, fmt.Sprintf(`
[[bank]]
name = "kb"
kind = "kb"
url = "sandbox"
poll_every = "200ms"
client_secret = "env:SEC_KB_SECRET"
oauth_api_key = "env:SEC_KB_OAUTH"
batch_api_key = "file:%s"
[[route]]
name = "kb"
inbox = "inkb"
outbox = "outkb"
bank = "kb"
status = ["pain.002", "json"]
past_dates = "today"
settle = "300ms"
sweep = "1s"
`, secWriteSecret(t, secrets, "batch.key", batchKey))...)
	os.WriteFile(e.config, cfg, 0o600)
	kbEnv := []string{"SEC_KB_SECRET=" + sandbox.KBClientSecret, "SEC_KB_OAUTH=" + kbsim.DefaultOAuthAPIKey}
	e.start(kbEnv...)

	e.drop("p.xml", sample(t, "dk-payments.xml"))
	e.drop("czech.kpc", sample(t, "kb-payments.kpc")) // rejected on the Danish route: an error report
	bad := filepath.Join(kbInbox, "orders.kpc")
	os.WriteFile(bad+".tmp", sample(t, "kb-payments.kpc"), 0o640)
	os.Rename(bad+".tmp", bad)
	waitFor(t, "the Danish file at the bank", 30*time.Second, e.atBank)
	waitFor(t, "the KPC file rejected", 20*time.Second, func() bool { return len(e.statusFiles("czech.F")) > 0 })
	waitFor(t, "the KB batch awaiting authorisation", 30*time.Second, func() bool {
		return secState(kbOutbox, "orders.") == "awaiting-authorisation"
	})

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	outputs := map[string]string{}
	for _, path := range []string{"/", "/api/status?payments=1", "/metrics", "/healthz"} {
		outputs["GET "+path] = secGet(t, base+path, "")
	}
	outputs["GET / with bearer"] = secGet(t, base+"/", adminToken)
	for _, args := range [][]string{{"status"}, {"status", "--json"}, {"status", "--file", "F000001"}} {
		out, err := e.cli(args...)
		if err != nil {
			t.Errorf("%v: %v\n%s", args, err, out)
		}
		outputs[strings.Join(args, " ")] = out
	}
	// check-config with the secrets, without them (each missing one is
	// named by its reference), and with one pasted into the file.
	check := func(name string, environ []string, config string) {
		cmd := exec.Command(binary(t), "check-config", "--config", config)
		cmd.Env = environ
		out, _ := cmd.CombinedOutput()
		outputs[name] = string(out)
	}
	check("check-config", append(os.Environ(), append(kbEnv, "E2E_BI_KEY="+sandbox.BIAPIKey, "E2E_BI_CODE="+code)...), e.config)
	check("check-config without secrets", os.Environ(), e.config)
	if !strings.Contains(outputs["check-config without secrets"], "env:SEC_KB_SECRET") {
		t.Errorf("check-config does not name the missing reference:\n%s", outputs["check-config without secrets"])
	}
	pasted := filepath.Join(t.TempDir(), "pasted.toml")
	os.WriteFile(pasted, bytes.Replace(cfg, []byte(`"env:E2E_BI_KEY"`), []byte(strconv.Quote(sandbox.BIAPIKey)), 1), 0o600)
	check("check-config with a pasted secret", os.Environ(), pasted)
	if !strings.Contains(outputs["check-config with a pasted secret"], "api_key") {
		t.Errorf("check-config accepted a secret written into the file:\n%s", outputs["check-config with a pasted secret"])
	}

	// A crash: SIGQUIT makes the Go runtime dump every goroutine to stderr.
	pid := e.cmd.Process.Pid
	e.cmd.Process.Signal(syscall.SIGQUIT)
	e.waitExit(20 * time.Second)
	if !strings.Contains(e.log.String(), "goroutine ") {
		t.Fatalf("no goroutine dump after SIGQUIT to %d", pid)
	}
	outputs["daemon log with crash dump"] = e.log.String()

	// The tokens the daemon holds, from the store: the one place they may be.
	st, err := store.Open(filepath.Join(e.dir, "var", "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		RefreshToken string `json:"refresh_token"`
		AccessToken  string `json:"access_token"`
	}
	st.View(func(tx *store.Tx) error { return json.Unmarshal(tx.GetKV(daemon.TokenKey("kb")), &tok) })
	st.Close()
	if tok.RefreshToken == "" || tok.AccessToken == "" {
		t.Fatalf("no KB tokens in the store: %+v", tok)
	}

	all := []secSecret{
		{"BankIntegration api_key", sandbox.BIAPIKey, false},
		{"BankIntegration integration_code", code, false},
		{"KB client_secret", sandbox.KBClientSecret, false},
		{"KB oauth_api_key", kbsim.DefaultOAuthAPIKey, false},
		{"KB batch_api_key", batchKey, false},
		{"admin token", adminToken, false},
		{"KB refresh token", tok.RefreshToken, true},
		{"KB access token", tok.AccessToken, true},
	}
	for _, sec := range all {
		for name, text := range outputs {
			if strings.Contains(text, sec.value) {
				t.Errorf("the %s appears in %s", sec.name, name)
			}
		}
		if sec.inStore {
			// Everything but the store: status files, reports, spool.
			for _, dir := range []string{e.outbox, kbOutbox, e.inbox, kbInbox, filepath.Join(e.dir, "var", "spool")} {
				noSecrets(t, []string{sec.value}, dir)
			}
		} else {
			noSecrets(t, []string{sec.value}, e.dir) // the store and the spool included
		}
	}
}

// secPeakRSS is the process's peak resident set (VmHWM) in bytes.
func secPeakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", v, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/PID/status")
	return 0
}

const secPain001NS = `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">`

// Hostile XML is refused with a report that says why, within bounded memory,
// and the daemon goes on with the next file. A file above the route's
// max_file_size is refused by size, named with the limit, and not spooled.
func TestSecHostileXML(t *testing.T) {
	const big = 50 << 20
	laughs := `<?xml version="1.0"?>` + "\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
	for i := 1; i < 10; i++ {
		laughs += fmt.Sprintf("<!ENTITY lol%d \"%s\">\n", i, strings.Repeat(fmt.Sprintf("&lol%d;", i-1), 10))
	}
	laughs = strings.ReplaceAll(laughs, "&lol0;", "&lol;") + "]>\n<Document>&lol9;</Document>\n"
	cases := []struct {
		name    string
		content func() []byte
		report  string // the error report must contain this
		leak    string // and must not contain this
	}{
		{"laughs.xml", func() []byte { return []byte(laughs) }, "DTD not allowed", "lollollol"},
		{"xxe.xml", func() []byte {
			return []byte(`<?xml version="1.0"?>` + "\n" + `<!DOCTYPE Document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` +
				"\n" + `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn><GrpHdr><MsgId>&xxe;</MsgId></GrpHdr></CstmrCdtTrfInitn></Document>`)
		}, "DTD not allowed", "root:"},
		{"deep.xml", func() []byte {
			return []byte(secPain001NS + strings.Repeat("<CstmrCdtTrfInitn>", 100_000) + strings.Repeat("</CstmrCdtTrfInitn>", 100_000) + "</Document>")
		}, "nested deeper than", ""},
		{"token.xml", func() []byte {
			b := []byte(secPain001NS + "<CstmrCdtTrfInitn><GrpHdr><MsgId>")
			return append(b, bytes.Repeat([]byte("A"), big)...) // no tag boundary to the end
		}, "single XML token", ""},
		{"attr.xml", func() []byte {
			b := []byte(secPain001NS + `<CstmrCdtTrfInitn x="`)
			return append(append(b, bytes.Repeat([]byte("B"), big/2)...), `"></CstmrCdtTrfInitn></Document>`...)
		}, "single XML token", ""},
		{"comment.xml", func() []byte {
			b := []byte(secPain001NS + "<!--")
			return append(append(b, bytes.Repeat([]byte("-x"), big/4)...), "--></Document>"...)
		}, "single XML token", ""},
	}
	s := startSim(t)
	e := newEnv(t, s, `max_file_size = "60MB"
[[route]]
name = "tiny"
inbox = "intiny"
outbox = "outtiny"
bank = "dk"
max_file_size = "64KB"
settle = "300ms"
sweep = "1s"`)
	tinyInbox := filepath.Join(e.dir, "intiny")
	os.MkdirAll(tinyInbox, 0o750)
	e.start()
	hostile := 0
	for _, c := range cases {
		b := c.content()
		hostile += len(b)
		e.drop(c.name, b)
	}
	oversized := append([]byte(secPain001NS), bytes.Repeat([]byte(" "), 100<<10)...)
	os.WriteFile(filepath.Join(e.dir, "oversized.tmp"), oversized, 0o640)
	os.Rename(filepath.Join(e.dir, "oversized.tmp"), filepath.Join(tinyInbox, "oversized.xml"))

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(e.inbox, "error", c.name+".error.txt")
			waitFor(t, c.name+" rejected", 60*time.Second, func() bool { _, err := os.Stat(p); return err == nil })
			report, _ := os.ReadFile(p)
			if !bytes.Contains(report, []byte(c.report)) || (c.leak != "" && bytes.Contains(report, []byte(c.leak))) {
				t.Errorf("report lacks %q or shows %q:\n%s", c.report, c.leak, report)
			}
			stem := strings.TrimSuffix(c.name, ".xml")
			waitFor(t, c.name+" rejected status", 20*time.Second, func() bool { return secState(e.outbox, stem+".F") == "rejected" })
		})
	}
	t.Run("oversized", func(t *testing.T) {
		p := filepath.Join(tinyInbox, "error", "oversized.xml.error.txt")
		waitFor(t, "oversized file rejected", 30*time.Second, func() bool { _, err := os.Stat(p); return err == nil })
		report, _ := os.ReadFile(p)
		// "64KB" is decimal (config.Size): the report names 64000 bytes.
		if !bytes.Contains(report, []byte("more than max_file_size (64000 bytes)")) {
			t.Errorf("report does not name the limit:\n%s", report)
		}
		spooled, _ := filepath.Glob(filepath.Join(e.dir, "var", "spool", "*"))
		for _, sp := range spooled {
			if b, err := os.ReadFile(sp); err == nil && bytes.Equal(b, oversized) {
				t.Errorf("the oversized file was kept in the spool: %s", sp)
			}
		}
	})

	// Still running, and still working.
	e.drop("good.xml", sample(t, "dk-payments.xml"))
	waitFor(t, "a valid file after the bombs", 30*time.Second, func() bool { return e.fileAtBank("good.") })
	peak := secPeakRSS(t, e.cmd.Process.Pid)
	t.Logf("daemon peak RSS %d MiB after %d MiB of hostile input", peak>>20, hostile>>20)
	if peak > 200<<20 {
		t.Errorf("daemon peak RSS %d MiB, want < 200 MiB", peak>>20)
	}
	exactlyOnce(t, s.ledger(t), sampleXMLIDs...)
}

// Names that try to leave the inbox, confuse a command line, garble logs or
// mean something on Windows: plain names are processed inside the folder,
// the rest are left alone; nothing outside the inbox is read, moved or
// written, and the daemon never stops.
func TestSecPathTricks(t *testing.T) {
	s := startSim(t)
	e := newEnv(t, s, "")
	outside := t.TempDir()
	target := filepath.Join(outside, "secret-payments.csv")
	csv := sample(t, "dk-payments.csv")
	os.WriteFile(target, csv, 0o640)
	long := strings.Repeat("L", 240) + ".xml" // 244 bytes: legal, but NAME.error.txt and status names are longer than 255
	xml := sample(t, "dk-payments.xml")
	// Each processed name gets its own content and payment IDs (identity is
	// content; the bank refuses an ID twice).
	variant := func(i int) []byte { return bytes.ReplaceAll(xml, []byte("INV-"), []byte(fmt.Sprintf("S%d-INV-", i))) }
	variantIDs := func(i int) []string {
		var ids []string
		for _, id := range sampleXMLIDs {
			ids = append(ids, fmt.Sprintf("S%d-%s", i, id))
		}
		return ids
	}
	processed := []string{"a..b.xml", "-rf.xml", "--config=x.xml", "CON", "nul.xml", " spaced .xml", "$(touch pwned).xml", long}
	// Control characters and ':' are refused by name; "..x" is hidden (the
	// default ignore pattern ".*").
	skipped := []string{"ctl\x01name.xml", "new\nline.xml", "a:b.xml", "del\x7f.xml", "..payments.xml", "..\\..\\win.xml"}

	e.start()
	for i, name := range processed {
		if err := os.WriteFile(filepath.Join(e.inbox, name), variant(i), 0o640); err != nil {
			t.Fatalf("%q: %v", name, err)
		}
	}
	for _, name := range skipped {
		if err := os.WriteFile(filepath.Join(e.inbox, name), csv, 0o640); err != nil {
			t.Fatalf("%q: %v", name, err)
		}
	}
	if err := os.Symlink(target, filepath.Join(e.inbox, "link.csv")); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(e.inbox, "sub"), 0o750)
	os.WriteFile(filepath.Join(e.inbox, "sub", "nested.csv"), csv, 0o640)
	os.Symlink(outside, filepath.Join(e.inbox, "dirlink"))

	for _, name := range processed {
		t.Run(fmt.Sprintf("%.40q", name), func(t *testing.T) {
			waitFor(t, "moved out of the inbox", 30*time.Second, func() bool {
				_, err := os.Lstat(filepath.Join(e.inbox, name))
				return os.IsNotExist(err)
			})
			archived := filepath.Join(e.inbox, "archive", time.Now().Format("2006-01"), name)
			if _, err := os.Stat(archived); err != nil {
				t.Errorf("not archived inside the inbox: %v", err)
			}
			stem := strings.TrimSuffix(name, ".xml")
			hasStatus := func() bool {
				for _, f := range e.statusFiles(".json") {
					if strings.HasPrefix(f, stem[:min(len(stem), 20)]) {
						return true
					}
				}
				return false
			}
			// A 244-byte name still gets its status file: the name's stem
			// is cut (with a hash) to stay within the 255-byte limit.
			waitFor(t, "a status file", 20*time.Second, hasStatus)
		})
	}
	time.Sleep(2 * time.Second) // two sweeps more for the names that must be left alone
	select {
	case err := <-e.exited:
		t.Fatalf("the daemon stopped: %v", err)
	default:
	}
	for _, name := range append(skipped, "link.csv", "sub", "dirlink") {
		if _, err := os.Lstat(filepath.Join(e.inbox, name)); err != nil {
			t.Errorf("%q was moved or removed: %v", name, err)
		}
	}
	if b, err := os.ReadFile(target); err != nil || !bytes.Equal(b, csv) {
		t.Errorf("the symlink's target outside the inbox changed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.inbox, "sub", "nested.csv")); err != nil {
		t.Errorf("a file in a subfolder was taken: %v", err)
	}
	if des, _ := os.ReadDir(outside); len(des) != 1 {
		t.Errorf("something was written outside the inbox: %d entries in %s", len(des), outside)
	}
	for _, p := range []string{"pwned", filepath.Join(e.dir, "pwned"), filepath.Join(e.inbox, "pwned")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("a file name was run as a command: %s exists", p)
		}
	}
	l := s.ledger(t)
	for _, id := range sampleCSVIDs {
		if n := l.Received("52470021527478", id); n != 0 {
			t.Errorf("payment %s from a skipped name, a symlink or a subfolder reached the bank %d times", id, n)
		}
	}
	for i := range processed {
		exactlyOnce(t, l, variantIDs(i)...)
	}
	e.checkOutbox()
}
