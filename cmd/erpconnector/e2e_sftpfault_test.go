package main

// SFTP server classes and faults end to end: the real daemon against the
// in-memory SFTP server (testenv.MemSFTP), for what a real sshd cannot
// easily be made to do — delete files once read, refuse renames, run out of
// disk, refuse a listing. Each test asserts that every valid payment reached
// the bank exactly once and that every file is accounted for.

import (
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"erpconnector/internal/testenv"
)

// memEnv is a daemon whose route's inbox and outbox are on a MemSFTP.
type memEnv struct {
	*env
	srv     *testenv.MemSFTP
	in, out string // the folders on the server
	marker  string // the upload marker when the server refuses renames
}

// newMemEnv is newEnv with inbox and outbox on an in-memory SFTP server of
// the given class; sftpExtra goes into the [[sftp]] block.
func newMemEnv(t *testing.T, s *sim, opts testenv.MemSFTPOptions, sftpExtra string) *memEnv {
	t.Helper()
	opts.Dirs = append(opts.Dirs, "/erp/in", "/erp/out")
	srv := testenv.StartMemSFTP(t, opts)
	e := &memEnv{env: newEnv(t, s, ""), srv: srv, in: "/erp/in", out: "/erp/out"}
	if opts.NoRename {
		e.marker = ".done"
	}
	cfg, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	c := strings.Replace(string(cfg), `inbox = "in"`, fmt.Sprintf(`inbox = %q`, srv.URL(e.in)), 1)
	c = strings.Replace(c, `outbox = "out"`, fmt.Sprintf(`outbox = %q`, srv.URL(e.out)), 1)
	c += fmt.Sprintf(`
[[sftp]]
host = %q
port = %d
user = %q
known_hosts = %q
private_key = "file:%s"
timeout = "5s"
%s
`, srv.Host, srv.Port, srv.User, srv.KnownHosts, srv.KeyFile, sftpExtra)
	if err := os.WriteFile(e.config, []byte(c), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server inbox %q, outbox %q", srv.Files(e.in), srv.Files(e.out))
		}
	})
	return e
}

// drop puts a file into the inbox on the server, complete at once.
func (e *memEnv) drop(name string, content []byte) { e.srv.Put(path.Join(e.in, name), content) }

// memStatusFiles lists the status files in the outbox on the server whose
// names contain substr (not markers, not temporary uploads).
func (e *memEnv) memStatusFiles(substr string) []string {
	var out []string
	for _, n := range e.srv.List(e.out) {
		if strings.Contains(n, substr) && !strings.HasPrefix(n, ".") && (e.marker == "" || !strings.HasSuffix(n, e.marker)) {
			out = append(out, n)
		}
	}
	return out
}

func (e *memEnv) memReadStatus(name string) statusDoc {
	e.t.Helper()
	b, ok := e.srv.Get(path.Join(e.out, name))
	if !ok {
		e.t.Fatalf("%s vanished from the outbox", name)
	}
	var d statusDoc
	if err := json.Unmarshal(b, &d); err != nil {
		e.t.Fatalf("%s: %v\n%s", name, err, b)
	}
	return d
}

// memAtBank: a JSON status file of a file named prefix... says the bank
// has its payments. On a no-rename server only files with their marker count.
func (e *memEnv) memAtBank(prefix string) bool {
	for _, f := range e.memStatusFiles(".json") {
		if !strings.HasPrefix(f, prefix) || (e.marker != "" && !e.srv.Exists(path.Join(e.out, f+e.marker))) {
			continue
		}
		switch e.memReadStatus(f).State {
		case "accepted", "pending", "booked":
			return true
		}
	}
	return false
}

// memStatusName is NAME.F000001.001.state.kind.
var memStatusName = regexp.MustCompile(`^(.+)\.(F\d+)\.(\d{3})\.([a-z-]+)\.(pain002\.xml|csv|json)$`)

