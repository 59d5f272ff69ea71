package main

// Statements end to end: payments go out through both banks, the banks book
// them and invent incoming credits, and the daemon's statement blocks write
// camt.053 (XSD-valid), MT940, GPC and CSV files whose entries appear once,
// whose balances chain and reconcile, and which turn submitted payments into
// "booked".

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"erpconnector/formats/money"
	"erpconnector/internal/testenv"
)

type stmtEnv struct {
	*env
	biURL, kbURL string
	stmtOut      string
}

func newStmtEnv(t *testing.T) *stmtEnv {
	t.Helper()
	dir := t.TempDir()
	biPort, kbPort := freePort(t), freePort(t)
	e := &env{t: t, dir: dir, config: filepath.Join(dir, "erpconnector.toml"),
		inbox: filepath.Join(dir, "in-dk"), outbox: filepath.Join(dir, "out-dk"), log: &syncBuffer{}}
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
url = "sandbox"
poll_every = "200ms"
move_to_next_bank_date = true
  [[bank.account]]
  number = "52470021527478"
  [bank.sandbox]
  listen = "127.0.0.1:%d"
  step_after = "100ms"
[[bank]]
name = "kb"
kind = "kb"
url = "sandbox"
batch_status = "none"
  [bank.sandbox]
  listen = "127.0.0.1:%d"
  process_after = "1s"
[[route]]
name = "dk"
inbox = "in-dk"
outbox = "out-dk"
bank = "dk"
status = ["json"]
past_dates = "today"
settle = "200ms"
[[route]]
name = "kb"
inbox = "in-kb"
outbox = "out-kb"
bank = "kb"
status = ["json"]
past_dates = "today"
settle = "200ms"
[[statement]]
bank = "dk"
account = "52470021527478"
every = "1s"
formats = ["camt.053", "camt.053.001.08", "mt940", "csv"]
outbox = "stmt-dk"
[[statement]]
bank = "kb"
account = "CZ0801000000192000145399"
every = "1s"
formats = ["camt.053", "gpc", "mt940", "csv"]
mt940_dialect = "cz"
outbox = "stmt-kb"
`, freePort(t), biPort, kbPort)
	if err := os.WriteFile(e.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"in-dk", "in-kb"} {
		os.MkdirAll(filepath.Join(dir, d), 0o750)
	}
	t.Cleanup(func() {
		e.stop()
		if t.Failed() {
			t.Logf("daemon log:\n%s", e.log.String())
		}
	})
	return &stmtEnv{env: e, biURL: fmt.Sprintf("http://127.0.0.1:%d", biPort), kbURL: fmt.Sprintf("http://127.0.0.1:%d", kbPort)}
}

// csvEntries reads every statement CSV of a folder: entry IDs, and per file
// the signed amounts.
func csvEntries(t *testing.T, dir string) (ids []string, files map[string][]int64) {
	t.Helper()
	files = map[string][]int64{}
	matches, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(b))
		r.Comma = ';'
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		col := map[string]int{}
		for i, h := range rows[0] {
			col[h] = i
		}
		files[m] = nil
		for _, row := range rows[1:] {
			ids = append(ids, row[col["entry_id"]])
			amt, err := money.ParseDec(strings.ReplaceAll(strings.TrimPrefix(row[col["amount"]], "-"), ",", "."))
			if err != nil {
				t.Fatalf("%s: amount %q: %v", m, row[col["amount"]], err)
			}
			v := int64(amt.Units)
			if strings.HasPrefix(row[col["amount"]], "-") {
				v = -v
			}
			files[m] = append(files[m], v)
		}
	}
	return ids, files
}

func TestStatementsFromBothBanks(t *testing.T) {
	s := newStmtEnv(t)
	k := &kbEnv{env: s.env, simURL: s.kbURL}
	k.startAndWait()
	bi := &sim{URL: s.biURL}
	// Incoming money the banks invent or are told about.
	bi.control(t, "/_sim/credit", map[string]any{"account": "52470021527478", "amount": "5000.00", "name": "Kunde A/S", "text": "Faktura 77"})
	s.drop("p.xml", sample(t, "dk-payments.xml"))
	kbIn := filepath.Join(s.dir, "in-kb")
	tmp := filepath.Join(s.dir, "kb.tmp")
	os.WriteFile(tmp, sample(t, "kb-payments.kpc"), 0o640)
	os.Rename(tmp, filepath.Join(kbIn, "orders.kpc"))

	waitFor(t, "KB batch imported", 20*time.Second, func() bool { return len(k.ledger().Batches) == 1 })
	k.control("/_sim/sign", map[string]string{"batch": k.ledger().Batches[0].TransactionIdentification}, nil)
	k.control("/_sim/clock", map[string]string{"advance": "2s"}, nil)

	// KB reports no batch status here (batch_status = "none"): the payments
	// become booked only through the statement entries.
	kbOut := filepath.Join(s.dir, "out-kb")
	waitFor(t, "KB payments booked from the statement", 30*time.Second, func() bool {
		ms, _ := filepath.Glob(filepath.Join(kbOut, "*booked.json"))
		return len(ms) > 0
	})
	// The DK payments book on their (future) execution date on the bank's
	// clock, which this test cannot share with the daemon's; the DK account
	// shows the credits it is told about.
	countEntries := func(dir string) int {
		_, files := csvEntries(t, filepath.Join(s.dir, dir))
		n := 0
		for _, f := range files {
			n += len(f)
		}
		return n
	}
	waitFor(t, "DK statement with the credit", 30*time.Second, func() bool { return countEntries("stmt-dk") >= 1 })
	bi.control(t, "/_sim/credit", map[string]any{"account": "52470021527478", "amount": "1250.50", "name": "Kunde B ApS", "text": "Faktura 78"})
	k.control("/_sim/credit", map[string]any{"iban": "CZ0801000000192000145399", "amount": "777.00", "name": "Odběratel s.r.o.", "vs": "2026077"}, nil)
	waitFor(t, "second statements", 30*time.Second, func() bool { return countEntries("stmt-dk") >= 2 && countEntries("stmt-kb") >= 3 })
	// Restart: a catch-up run must not write any entry again.
	s.stop()
	s.start()
	time.Sleep(3 * time.Second)
	s.stop()

	for _, dir := range []string{"stmt-dk", "stmt-kb"} {
		ids, files := csvEntries(t, filepath.Join(s.dir, dir))
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				t.Errorf("%s: entry %s written twice", dir, id)
			}
			seen[id] = true
		}
		if len(ids) == 0 {
			t.Errorf("%s: no entries written", dir)
		}
		_ = files
		checkMT940Chain(t, filepath.Join(s.dir, dir))
		xmls, _ := filepath.Glob(filepath.Join(s.dir, dir, "*.camt053.xml"))
		for _, x := range xmls {
			b, _ := os.ReadFile(x)
			schema := "camt.053.001.02.xsd"
			if bytes.Contains(b, []byte("camt.053.001.08")) {
				schema = "camt.053.001.08.xsd"
			}
			testenv.ValidateXSD(t, schema, b)
		}
		if len(xmls) == 0 {
			t.Errorf("%s: no camt.053 written", dir)
		}
	}
	gpcs, _ := filepath.Glob(filepath.Join(s.dir, "stmt-kb", "*.gpc"))
	if len(gpcs) == 0 {
		t.Fatal("no GPC statement")
	}
	for _, g := range gpcs {
		b, _ := os.ReadFile(g)
		for i, rec := range bytes.Split(bytes.TrimSuffix(b, []byte("\r\n")), []byte("\r\n")) {
			if len(rec) != 128 {
				t.Errorf("%s record %d is %d bytes, want 128", filepath.Base(g), i, len(rec))
			}
		}
	}
	out, err := runCLI(t, "status", "--config", s.config)
	if err != nil || !strings.Contains(out, "kb/CZ0801000000192000145399") {
		t.Errorf("status does not show the statement blocks: %v\n%s", err, out)
	}
}

var (
	reBal = regexp.MustCompile(`^:6[02]F:([CD])\d{6}[A-Z]{3}([0-9]+,[0-9]*)`)
	re61  = regexp.MustCompile(`^:61:\d{6}(?:\d{4})?(RC|RD|C|D)[A-Z]?([0-9]+,[0-9]*)`)
)

// checkMT940Chain reads every MT940 statement of a folder in order: each must
// reconcile (opening + entries = closing) and open where the last closed.
func checkMT940Chain(t *testing.T, dir string) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.sta"))
	sort.Strings(files) // names carry the zero-padded sequence
	if len(files) == 0 {
		t.Errorf("%s: no MT940 statements", dir)
	}
	amount := func(sign, v string) int64 {
		d, err := money.ParseDec(strings.Replace(v, ",", ".", 1) + map[bool]string{true: "0", false: ""}[strings.HasSuffix(v, ",")])
		if err != nil {
			t.Fatalf("amount %q: %v", v, err)
		}
		n := int64(d.Units)
		for i := d.Scale; i < 2; i++ {
			n *= 10
		}
		if sign == "D" || sign == "RC" {
			n = -n
		}
		return n
	}
	var prevClosing *int64
	for _, f := range files {
		b, _ := os.ReadFile(f)
		var opening, closing, sum int64
		for _, line := range strings.Split(string(b), "\r\n") {
			if m := reBal.FindStringSubmatch(line); m != nil {
				if strings.HasPrefix(line, ":60F:") {
					opening = amount(m[1], m[2])
				} else {
					closing = amount(m[1], m[2])
				}
			}
			if m := re61.FindStringSubmatch(line); m != nil {
				sum += amount(m[1], m[2])
			}
		}
		if opening+sum != closing {
			t.Errorf("%s: opening %d + entries %d != closing %d", filepath.Base(f), opening, sum, closing)
		}
		if prevClosing != nil && *prevClosing != opening {
			t.Errorf("%s opens at %d, the previous statement closed at %d", filepath.Base(f), opening, *prevClosing)
		}
		c := closing
		prevClosing = &c
	}
}

func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	code := runMain(args, &out, &out)
	if code != 0 {
		return out.String(), fmt.Errorf("exit %d", code)
	}
	return out.String(), nil
}

// A crash after the entries are stored and before (or while) the files are
// written loses nothing and writes nothing twice: the restart finishes the
// same statement.
func TestStatementCrashBetweenEntriesAndFiles(t *testing.T) {
	for _, point := range []string{"after-statement-entries", "after-statement-file:2"} {
		t.Run(point, func(t *testing.T) {
			s := newStmtEnv(t)
			bi := &sim{URL: s.biURL}
			s.start("ERPCONNECTOR_FAILPOINT=" + point)
			waitFor(t, "sandbox", 10*time.Second, func() bool {
				resp, err := http.Get(s.biURL + "/_sim/stats")
				if err == nil {
					resp.Body.Close()
				}
				return err == nil
			})
			bi.control(t, "/_sim/credit", map[string]any{"account": "52470021527478", "amount": "99.95", "name": "Kunde C", "text": "Faktura 79"})
			s.waitExit(30 * time.Second)
			s.start()
			waitFor(t, "the statement after the restart", 30*time.Second, func() bool {
				ids, _ := csvEntries(t, filepath.Join(s.dir, "stmt-dk"))
				return len(ids) >= 1
			})
			time.Sleep(2 * time.Second)
			s.stop()
			ids, _ := csvEntries(t, filepath.Join(s.dir, "stmt-dk"))
			if len(ids) != 1 {
				t.Errorf("the credit appears %d times in the statements, want once: %v", len(ids), ids)
			}
			checkMT940Chain(t, filepath.Join(s.dir, "stmt-dk"))
			if tmp, _ := filepath.Glob(filepath.Join(s.dir, "stmt-dk", ".*")); len(tmp) > 0 {
				t.Errorf("temporary files left: %v", tmp)
			}
		})
	}
}
