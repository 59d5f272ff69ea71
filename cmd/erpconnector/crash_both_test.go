package main

// The crash campaign across both banks: BankIntegration and KB simulators
// each in their own process, a route per bank fed pain.001, CSV and KPC files
// (valid, invalid, duplicates), a statement block writing camt.053 and CSV,
// KB tokens that expire every few seconds — and the daemon killed with
// SIGKILL at random moments and at every named failpoint: after the claim,
// before and after the write-ahead intent, after the bank call before its
// answer is stored, mid status-file write, after it, between statement
// entries and files, and mid token refresh. At the end: every valid payment
// at its bank exactly once, every file accounted for, every status and
// statement file complete, no statement entry twice.
//
// ERPCONNECTOR_CRASH_KILLS sets the number of kills (default 50);
// ERPCONNECTOR_CRASH_SEED replays a campaign (the seed is logged).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"erpconnector/connector/admin"
	"erpconnector/connector/sandbox"
	"erpconnector/connector/sandbox/kbsim"
	"erpconnector/connector/store"
	"erpconnector/internal/testenv"
)

// crashPoints are the failpoints the both-banks campaign kills at.
var crashPoints = []string{"after-claim", "after-intent", "after-bank-call", "mid-status-write", "after-status-write",
	"after-statement-entries", "after-statement-file", "token-save"}

// crashCSV is a Danish ERP CSV export (the danish-erp mapping, Windows-1252) with n
// payments whose instruction IDs are prefix-0, prefix-1, ...
func crashCSV(prefix string, n int) []byte {
	var b strings.Builder
	b.WriteString("Bilagsnr.;Fra konto;Til konto;BIC;Beløb;Valuta;Betalingsdato;Modtager;Tekst til modtager;Egen tekst;Reference;FIK\r\n")
	date := time.Now().AddDate(0, 0, 7).Format("02-01-2006")
	total := 0
	for i := 0; i < n; i++ {
		ore := 2000 + 37*i
		total += ore
		fmt.Fprintf(&b, "%s-%d;5247 0021527478;8079 0000820049;;%d,%02d;DKK;%s;Leverandoer ApS;Faktura %s-%d;;E2E-%s-%d;\r\n",
			prefix, i, ore/100, ore%100, date, prefix, i, prefix, i)
	}
	fmt.Fprintf(&b, "I alt;;;;%d,%02d;;;;;;;\r\n", total/100, total%100)
	// The mapping reads Windows-1252, as the ERP writes it.
	return []byte(strings.ReplaceAll(b.String(), "ø", "\xf8"))
}

// crashKPC is a KPC (ABO) file for the KB debtor with n items whose
// messages are "AV:<prefix>N<i>", amounts in haléře.
func crashKPC(prefix string, n int) []byte {
	var b strings.Builder
	date := time.Now().AddDate(0, 0, 7).Format("020106")
	fmt.Fprintf(&b, "UHL1%sACME SRO            2000145399001001000000000000\r\n", time.Now().Format("020106"))
	b.WriteString("1 1501 001000 0100\r\n")
	var items strings.Builder
	total := 0
	for i := 0; i < n; i++ {
		h := 10000 + 113*i
		total += h
		fmt.Fprintf(&items, "000000-1234567899 %012d %010d 08000308 0000000000 AV:%sN%d\r\n", h, 1000+i, prefix, i)
	}
	fmt.Fprintf(&b, "2 000019-2000145399 %014d %s\r\n", total, date)
	b.WriteString(items.String())
	b.WriteString("3 +\r\n5 +\r\n")
	return []byte(b.String())
}

type crashFileInfo struct {
	route, kind string // kind: valid, invalid, duplicate
	content     []byte
}