// memCheckOutbox stops the daemon, then checks every file in the outbox on
// the server: no temporary upload; every pain.002 valid against the XSD and
// every JSON parseable; each status change written as one complete set of
// pain.002, CSV and JSON with consecutive numbers per file (none missing,
// none twice); with markers, a marker for each file and nothing else.
// It returns the files' stems that got status files.
func (e *memEnv) memCheckOutbox() map[string]bool {
	e.t.Helper()
	e.stop()
	sets := map[string]map[string]int{} // "stem.F000001.001" → kind → count
	seqs := map[string][]string{}       // "stem.F000001" → "001"...
	stems := map[string]bool{}
	names := e.srv.List(e.out)
	for _, n := range names {
		p := path.Join(e.out, n)
		if strings.HasPrefix(n, ".") {
			e.t.Errorf("temporary upload left in the outbox: %s", n)
			continue
		}
		if e.marker != "" {
			if base, ok := strings.CutSuffix(n, e.marker); ok {
				if !slices.Contains(names, base) {
					e.t.Errorf("marker %s without its file", n)
				}
				continue
			}
			if !slices.Contains(names, n+e.marker) {
				e.t.Errorf("%s has no %s marker", n, e.marker)
			}
		}
		m := memStatusName.FindStringSubmatch(n)
		if m == nil {
			e.t.Errorf("unexpected file in the outbox: %s", n)
			continue
		}
		b, _ := e.srv.Get(p)
		switch m[5] {
		case "pain002.xml":
			testenv.ValidateXSD(e.t, "pain.002.001.03.xsd", b)
		case "json":
			e.memReadStatus(n)
		case "csv":
			if !strings.Contains(string(b), ";") {
				e.t.Errorf("%s is not a complete CSV status file:\n%s", n, b)
			}
		}
		// One set per status change: stem, file ID, number and state.
		set := m[1] + "." + m[2] + "." + m[3] + "." + m[4]
		if sets[set] == nil {
			sets[set] = map[string]int{}
			seqs[m[1]+"."+m[2]] = append(seqs[m[1]+"."+m[2]], m[3])
		}
		sets[set][m[5]]++
		stems[m[1]] = true
	}
	for set, kinds := range sets {
		if len(kinds) != 3 {
			e.t.Errorf("status %s is an incomplete set: %v", set, kinds)
		}
	}
	for file, ss := range seqs {
		slices.Sort(ss)
		for i, s := range ss {
			if want := fmt.Sprintf("%03d", i+1); s != want {
				e.t.Errorf("%s: status files numbered %v; want 001 up without gaps or repeats", file, ss)
				break
			}
		}
	}
	return stems
}

// memRunning fails the test if the daemon has exited.
func (e *memEnv) memRunning() {
	e.t.Helper()
	select {
	case err := <-e.exited:
		e.cmd = nil
		e.t.Fatalf("the daemon exited (%v)", err)
	default:
	}
}

// memQuiet restarts the daemon, gives it a few sweeps, and asserts that it
// took nothing again: no new status file, no new payment at the bank.
func (e *memEnv) memQuiet(s *sim) {
	e.t.Helper()
	// Let the files reach a state that lasts (pending: the samples are
	// dated ahead), so that a new status file after the restart could only
	// come from a file taken again.
	var before []string
	stable := time.Now()
	waitFor(e.t, "the outbox to stop changing", 20*time.Second, func() bool {
		if now := e.srv.Files(e.out); !slices.Equal(now, before) {
			before, stable = now, time.Now()
		}
		return time.Since(stable) > 1500*time.Millisecond
	})
	paid := len(s.ledger(e.t).Payments)
	e.stop()
	e.start()
	time.Sleep(3 * time.Second) // three sweeps
	e.memRunning()
	if after := e.srv.Files(e.out); !slices.Equal(before, after) {
		e.t.Errorf("the restart wrote status files again:\nbefore %q\nafter  %q", before, after)
	}
	if n := len(s.ledger(e.t).Payments); n != paid {
		e.t.Errorf("the bank has %d payments after the restart, %d before", n, paid)
	}
	if d := e.memStatusFiles("duplicate"); len(d) > 0 {
		e.t.Errorf("a file was taken twice: %v", d)
	}
}

// A read-once server (a mainframe queue): each file is read once, from
// processing/, and is gone afterwards; the payments reach the bank once;
// nothing is taken again after a restart.
func TestMemSFTPReadOnceServer(t *testing.T) {
	s := startSim(t)
	e := newMemEnv(t, s, testenv.MemSFTPOptions{ReadOnce: true}, "read_once = true")
	e.start()
	e.drop("payments.xml", sample(t, "dk-payments.xml"))
	e.drop("payments.csv", sample(t, "dk-payments.csv"))
	waitFor(t, "both files at the bank", 20*time.Second, func() bool {
		return e.memAtBank("payments.F000001.") && e.memAtBank("payments.F000002.")
	})
	for _, n := range []string{"payments.xml", "payments.csv"} {
		if r := e.srv.Reads(path.Join(e.in, "processing", n)); r != 1 {
			t.Errorf("%s opened %d times for reading on a read-once server", n, r)
		}
		if r := e.srv.Reads(path.Join(e.in, n)); r != 0 {
			t.Errorf("%s read before it was claimed into processing/", n)
		}
	}
	if left := e.srv.Files(e.in); len(left) != 0 {
		t.Errorf("left in the inbox: %q", left)
	}
	e.memQuiet(s)
	l := s.ledger(t)
	exactlyOnce(t, l, append(sampleXMLIDs, sampleCSVIDs...)...)
	if len(l.Payments) != 6 {
		t.Errorf("the bank has %d payments, want 6", len(l.Payments))
	}
	if stems := e.memCheckOutbox(); len(stems) != 1 || !stems["payments"] {
		t.Errorf("status files for %v", stems)
	}
	if n := len(e.memStatusFiles(".F000001.")) + len(e.memStatusFiles(".F000002.")); n == 0 || len(e.memStatusFiles(".F000003.")) > 0 {
		t.Errorf("status files %q", e.memStatusFiles(""))
	}
	if strings.Contains(e.log.String(), "file changed while being read") {
		t.Error("a read-once file was looked at again after it was read")
	}
}

