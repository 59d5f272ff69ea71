package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// base is a valid minimal config; cases append to it or replace it.
const base = `[[bank]]
name = "kb"
kind = "kb"
url = "sandbox"

[[route]]
name = "r1"
inbox = "in1"
outbox = "out1"
bank = "kb"
`

// withURL is base with the bank's url set to u (a TOML string or an
// expression), plus the registration values a non-sandbox KB bank needs.
func withURL(u string) string {
	return strings.Replace(base, `url = "sandbox"`, "url = "+u+"\nclient_id = \"App-1\"\nclient_secret = \"env:X\"\nredirect_uri = \"http://127.0.0.1:8751/cb\"", 1)
}

// want is one expected problem: the line is found by a unique piece of the
// source (at), so expectations do not depend on counting lines by hand.
type want struct {
	at  string // unique substring of the line the problem must point at; "" for line 0
	key string
	msg string
}

// lineOf is the 1-based line of the only line containing sub.
func lineOf(t *testing.T, src, sub string) int {
	t.Helper()
	if sub == "" {
		return 0
	}
	found := 0
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l, sub) {
			if found != 0 {
				t.Fatalf("test bug: %q is on lines %d and %d", sub, found, i+1)
			}
			found = i + 1
		}
	}
	if found == 0 {
		t.Fatalf("test bug: %q is not in the source", sub)
	}
	return found
}

func parse(t *testing.T, src string) (*Config, string, error) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "erpconnector.toml")
	c, err := Parse(file, []byte(src))
	return c, file, err
}

// render turns problems into comparable "LINE key: msg" strings.
func render(t *testing.T, file string, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var es Errors
	if !errors.As(err, &es) {
		t.Fatalf("error is %T, not config.Errors: %v", err, err)
	}
	var out []string
	for _, e := range es {
		if e.File != file {
			t.Errorf("problem %v names file %q, want %q", e, e.File, file)
		}
		out = append(out, fmt.Sprintf("%d %s: %s", e.Line, e.Key, e.Msg))
	}
	return out
}

func expect(t *testing.T, src string, ws []want) []string {
	t.Helper()
	var out []string
	for _, w := range ws {
		out = append(out, fmt.Sprintf("%d %s: %s", lineOf(t, src, w.at), w.key, w.msg))
	}
	return out
}