func TestCrashCampaignBothBanks(t *testing.T) {
	kills := 50
	if v, err := strconv.Atoi(os.Getenv("ERPCONNECTOR_CRASH_KILLS")); err == nil && v > 0 {
		kills = v
	}
	seed := time.Now().UnixNano()
	if v, err := strconv.ParseInt(os.Getenv("ERPCONNECTOR_CRASH_SEED"), 10, 64); err == nil {
		seed = v
	}
	r := rand.New(rand.NewPCG(uint64(seed), 3))
	t.Logf("crash campaign, both banks: %d kills (seed %d)", kills, seed)
	started := time.Now()

	bi := startSim(t)
	kbURL := startKBSim(t, "--kb-access-token-ttl", "8s", "--kb-process-after", "1s")
	dir := t.TempDir()
	e := &env{t: t, dir: dir, config: filepath.Join(dir, "erpconnector.toml"),
		inbox: filepath.Join(dir, "in-dk"), outbox: filepath.Join(dir, "out-dk"), sim: bi, log: &syncBuffer{}}
	kbIn, kbOut, stmtOut := filepath.Join(dir, "in-kb"), filepath.Join(dir, "out-kb"), filepath.Join(dir, "stmt-dk")
	csvMapping := exampleCSVMapping(t)
	adminPort := freePort(t)
	adminURL := fmt.Sprintf("http://127.0.0.1:%d", adminPort)
	cfg := fmt.Sprintf(`
[store]
path = "var/store.db"
[admin]
listen = "127.0.0.1:%d"
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
token_margin = "1s"
timeout = "10s"
[[route]]
name = "dk"
inbox = "in-dk"
outbox = "out-dk"
bank = "dk"
csv = "danish-erp"
status = ["pain.002", "csv", "json"]
past_dates = "today"
settle = "0s"
sweep = "300ms"
[[route]]
name = "kb"
inbox = "in-kb"
outbox = "out-kb"
bank = "kb"
status = ["pain.002", "json"]
past_dates = "today"
settle = "0s"
sweep = "300ms"
[[statement]]
bank = "dk"
account = "52470021527478"
every = "1s"
formats = ["camt.053", "csv"]
outbox = "stmt-dk"
%s`, adminPort, bi.URL, sandbox.BIERP, kbURL, kbURL, kbURL, sandbox.KBClientID, sandbox.KBRedirectURI, csvMapping)
	if err := os.WriteFile(e.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{e.inbox, kbIn} {
		os.MkdirAll(d, 0o750)
	}
	code, _ := sandbox.BICode("52470021527478")
	environ := append(os.Environ(), "E2E_BI_KEY="+sandbox.BIAPIKey, "E2E_BI_CODE="+code,
		"E2E_KB_SECRET="+sandbox.KBClientSecret, "E2E_KB_OAUTH="+kbsim.DefaultOAuthAPIKey)
	t.Cleanup(func() {
		e.stop()
		if t.Failed() {
			t.Logf("daemon log (last 2000 lines):\n%s", lastLines(e.log.String(), 2000))
		}
	})
	kbAuthorizeCLI(t, e.config, environ, kbURL)
	kb := &kbEnv{env: &env{t: t}, simURL: kbURL}

	files := map[string]crashFileInfo{} // inbox name -> what it is
	var validDK, validKB, kpcMsgs []string
	var credits []string
	fpHits := map[string]int{}
	n := 0
	drop := func() {
		n++
		route := "dk"
		if r.IntN(2) == 0 {
			route = "kb"
		}
		inbox := e.inbox
		if route == "kb" {
			inbox = kbIn
		}
		prefix := fmt.Sprintf("X%d", n)
		var name string
		var content []byte
		kind := "valid"
		switch x := r.IntN(10); {
		case x == 0: // invalid: a control count that does not match
			name = fmt.Sprintf("x%03d.xml", n)
			content = crashFile(prefix, 2)
			if route == "kb" {
				content = faultKBFile(prefix, 2)
			}
			content = bytes.Replace(content, []byte("<NbOfTxs>2</NbOfTxs>"), []byte("<NbOfTxs>3</NbOfTxs>"), 1)
			kind = "invalid"
		case x == 1: // a duplicate of an earlier valid file on this route
			for _, f := range files {
				if f.route == route && f.kind == "valid" {
					name = fmt.Sprintf("x%03d.dup", n)
					content = f.content
					kind = "duplicate"
					break
				}
			}
		}
		if content == nil {
			pays := 1 + r.IntN(4)
			switch {
			case route == "dk" && r.IntN(3) == 0:
				name, content = fmt.Sprintf("x%03d.csv", n), crashCSV(prefix, pays)
			case route == "dk":
				name, content = fmt.Sprintf("x%03d.xml", n), crashFile(prefix, pays)
			case r.IntN(2) == 0:
				name, content = fmt.Sprintf("x%03d.kpc", n), crashKPC(prefix, pays)
			default:
				name, content = fmt.Sprintf("x%03d.xml", n), faultKBFile(prefix, pays)
			}
			for i := 0; i < pays; i++ {
				switch {
				case strings.HasSuffix(name, ".kpc"):
					kpcMsgs = append(kpcMsgs, fmt.Sprintf("%sN%d", prefix, i))
				case route == "kb":
					validKB = append(validKB, fmt.Sprintf("%sP%d", prefix, i))
				default:
					validDK = append(validDK, fmt.Sprintf("%s-%d", prefix, i))
				}
			}
		}
		tmp := filepath.Join(dir, "."+name)
		if err := os.WriteFile(tmp, content, 0o640); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(inbox, name)); err != nil {
			t.Fatal(err)
		}
		files[name] = crashFileInfo{route: route, kind: kind, content: content}
	}

	for k := 0; k < kills; k++ {
		env := environ
		if k%3 == 2 {
			p := crashPoints[r.IntN(len(crashPoints))]
			env = append(env, "ERPCONNECTOR_FAILPOINT="+p+":"+strconv.Itoa(1+r.IntN(3)))
			fpHits[p]++
		}
		e.startWithEnv(env)
		for j := 0; j < 1+r.IntN(2); j++ {
			drop()
		}
		if r.IntN(4) == 0 {
			amount := fmt.Sprintf("%d.%02d", 600+k, k%100)
			bi.control(t, "/_sim/credit", map[string]any{"account": "52470021527478", "amount": amount, "name": "Kunde A/S", "text": "Crash " + strconv.Itoa(k)})
			credits = append(credits, amount)
		}
		wait := time.Duration(200+r.IntN(900)) * time.Millisecond
		select {
		case <-e.exited: // reached its failpoint
			e.cmd = nil
		case <-time.After(wait):
			e.kill()
		}
	}
	e.startWithEnv(environ)

	kbItems := func() (map[string]int, map[string]int) {
		var l kbsim.Ledger
		kb.control("/_sim/ledger", nil, &l)
		byID, byMsg := map[string]int{}, map[string]int{}
		for _, b := range l.Batches {
			for _, it := range b.Items {
				byID[it.InstructionIdentification]++
				byMsg[it.Unstructured]++
			}
		}
		return byID, byMsg
	}
	var lastResolve time.Time
	var missing string
	resolved := map[string]int{}
	crashMissing = &missing
	crashWaitFor(t, e, "every valid payment at its bank", 180*time.Second, func() bool {
		// What the operator does for a KB batch the daemon was killed
		// while sending: look in internet banking, then resolve.
		if time.Since(lastResolve) > time.Second {
			lastResolve = time.Now()
			crashResolveKB(t, adminURL, e.config, kb, resolved)
		}
		l := bi.ledger(t)
		for _, id := range validDK {
			if l.Received("52470021527478", id) == 0 {
				missing = "BankIntegration " + id
				return false
			}
		}
		byID, byMsg := kbItems()
		for _, id := range validKB {
			if byID[id] == 0 {
				missing = "KB " + id
				return false
			}
		}
		for _, m := range kpcMsgs {
			if byMsg[m] == 0 {
				missing = fmt.Sprintf("KB KPC item %q (the bank has messages %v)", m, byMsg)
				return false
			}
		}
		return true
	})
	waitFor(t, "the inboxes empty", 60*time.Second, func() bool {
		for _, d := range []string{e.inbox, kbIn} {
			des, _ := os.ReadDir(d)
			for _, de := range des {
				if !de.IsDir() {
					return false
				}
			}
		}
		return true
	})
	waitFor(t, "every credit in a statement", 60*time.Second, func() bool {
		_, amounts := csvEntries(t, stmtOut)
		seen := map[int64]bool{}
		for _, as := range amounts {
			for _, a := range as {
				seen[a] = true
			}
		}
		for _, c := range credits {
			if !seen[crashMinor(c)] {
				return false
			}
		}
		return true
	})
	crashWaitFor(t, e, "a final status file for every file", 60*time.Second, func() bool {
		if time.Since(lastResolve) > time.Second {
			lastResolve = time.Now()
			crashResolveKB(t, adminURL, e.config, kb, resolved)
		}
		missing = crashMissingStatus(files, e.outbox, kbOut)
		if missing != "" {
			out := e.outbox
			if files[missing].route == "kb" {
				out = kbOut
			}
			m, _ := filepath.Glob(filepath.Join(out, strings.TrimSuffix(missing, filepath.Ext(missing))+".F*"))
			missing = fmt.Sprintf("%s (%s %s): status files %v", missing, files[missing].route, files[missing].kind, m)
		}
		return missing == ""
	})
	e.stop()

	// The banks: exactly once.
	l := bi.ledger(t)
	exactlyOnce(t, l, validDK...)
	if len(l.Payments) != len(validDK) {
		t.Errorf("BankIntegration has %d payments, %d valid ones were dropped", len(l.Payments), len(validDK))
	}
	var kl kbsim.Ledger
	kb.control("/_sim/ledger", nil, &kl)
	items := 0
	for _, b := range kl.Batches {
		items += len(b.Items)
		if got := kl.Received(b.ExchangeIdentification); got != 1 {
			t.Errorf("KB batch %s reached the bank %d times", b.ExchangeIdentification, got)
		}
	}
	byID, byMsg := kbItems()
	for _, id := range validKB {
		if byID[id] != 1 {
			t.Errorf("KB payment %s at the bank %d times, want 1", id, byID[id])
		}
	}
	for _, m := range kpcMsgs {
		if byMsg[m] != 1 {
			t.Errorf("KB KPC payment %q at the bank %d times, want 1", m, byMsg[m])
		}
	}
	if items != len(validKB)+len(kpcMsgs) {
		t.Errorf("KB has %d items, %d valid ones were dropped", items, len(validKB)+len(kpcMsgs))
	}

	// Every file accounted for.
	outcome := map[string]int{}
	for name, f := range files {
		in := e.inbox
		if f.route == "kb" {
			in = kbIn
		}
		_, rejErr := os.Stat(filepath.Join(in, "error", name+".error.txt"))
		archived, _ := filepath.Glob(filepath.Join(in, "archive", "*", name))
		switch {
		case f.kind == "invalid" && rejErr != nil:
			t.Errorf("%s (invalid) has no error report", name)
		case f.kind != "invalid" && len(archived) != 1:
			t.Errorf("%s (%s) archived %d times", name, f.kind, len(archived))
		}
		outcome[f.route+" "+f.kind]++
	}

	// Every status and statement file complete, no entry twice.
	for _, out := range []string{e.outbox, kbOut, stmtOut} {
		des, _ := os.ReadDir(out)
		for _, de := range des {
			p := filepath.Join(out, de.Name())
			b, _ := os.ReadFile(p)
			switch {
			case strings.HasPrefix(de.Name(), "."):
				t.Errorf("temporary file left: %s", p)
			case strings.HasSuffix(de.Name(), ".pain002.xml"):
				testenv.ValidateXSD(t, "pain.002.001.03.xsd", b)
			case out == stmtOut && strings.HasSuffix(de.Name(), ".xml"):
				testenv.ValidateXSD(t, "camt.053.001.02.xsd", b)
			case strings.HasSuffix(de.Name(), ".json"):
				(&env{t: t, outbox: out}).readStatus(de.Name())
			}
		}
	}
	ids, _ := csvEntries(t, stmtOut)
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("statement entry %s written twice", id)
		}
		seen[id] = true
	}
	t.Logf("crash campaign, both banks: %d kills in %s, failpoints armed %v; %d files %v; %d payments sent (%d BankIntegration, %d KB), 0 duplicates; %d statement entries, %d credits; KB batches resolved by the operator %v",
		kills, time.Since(started).Round(time.Second), fpHits, len(files), outcome, len(validDK)+len(validKB)+len(kpcMsgs),
		len(validDK), len(validKB)+len(kpcMsgs), len(ids), len(credits), resolved)
}