// A server that refuses renames: files are taken in place, archived by a
// copy from the spool, then removed; status files are written under their
// names with a ".done" marker each; not one rename is asked for; a restart
// takes nothing again. A rejected file gets its error report the same way.
func TestMemSFTPNoRenameServer(t *testing.T) {
	s := startSim(t)
	e := newMemEnv(t, s, testenv.MemSFTPOptions{NoRename: true}, "rename = false")
	e.start()
	xml := sample(t, "dk-payments.xml")
	e.drop("payments.xml", xml)
	e.drop("bad.xml", []byte("<Document>not a payment file"))
	waitFor(t, "payments at the bank", 20*time.Second, func() bool { return e.memAtBank("payments.") })
	month := time.Now().Format("2006-01")
	archived := path.Join(e.in, "archive", month, "payments.xml")
	waitFor(t, "both files archived or rejected, and gone from the inbox", 20*time.Second, func() bool {
		return e.srv.Exists(archived+".done") && e.srv.Exists(path.Join(e.in, "error", "bad.xml.error.txt.done")) &&
			!e.srv.Exists(path.Join(e.in, "payments.xml")) && !e.srv.Exists(path.Join(e.in, "bad.xml"))
	})
	if b, _ := e.srv.Get(archived); string(b) != string(xml) {
		t.Errorf("the archived copy differs from what the ERP wrote (%d bytes of %d)", len(b), len(xml))
	}
	if rep, _ := e.srv.Get(path.Join(e.in, "error", "bad.xml.error.txt")); !strings.Contains(string(rep), "bad.xml") {
		t.Errorf("error report:\n%s", rep)
	}
	if b, _ := e.srv.Get(path.Join(e.in, "error", "bad.xml")); string(b) != "<Document>not a payment file" {
		t.Errorf("rejected file in error/: %q", b)
	}
	waitFor(t, "a rejected status for bad.xml", 10*time.Second, func() bool { return len(e.memStatusFiles("bad.F")) > 0 })
	e.memQuiet(s)
	if n := e.srv.Ops("Rename") + e.srv.Ops("PosixRename"); n != 0 {
		t.Errorf("%d renames asked of a server that refuses them", n)
	}
	exactlyOnce(t, s.ledger(t), sampleXMLIDs...)
	if n := len(s.ledger(t).Payments); n != 3 {
		t.Errorf("the bank has %d payments, want 3", n)
	}
	if stems := e.memCheckOutbox(); !stems["payments"] || !stems["bad"] || len(stems) != 2 {
		t.Errorf("status files for %v", stems)
	}
	if left := e.srv.List(e.in); slices.ContainsFunc(left, func(n string) bool { return !strings.HasSuffix(n, "/") }) {
		t.Errorf("left in the inbox: %q", left)
	}
}