func TestLoadExample(t *testing.T) {
	c, err := Load("../../config.example.toml")
	if err != nil {
		t.Fatalf("config.example.toml must load cleanly:\n%v", err)
	}
	root, _ := filepath.Abs("../..")
	if c.Dir != root {
		t.Errorf("Dir = %q, want %q", c.Dir, root)
	}
	if want := filepath.Join(root, "var", "erpconnector.db"); c.Store.Path != want {
		t.Errorf("store.path = %q, want %q", c.Store.Path, want)
	}
	r, ok := c.Route("dk-payments")
	if !ok {
		t.Fatal("route dk-payments missing")
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"inbox", r.Inbox, filepath.Join(root, "var", "dk", "inbox")},
		{"archive", r.Archive, filepath.Join(root, "var", "dk", "inbox", "archive")},
		{"error", r.Error, filepath.Join(root, "var", "dk", "inbox", "error")},
		{"settle", r.Settle.Duration, 2 * time.Second},
		{"sweep", r.Sweep.Duration, 30 * time.Second},
		{"max_file_size", int64(r.MaxFileSize), int64(100e6)},
		{"status", strings.Join(r.Status, ","), "pain.002,csv,json"},
		{"past_dates", r.PastDates, "today"},
		{"route bank", r.Bank, "dk"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
	dk, ok := c.Bank("dk")
	if !ok || dk.Kind != KindBankIntegration || dk.URL != SandboxURL || dk.PollEvery.Duration != 5*time.Second ||
		!dk.MoveToNextBankDate || len(dk.Accounts) != 1 || dk.Accounts[0].Number != "52470021527478" ||
		dk.Sandbox.Listen != "127.0.0.1:8760" || dk.ERP != "erpconnector-sandbox" {
		t.Errorf("bank dk decoded wrongly: %+v", dk)
	}
	if kb, ok := c.Bank("kb"); !ok || kb.Kind != KindKB || kb.MaxItems != 100 || kb.ProcessingMode != "ONLINE" {
		t.Errorf("bank kb decoded wrongly: %+v", kb)
	}
	m, ok := c.CSV["danish-erp"]
	if !ok || m.Delimiter != ";" || m.Columns["amount"].Name != "Beløb" || m.Columns["fik"].Name != "FIK" {
		t.Errorf("csv.danish-erp decoded wrongly: %+v", m)
	}
}

func TestChecks(t *testing.T) {
	cases := []struct {
		name string
		src  string
		want []want
	}{
		{"valid", base, nil},
		{"unknown top-level key", "colour = \"blue\"\n" + base,
			[]want{{`colour`, "colour", "unknown key"}}},
		{"unknown table reported once", base + "[extra]\na = 1\nb = 2\n",
			[]want{{`[extra]`, "extra", "unknown key"}}},
		{"unknown key in second route", base + `
[[route]]
name = "r2"
inbox = "in2"
outbox = "out2"
bank = "kb"
setle = "5s"
`, []want{{`setle`, "route[1].setle", "unknown key"}}},
		{"same unknown key in both routes", strings.Replace(base, `bank = "kb"`+"\n", "bank = \"kb\"\nfoo = 1\n", 1) + `
[[route]]
name = "r2"
inbox = "in2"
outbox = "out2"
bank = "kb"
foo = 2
`, []want{{`foo = 1`, "route[0].foo", "unknown key"}, {`foo = 2`, "route[1].foo", "unknown key"}}},
		{"unknown key in bank.account", `[[bank]]
name = "kb"
kind = "kb"
url = "sandbox"

[[bank]]
name = "dk"
kind = "bankintegration"
url = "sandbox"
  [[bank.account]]
  number = "1"
  [[bank.account]]
  number = "2"
  integration = "x"
  [bank.sandbox]
  listen = "127.0.0.1:0"
  speed = 3
`, []want{{`integration =`, "bank[1].account[1].integration", "unknown key"}, {`speed`, "bank[1].sandbox.speed", "unknown key"}}},
		{"unknown key in inline table", `[[bank]]
name = "kb"
kind = "kb"
url = "sandbox"
sandbox = { listen = "127.0.0.1:0", speed = 3 }
`, []want{{`sandbox =`, "bank[0].sandbox.speed", "unknown key"}}},
		{"unknown csv column", base + `
[csv.m]
currency = "DKK"
debtor_account = "DK5000400440116243"
[csv.m.columns]
amount = 1
creditor_account = 2
amuont = 3
`, []want{{`amuont`, "csv.m.columns.amuont", `unknown field "amuont" (known: instruction_id, end_to_end_id, amount, currency, requested_date, debtor_account, debtor_name, creditor_account, creditor_bank_code, creditor_bic, creditor_name, creditor_street, creditor_building, creditor_postcode, creditor_town, creditor_country, message, own_text, vs, ks, ss, reference, fik, priority)`}}},
		{"csv mapping problems at their keys", base + `
[csv.m]
delimiter = "ab"
currency = "DKK"
debtor_account = "DK5000400440116243"
[csv.m.columns]
creditor_account = 0
`, []want{
			{`delimiter`, "csv.m.delimiter", `"ab" is not one character`},
			{`[csv.m.columns]`, "csv.m.columns", "amount is required"},
			{`creditor_account = 0`, "csv.m.columns.creditor_account", "a column position starts at 1"},
		}},
		{"route csv mapping missing", strings.Replace(base, `bank = "kb"`+"\n", "bank = \"kb\"\nformat = \"csv\"\n", 1),
			[]want{{`[[route]]`, "route[0].csv", "format csv needs the name of a [csv.NAME] mapping"}}},
		{"route names unknown csv mapping", strings.Replace(base, `bank = "kb"`+"\n", "bank = \"kb\"\ncsv = \"nope\"\n", 1),
			[]want{{`csv = "nope"`, "route[0].csv", "no [csv.nope] mapping is defined"}}},
		{"duplicate bank and route names", base + `
[[bank]]
name = "kb" # again
kind = "kb"
url = "sandbox"

[[route]]
name = "r1" # again
inbox = "in2"
outbox = "out2"
bank = "kb"
`, []want{
			{`name = "kb" # again`, "bank[1].name", `bank "kb" is defined twice`},
			{`name = "r1" # again`, "route[1].name", `route "r1" is defined twice`},
		}},
		{"route to a missing bank", strings.Replace(base, `bank = "kb"`, `bank = "kbb"`, 1),
			[]want{{`bank = "kbb"`, "route[0].bank", `no [[bank]] is named "kbb"`}}},
		{"route without bank inbox outbox", "[[route]]\nname = \"x\"\n",
			[]want{{`[[route]]`, "route[0].inbox", "missing"}, {`[[route]]`, "route[0].outbox", "missing"}, {`[[route]]`, "route[0].bank", "missing"}}},
		{"shared folders", base + `
[[route]]
name = "r2"
inbox = "out1"
outbox = "out2"
bank = "kb"
`, []want{{`inbox = "out1"`, "route[1].inbox", "@OUT1 is also route[0].outbox: every route needs its own folders"}}},
		{"bad durations and size, all reported", strings.Replace(base, `bank = "kb"`+"\n", `bank = "kb"
settle = "2 seconds"
sweep = 30
max_file_size = "1.5MB"
`, 1), []want{
			{`settle`, "route[0].settle", `"2 seconds" is not a duration such as 30s or 15m`},
			{`sweep`, "route[0].sweep", `30 is not a duration such as "30s" or "15m" (a quoted string with a unit)`},
			{`max_file_size`, "route[0].max_file_size", `not a size such as "100MB", "512KiB" or a number of bytes above 0`},
		}},
		{"negative duration and zero size", strings.Replace(base, `bank = "kb"`+"\n", "bank = \"kb\"\nsettle = \"-1s\"\nmax_file_size = 0\n", 1), []want{
			{`settle`, "route[0].settle", `"-1s": negative duration`},
			{`max_file_size`, "route[0].max_file_size", `not a size such as "100MB", "512KiB" or a number of bytes above 0`},
		}},
		{"bank durations", strings.Replace(base, `url = "sandbox"`, "url = \"sandbox\"\ntimeout = \"soon\"\npoll_every = \"1h\"\n[bank.sandbox]\nstep_after = \"x\"", 1), []want{
			{`timeout`, "bank[0].timeout", `"soon" is not a duration such as 30s or 15m`},
			{`step_after`, "bank[0].sandbox.step_after", `"x" is not a duration such as 30s or 15m`},
		}},
		{"http to a remote host refused", withURL(`"http://bank.example/api"`),
			[]want{{`url =`, "bank[0].url", `"http://bank.example/api": plain http is allowed only to loopback addresses; use https://`}}},
		{"http to 127.0.0.1 allowed", withURL(`"http://127.0.0.1:8760"`), nil},
		{"http to [::1] allowed", withURL(`"http://[::1]:8760/"`), nil},
		{"http to localhost allowed", withURL(`"http://localhost:8760/"`), nil},
		{"http to a loopback look-alike refused", withURL(`"http://127.0.0.1.example.com/"`),
			[]want{{`url =`, "bank[0].url", `"http://127.0.0.1.example.com/": plain http is allowed only to loopback addresses; use https://`}}},
		{"https allowed", withURL(`"https://bank.example/api"`), nil},
		{"other scheme refused", withURL(`"ftp://bank.example/"`),
			[]want{{`url =`, "bank[0].url", `"ftp://bank.example/": scheme must be https`}}},
		{"no host", withURL(`"https:///x"`),
			[]want{{`url =`, "bank[0].url", `"https:///x" is not a URL such as https://bank.example/api`}}},
		{"missing url", strings.Replace(withURL(`"x"`), `url = "x"`+"\n", "", 1),
			[]want{{`[[bank]]`, "bank[0].url", `missing: "sandbox" or the bank's https:// base URL`}}},
		{"password in url refused and not shown", withURL(`"https://erp:hunter2@bank.example/"`),
			[]want{{`url =`, "bank[0].url", `"https://erp:xxxxx@bank.example/": credentials in the URL are refused; secrets are references such as api_key = "env:NAME"`}}},
		{"enumerations", `[log]
level = "loud"
format = "xml"
[admin]
listen = "8750"
[[bank]]
name = "kb"
kind = "kbx"
url = "sandbox"
[[bank]]
name = "kb2"
kind = "kb"
url = "sandbox"
processing_mode = "FAST"
max_items = 20000
[[route]]
name = "r1"
inbox = "in1"
outbox = "out1"
bank = "kb"
format = "xls"
encoding = "latin1"
status = ["pain.002", "pdf"]
status_files = "some"
pain002_version = "09"
past_dates = "yesterday"
ignore = ["[x"]
ready_marker = "ok"
`, []want{
			{`level`, "log.level", `"loud" is not one of debug, info, warn, error`},
			{`format = "xml"`, "log.format", `"xml" is not one of text, json`},
			{`listen`, "admin.listen", `"8750" is not host:port`},
			{`kind = "kbx"`, "bank[0].kind", `"kbx" is not kb or bankintegration`},
			{`processing_mode`, "bank[1].processing_mode", `"FAST" is not ONLINE, CONTINUOUS or BATCH`},
			{`max_items`, "bank[1].max_items", `20000 is out of range 1..10000`},
			{`format = "xls"`, "route[0].format", `"xls" is not one of auto, pain.001, abo, csv, json`},
			{`encoding`, "route[0].encoding", `"latin1" is not windows-1250, cp852 or utf-8`},
			{`status =`, "route[0].status", `"pdf" is not one of pain.002, csv, json`},
			{`status_files`, "route[0].status_files", `"some" is not every or final`},
			{`pain002_version`, "route[0].pain002_version", `"09" is not 03 or 10`},
			{`past_dates`, "route[0].past_dates", `"yesterday" is not reject or today`},
			{`ignore`, "route[0].ignore", `"[x" is not a valid pattern`},
			{`ready_marker`, "route[0].ready_marker", `"ok" must be a suffix starting with a dot, such as .ok`},
		}},
		{"missing bank name and kind", "[[bank]]\nurl = \"sandbox\"\n",
			[]want{{`[[bank]]`, "bank[0].name", "missing"}, {`[[bank]]`, "bank[0].kind", "missing: kb or bankintegration"}}},
		{"statement to a missing bank", base + "[[statement]]\nbank = \"dk\"\nevery = \"often\"\n", []want{
			{`[[statement]]`, "statement[0].account", `missing`},
			{`[[statement]]`, "statement[0].outbox", `missing`},
			{`bank = "dk"`, "statement[0].bank", `no [[bank]] is named "dk"`},
			{`every`, "statement[0].every", `"often" is not a duration such as 30s or 15m`},
		}},
		{"remote folder without an [[sftp]] block", strings.Replace(base, `inbox = "in1"`, `inbox = "sftp://erp@files.example/out"`, 1),
			[]want{{`inbox =`, "route[0].inbox", "no [[sftp]] block for erp@files.example:22 (host, port and user must match)"}}},
		{"sftp server valid", strings.Replace(base, `inbox = "in1"`, `inbox = "sftp://erp@files.example:2222/out"`, 1) + `
[[sftp]]
host = "files.example"
port = 2222
user = "erp"
known_hosts = "known_hosts"
private_key = "file:id_ed25519"
passphrase = "env:SFTP_PASSPHRASE"
`, nil},
		{"sftp server problems", strings.Replace(strings.Replace(base, `inbox = "in1"`, `inbox = "sftp://erp:pw@files.example/out"`, 1), `outbox = "out1"`, `outbox = "sftp://files.example/out"`, 1) + `
[[sftp]] # first
host = "files.example"
user = "erp"
password = "hunter2"
timeout = "soon"
upload_marker = "done"

[[sftp]] # second
host = "files.example" # same
user = "erp"
passphrase = "env:X"
known_hosts = "kh"
`, []want{
			{`inbox =`, "route[0].inbox", `"sftp://erp@files.example/out": no password in the URL; use the [[sftp]] block's password = "env:..."`},
			{`outbox =`, "route[0].outbox", `"sftp://files.example/out": the user is missing (sftp://user@host/path)`},
			{`[[sftp]] # first`, "sftp[0].known_hosts", "missing: the server's host key must be known (ssh-keyscan, then check the fingerprint)"},
			{`password = "hunter2"`, "sftp[0].password", `must be a reference, "env:NAME" or "file:PATH"; secrets are not written into the config file`},
			{`timeout = "soon"`, "sftp[0].timeout", `"soon" is not a duration such as 30s or 15m`},
			{`upload_marker`, "sftp[0].upload_marker", `"done" must be a suffix starting with a dot, such as .done`},
			{`[[sftp]] # second`, "sftp[1].private_key", "missing: give private_key (file:PATH) or password (env:NAME)"},
			{`# same`, "sftp[1].host", "erp@files.example:22 has two [[sftp]] blocks"},
			{`passphrase`, "sftp[1].passphrase", "passphrase without private_key"},
		}},
		{"sftp archive elsewhere", strings.Replace(base, `inbox = "in1"`, "inbox = \"sftp://erp@files.example/out\"\narchive = \"local-archive\"\nerror = \"sftp://erp@other.example/err\"", 1) + `
[[sftp]]
host = "files.example"
user = "erp"
known_hosts = "kh"
password = "env:PW"
`, []want{
			{`archive =`, "route[0].archive", "archive must be on the same server as the inbox (or left out)"},
			{`error =`, "route[0].error", "no [[sftp]] block for erp@other.example:22 (host, port and user must match)"},
		}},
		{"bankintegration production needs erp key accounts", `[[bank]]
name = "dk"
kind = "bankintegration"
url = "https://api.bankintegration.dk"
api_key = "0b8f0c54-secret-guid"
max_transactions = -1
`, []want{
			{`[[bank]]`, "bank[0].erp", "missing: the ERP name/code BankIntegration issued"},
			{`[[bank]]`, "bank[0].account", "at least one [[bank.account]] with number and integration_code is needed"},
			{`api_key`, "bank[0].api_key", `must be a reference, "env:NAME" or "file:PATH"; secrets are not written into the config file`},
			{`max_transactions`, "bank[0].max_transactions", "must be at least 1"},
		}},
		{"syntax error stops with its line", base + "name = = 1\n",
			[]want{{`= = 1`, "", "expected value but found '=' instead"}}},
		{"type error stops with its line", strings.Replace(base, `kind = "kb"`, "kind = \"kb\"\nmax_items = \"many\"", 1),
			[]want{{`max_items`, "bank[0].max_items", "incompatible types: TOML value has type string; destination has type integer"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, ws := tc.src, tc.want
			_, file, err := parse(t, src)
			got := render(t, file, err)
			exp := expect(t, src, ws)
			for i := range exp {
				exp[i] = strings.ReplaceAll(exp[i], "@OUT1", filepath.Join(filepath.Dir(file), "out1"))
			}
			if !slices.Equal(got, exp) {
				t.Errorf("problems:\n got  %q\n want %q", got, exp)
			}
		})
	}
}

// TestAllProblemsAtOnce: an administrator fixes a file in one go, so every
// problem is reported, ordered by line, each with file:line in its text.
func TestAllProblemsAtOnce(t *testing.T) {
	src := `typo = 1
[[bank]]
name = "kb"
kind = "kb"
url = "http://bank.example"
client_id = "App-1"
client_secret = "env:X"
redirect_uri = "http://127.0.0.1:8751/cb"

[[route]]
name = "r1"
inbox = "in1"
outbox = "out1"
bank = "nobank"
settle = "quick"

[[route]]
name = "r1"
inbox = "in2"
outbox = "out2"
bank = "kb"
colour = "red"
max_file_size = "huge"
`
	_, file, err := parse(t, src)
	got := render(t, file, err)
	want := []string{
		"1 typo: unknown key",
		`5 bank[0].url: "http://bank.example": plain http is allowed only to loopback addresses; use https://`,
		`14 route[0].bank: no [[bank]] is named "nobank"`,
		`15 route[0].settle: "quick" is not a duration such as 30s or 15m`,
		`18 route[1].name: route "r1" is defined twice`,
		"22 route[1].colour: unknown key",
		`23 route[1].max_file_size: not a size such as "100MB", "512KiB" or a number of bytes above 0`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n got  %q\n want %q", got, want)
	}
	if !strings.Contains(err.Error(), file+":14: route[0].bank: ") {
		t.Errorf("Error() lacks file:line: key: %s", err)
	}
	if n := strings.Count(err.Error(), "\n"); n != len(want)-1 {
		t.Errorf("Error() has %d lines, want one per problem:\n%s", n+1, err)
	}
}

func TestDefaults(t *testing.T) {
	c, file, err := parse(t, base+`
[[route]]
name = "r2"
inbox = "/abs/in2"
outbox = "out2"
archive = "arch"
bank = "kb"
settle = "0s"
sweep = "0s"
ignore = []
`)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(file)
	r1, r2 := c.Routes[0], c.Routes[1]
	checks := []struct {
		name      string
		got, want any
	}{
		{"store.path", c.Store.Path, filepath.Join(dir, "var", "erpconnector.db")},
		{"admin.listen", c.Admin.Listen, "127.0.0.1:8750"},
		{"log", c.Log.Level + "/" + c.Log.Format, "info/text"},
		{"bank timeout", c.Banks[0].Timeout.Duration, 30 * time.Second},
		{"bank max_items", c.Banks[0].MaxItems, 100},
		{"bank processing_mode", c.Banks[0].ProcessingMode, "ONLINE"},
		{"r1 inbox", r1.Inbox, filepath.Join(dir, "in1")},
		{"r1 outbox", r1.Outbox, filepath.Join(dir, "out1")},
		{"r1 archive", r1.Archive, filepath.Join(dir, "in1", "archive")},
		{"r1 error", r1.Error, filepath.Join(dir, "in1", "error")},
		{"r1 settle", r1.Settle.Duration, 2 * time.Second},
		{"r1 sweep", r1.Sweep.Duration, 30 * time.Second},
		{"r1 ignore", strings.Join(r1.Ignore, " "), "*.tmp *.part ~* .*"},
		{"r1 format", r1.Format, "auto"},
		{"r1 encoding", r1.Encoding, "windows-1250"},
		{"r1 status", strings.Join(r1.Status, ","), "pain.002"},
		{"r1 status_files", r1.StatusFiles, "every"},
		{"r1 pain002", r1.Pain002Version, "03"},
		{"r1 past_dates", r1.PastDates, "reject"},
		{"r1 max_file_size", int64(r1.MaxFileSize), int64(100e6)},
		{"r2 inbox stays absolute", r2.Inbox, filepath.FromSlash("/abs/in2")},
		{"r2 archive relative to config", r2.Archive, filepath.Join(dir, "arch")},
		{"r2 error under absolute inbox", r2.Error, filepath.Join(filepath.FromSlash("/abs/in2"), "error")},
		// settle = "0s" is a choice (take files at first sight), not "unset".
		{"r2 settle 0s stays zero", r2.Settle.Duration, time.Duration(0)},
		// A zero sweep would spin; it falls back to the default.
		{"r2 sweep 0s defaults", r2.Sweep.Duration, 30 * time.Second},
		{"r2 ignore [] stays empty", len(r2.Ignore), 0},
	}
	if runtime.GOOS == "windows" {
		checks = slices.DeleteFunc(checks, func(c struct {
			name      string
			got, want any
		}) bool {
			return strings.HasPrefix(c.name, "r2 inbox") || strings.HasPrefix(c.name, "r2 error")
		})
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

// TestLoadRelativeToConfigFile: a service starts in another folder (System32),
// so relative paths follow the config file, not the working directory.
func TestLoadRelativeToConfigFile(t *testing.T) {
	root := t.TempDir()
	cfgDir := filepath.Join(root, "etc")
	work := filepath.Join(root, "work")
	for _, d := range []string{cfgDir, work} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	src := base + "[store]\npath = \"data/store.db\"\n"
	if err := os.WriteFile(filepath.Join(cfgDir, "c.toml"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	c, err := Load(filepath.Join("..", "etc", "c.toml"))
	if err != nil {
		t.Fatal(err)
	}
	realRoot, _ := filepath.EvalSymlinks(root)
	gotRoot, _ := filepath.EvalSymlinks(filepath.Dir(c.Dir))
	if gotRoot != realRoot || filepath.Base(c.Dir) != "etc" || !filepath.IsAbs(c.File) {
		t.Errorf("File %q Dir %q, want under %q/etc", c.File, c.Dir, root)
	}
	if want := filepath.Join(c.Dir, "data", "store.db"); c.Store.Path != want {
		t.Errorf("store.path = %q, want %q", c.Store.Path, want)
	}
	if want := filepath.Join(c.Dir, "in1"); c.Routes[0].Inbox != want {
		t.Errorf("inbox = %q, want %q", c.Routes[0].Inbox, want)
	}
	if _, err := Load(filepath.Join(root, "missing.toml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file: %v, want ErrNotExist", err)
	}
}

func TestSize(t *testing.T) {
	cases := []struct {
		in   string // the TOML value as written
		want int64  // -1: refused
	}{
		{`"100MB"`, 100e6},
		{`"512KiB"`, 512 << 10},
		{`"1 GiB"`, 1 << 30},
		{`"2GB"`, 2e9},
		{`"3MiB"`, 3 << 20},
		{`"10B"`, 10},
		{`"4096"`, 4096},
		{`4096`, 4096},
		{`"0"`, -1},
		{`0`, -1},
		{`-5`, -1},
		{`"-5MB"`, -1},
		{`"1.5MB"`, -1},
		{`"MB"`, -1},
		{`"100mb"`, -1},
		{`"9999999999GB"`, -1},
		{`1.5`, -1},
		{`true`, -1},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			src := strings.Replace(base, `bank = "kb"`+"\n", "bank = \"kb\"\nmax_file_size = "+tc.in+"\n", 1)
			c, _, err := parse(t, src)
			if tc.want < 0 {
				if err == nil || !strings.Contains(err.Error(), "route[0].max_file_size: not a size") {
					t.Fatalf("%s accepted (%d), err %v", tc.in, c.Routes[0].MaxFileSize, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := int64(c.Routes[0].MaxFileSize); got != tc.want {
				t.Errorf("%s = %d, want %d", tc.in, got, tc.want)
			}
		})
	}
}

func TestDuration(t *testing.T) {
	cases := []struct {
		in   string
		want time.Duration
		err  string
	}{
		{`"30s"`, 30 * time.Second, ""},
		{`"15m"`, 15 * time.Minute, ""},
		{`"1h30m"`, 90 * time.Minute, ""},
		{`"250ms"`, 250 * time.Millisecond, ""},
		{`"0s"`, 0, ""},
		{`"30"`, 0, `"30" is not a duration such as 30s or 15m`},
		{`"-2s"`, 0, `"-2s": negative duration`},
		{`30`, 0, `30 is not a duration such as "30s" or "15m" (a quoted string with a unit)`},
		{`[1]`, 0, `[1] is not a duration such as "30s" or "15m" (a quoted string with a unit)`},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			src := strings.Replace(base, `bank = "kb"`+"\n", "bank = \"kb\"\nsettle = "+tc.in+"\n", 1)
			c, file, err := parse(t, src)
			if tc.err != "" {
				want := fmt.Sprintf("%d route[0].settle: %s", lineOf(t, src, "settle"), tc.err)
				if got := render(t, file, err); !slices.Equal(got, []string{want}) {
					t.Errorf("got %q, want %q", got, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Routes[0].Settle.Duration; got != tc.want {
				t.Errorf("%s = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	cases := []struct {
		e    Error
		want string
	}{
		{Error{File: "/c.toml", Line: 3, Key: "route[0].bank", Msg: "missing"}, "/c.toml:3: route[0].bank: missing"},
		{Error{File: "/c.toml", Key: "x", Msg: "unknown key"}, "/c.toml: x: unknown key"},
		{Error{File: "/c.toml", Line: 7, Msg: "bad"}, "/c.toml:7: bad"},
	}
	for _, tc := range cases {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}