// crashResolveKB settles KB batches whose outcome is unknown as an operator
// does: internet banking (the simulator's ledger) says whether KB has them.
func crashResolveKB(t *testing.T, adminURL, config string, kb *kbEnv, resolved map[string]int) {
	resp, err := http.Get(adminURL + "/api/status?limit=10000")
	if err != nil {
		return // the daemon is starting
	}
	var st admin.Status
	err = json.NewDecoder(resp.Body).Decode(&st)
	resp.Body.Close()
	if err != nil {
		return
	}
	var l kbsim.Ledger
	read := false
	for _, f := range st.Files {
		for _, q := range f.Requests {
			if q.State != store.ReqUnknown || !strings.HasPrefix(q.Key, "kb/") {
				continue
			}
			if !read {
				kb.control("/_sim/ledger", nil, &l)
				read = true
			}
			how := "--not-submitted"
			if len(l.Accepted(strings.TrimPrefix(q.Key, "kb/"))) > 0 {
				how = "--submitted"
			}
			out, err := exec.Command(binary(t), "resolve", "--config", config, how, q.Key).CombinedOutput()
			if err != nil {
				t.Fatalf("resolve %s %s: %v\n%s", how, q.Key, err, out)
			}
			resolved[strings.TrimPrefix(how, "--")]++
		}
	}
}