// The outbox disk is full while status files are uploaded: the payments
// still go to the bank, the daemon keeps running and says why, and once
// there is space every status file appears, complete, and none twice.
func TestMemSFTPOutboxDiskFull(t *testing.T) {
	s := startSim(t)
	e := newMemEnv(t, s, testenv.MemSFTPOptions{}, "")
	e.drop("payments.xml", sample(t, "dk-payments.xml"))
	e.drop("payments.csv", sample(t, "dk-payments.csv"))
	// Room for some bytes only: uploads start, then fail mid-way.
	e.srv.SetQuota(e.srv.Used() + 3000)
	e.start()
	waitFor(t, "payments at the bank", 20*time.Second, func() bool {
		l := s.ledger(t)
		return l.Received("52470021527478", "INV-1003") > 0 && l.Received("52470021527478", "20103") > 0
	})
	waitFor(t, "the daemon to say the disk is full", 15*time.Second, func() bool {
		return strings.Contains(e.log.String(), "cannot write the status file") && strings.Contains(e.log.String(), "no space left")
	})
	time.Sleep(6 * time.Second) // at least one retry against the full disk
	e.memRunning()
	if e.memAtBank("") {
		t.Fatal("a complete status set appeared on a full disk")
	}
	if st := e.memStatusFiles(""); len(st) > 1 {
		// Each retry starts with the first kind; at most that one fits.
		t.Errorf("status files on a full disk: %q", st)
	}
	e.srv.SetQuota(0)
	waitFor(t, "status files once there is space", 20*time.Second, func() bool {
		return e.memAtBank("payments.F000001.") && e.memAtBank("payments.F000002.")
	})
	l := s.ledger(t)
	exactlyOnce(t, l, append(sampleXMLIDs, sampleCSVIDs...)...)
	if len(l.Payments) != 6 {
		t.Errorf("the bank has %d payments, want 6", len(l.Payments))
	}
	month := time.Now().Format("2006-01")
	for _, n := range []string{"payments.xml", "payments.csv"} {
		if !e.srv.Exists(path.Join(e.in, "archive", month, n)) {
			t.Errorf("%s not archived", n)
		}
	}
	e.memCheckOutbox()
}

// The inbox cannot be listed (permission denied): the daemon says so and
// keeps running; once the permission is back the file is taken, once.
func TestMemSFTPInboxPermissionDenied(t *testing.T) {
	s := startSim(t)
	e := newMemEnv(t, s, testenv.MemSFTPOptions{DenyRead: []string{"/erp/in"}}, "")
	e.drop("payments.xml", sample(t, "dk-payments.xml"))
	e.start()
	waitFor(t, "the daemon to say the inbox cannot be listed", 15*time.Second, func() bool {
		log := e.log.String()
		return strings.Contains(log, "inbox cannot be listed") && strings.Contains(log, "permission denied") && strings.Contains(log, "/erp/in")
	})
	time.Sleep(2 * time.Second) // two more sweeps against the refusal
	e.memRunning()
	if n := len(s.ledger(t).Payments); n != 0 {
		t.Fatalf("%d payments sent from an inbox that cannot be listed", n)
	}
	if !e.srv.Exists(path.Join(e.in, "payments.xml")) {
		t.Fatal("the file left the inbox although it could not be listed")
	}
	e.srv.SetDenyRead()
	waitFor(t, "the file taken once the permission is back", 20*time.Second, func() bool { return e.memAtBank("payments.") })
	waitFor(t, "the file archived", 10*time.Second, func() bool {
		return e.srv.Exists(path.Join(e.in, "archive", time.Now().Format("2006-01"), "payments.xml"))
	})
	e.memQuiet(s)
	exactlyOnce(t, s.ledger(t), sampleXMLIDs...)
	if n := len(s.ledger(t).Payments); n != 3 {
		t.Errorf("the bank has %d payments, want 3", n)
	}
	if e.srv.Exists(path.Join(e.in, "payments.xml")) || len(e.srv.List(path.Join(e.in, "processing"))) != 0 {
		t.Errorf("left in the inbox: %q", e.srv.Files(e.in))
	}
	e.memCheckOutbox()
}

// A read-once server forgets a file as it is read: the daemon killed right
// after reading it (before the claim is recorded) must still send it, once,
// from its held copy.
func TestMemSFTPReadOnceCrashAfterRead(t *testing.T) {
	s := startSim(t)
	e := newMemEnv(t, s, testenv.MemSFTPOptions{ReadOnce: true}, "read_once = true")
	e.start("ERPCONNECTOR_FAILPOINT=after-hold")
	e.drop("payments.xml", sample(t, "dk-payments.xml"))
	e.waitExit(20 * time.Second)
	if e.srv.Exists(path.Join(e.in, "processing", "payments.xml")) || e.srv.Exists(path.Join(e.in, "payments.xml")) {
		t.Fatal("the read-once server still has the file: the test proves nothing")
	}
	e.start()
	waitFor(t, "the payments at the bank after the restart", 20*time.Second, func() bool { return e.memAtBank("payments.") })
	e.memQuiet(s)
	exactlyOnce(t, s.ledger(t), sampleXMLIDs...)
	if left, _ := filepath.Glob(filepath.Join(e.dir, "var", "spool", "held", "*", "*")); len(left) != 0 {
		t.Errorf("held copies left: %v", left)
	}
}