// crashWaitFor is waitFor that, on timeout, has the daemon dump its
// goroutines into the log (SIGQUIT) before failing: a stuck daemon shows why.
func crashWaitFor(t *testing.T, e *env, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	if crashMissing != nil {
		t.Logf("missing: %s", *crashMissing)
	}
	if e.cmd != nil {
		e.cmd.Process.Signal(syscall.SIGQUIT)
		time.Sleep(2 * time.Second)
		e.cmd = nil
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
}

// crashMissing is what the last wait found missing.
var crashMissing *string

// crashMinor is a statement amount "612.12" in minor units.
func crashMinor(s string) int64 {
	whole, frac, _ := strings.Cut(s, ".")
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	return w*100 + f
}

// crashMissingStatus names a file without a status file in a final or
// settled state ("" when every file has one).
func crashMissingStatus(files map[string]crashFileInfo, dkOut, kbOut string) string {
	for name, f := range files {
		out := dkOut
		if f.route == "kb" {
			out = kbOut
		}
		stem := strings.TrimSuffix(name, filepath.Ext(name))
		var want []string
		switch f.kind {
		case "invalid":
			want = []string{".rejected."}
		case "duplicate":
			want = []string{".duplicate."}
		default:
			want = []string{".accepted.", ".pending.", ".booked.", ".awaiting-authorisation.", ".done."}
		}
		found := false
		m, _ := filepath.Glob(filepath.Join(out, stem+".F*.json"))
		for _, p := range m {
			for _, w := range want {
				if strings.Contains(filepath.Base(p), w) {
					found = true
				}
			}
		}
		if !found {
			return name
		}
	}
	return ""
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
