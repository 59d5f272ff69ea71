package main

// SFTP end to end, against a real OpenSSH sshd on loopback: the ERP's files
// are taken from an inbox on the server, claimed by renaming them into
// processing/, archived on the server; status files and statements are
// uploaded to outboxes on the server. With a proxy in between, connections
// are cut again and again (mid-listing, mid-download, mid-upload) and the
// server is restarted: nothing may be lost or sent twice.

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"erpconnector/internal/testenv"
)

type sftpEnv struct {
	*env
	sshd    *testenv.SSHD
	proxy   *testenv.Proxy
	stmtOut string
	admin   string // the daemon's admin address
}

// newSFTPEnv is newEnv with the route's inbox and outbox and a statement
// outbox on the sshd (through a proxy the test controls). Paths on the server
// are paths on this machine, so the env's helpers read them directly.
func newSFTPEnv(t *testing.T, s *sim, routeExtra string) *sftpEnv {
	t.Helper()
	sshd := testenv.StartSSHD(t)
	proxy := testenv.StartProxy(t, sshd.Addr)
	e := newEnv(t, s, routeExtra)
	se := &sftpEnv{env: e, sshd: sshd, proxy: proxy, stmtOut: filepath.Join(e.dir, "stmt")}
	_, port, _ := strings.Cut(proxy.Addr, ":")
	base := fmt.Sprintf("sftp://%s@127.0.0.1:%s", sshd.User, port)
	cfg, err := os.ReadFile(e.config)
	if err != nil {
		t.Fatal(err)
	}
	se.admin = fmt.Sprintf("127.0.0.1:%d", freePort(t))
	c := strings.Replace(string(cfg), `listen = "off"`, fmt.Sprintf(`listen = %q`, se.admin), 1)
	c = strings.Replace(c, `inbox = "in"`, fmt.Sprintf(`inbox = %q`, base+e.inbox), 1)
	c = strings.Replace(c, `outbox = "out"`, fmt.Sprintf(`outbox = %q`, base+e.outbox), 1)
	c += fmt.Sprintf(`
[[sftp]]
host = "127.0.0.1"
port = %s
user = %q
known_hosts = %q
private_key = "file:%s"
timeout = "5s"

[[statement]]
bank = "dk"
account = "52470021527478"
every = "1s"
formats = ["camt.053", "csv"]
empty_files = true
outbox = %q
`, port, sshd.User, sshd.KnownHostsFor(t, proxy.Addr), sshd.KeyFile, base+se.stmtOut)
	if err := os.WriteFile(e.config, []byte(c), 0o600); err != nil {
		t.Fatal(err)
	}
	return se
}

// archived lists the files archived on the server.
func (e *env) archived() map[string]bool {
	out := map[string]bool{}
	filepath.Walk(filepath.Join(e.inbox, "archive"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			out[filepath.Base(p)] = true
		}
		return nil
	})
	return out
}

func TestSFTPEndToEnd(t *testing.T) {
	s := startSim(t)
	e := newSFTPEnv(t, s, "")
	e.start()
	e.drop("payments.xml", sample(t, "dk-payments.xml"))
	e.drop("bad.xml", []byte("<Document>not a payment file"))
	waitFor(t, "payments at the bank, via the SFTP inbox", 60*time.Second, e.atBank)
	waitFor(t, "both files archived or rejected on the server", 30*time.Second, func() bool {
		_, err := os.Stat(filepath.Join(e.inbox, "error", "bad.xml.error.txt"))
		return e.archived()["payments.xml"] && err == nil
	})
	waitFor(t, "statements uploaded", 60*time.Second, func() bool {
		m, _ := filepath.Glob(filepath.Join(e.stmtOut, "*.xml"))
		c, _ := filepath.Glob(filepath.Join(e.stmtOut, "*.csv"))
		return len(m) > 0 && len(c) > 0
	})
	exactlyOnce(t, s.ledger(t), sampleXMLIDs...)
	if left, _ := os.ReadDir(filepath.Join(e.inbox, "processing")); len(left) != 0 {
		t.Errorf("left in processing: %v", left)
	}
	for _, kind := range []string{"pain002.xml", "csv", "json"} {
		if len(e.statusFiles("payments.")) == 0 || len(e.statusFiles(kind)) == 0 {
			t.Errorf("no %s status file uploaded: %v", kind, e.statusFiles(""))
		}
	}
	rep, _ := os.ReadFile(filepath.Join(e.inbox, "error", "bad.xml.error.txt"))
	if !strings.Contains(string(rep), "bad.xml") {
		t.Errorf("error report on the server does not name the file:\n%s", rep)
	}
	// One connection for the inbox, the outbox, the archive and the
	// statements (servers punish churn), and /metrics says so.
	if n := strings.Count(e.sshd.Log(), "Accepted publickey"); n != 1 {
		t.Errorf("%d SSH logins; want 1 shared connection", n)
	}
	resp, err := http.Get("http://" + e.admin + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	server := fmt.Sprintf(`server="sftp://%s@%s"`, e.sshd.User, e.proxy.Addr)
	for _, want := range []string{"erpconnector_sftp_connected{" + server + "} 1", "erpconnector_sftp_dials_total{" + server + "} 1"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	e.checkOutbox()
	stmts, _ := filepath.Glob(filepath.Join(e.stmtOut, "*.xml"))
	for _, p := range stmts {
		b, _ := os.ReadFile(p)
		testenv.ValidateXSD(t, "camt.053.001.02.xsd", b)
	}
	if left, _ := filepath.Glob(filepath.Join(e.stmtOut, ".*")); len(left) != 0 {
		t.Errorf("temporary uploads left in the statement outbox: %v", left)
	}
	ids, _ := csvEntries(t, e.stmtOut)
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Errorf("statement entry %s appears twice", id)
		}
		seen[id] = true
	}
}

// TestSFTPFaults: files keep arriving while the proxy cuts connections at
// random moments and bytes (mid-listing, mid-download, mid-upload), the
// server restarts, and the daemon is SIGKILLed once. At the end every valid
// payment is at the bank exactly once and every file is accounted for.
func TestSFTPFaults(t *testing.T) {
	rounds := 20
	if v, err := strconv.Atoi(os.Getenv("ERPCONNECTOR_SFTP_FAULT_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	seed := time.Now().UnixNano()
	if v, err := strconv.ParseInt(os.Getenv("ERPCONNECTOR_SFTP_FAULT_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("sftp faults: %d rounds (seed %d)", rounds, seed)
	r := rand.New(rand.NewPCG(uint64(seed), 2))
	s := startSim(t)
	e := newSFTPEnv(t, s, "")
	cfg, _ := os.ReadFile(e.config)
	os.WriteFile(e.config, []byte(strings.Replace(string(cfg), `settle = "300ms"`, `settle = "0s"`, 1)), 0o600)
	e.start()
	var valid []string
	files := map[string]bool{}
	faults := map[string]int{}
	for k := 0; k < rounds; k++ {
		for j := 0; j < 1+r.IntN(2); j++ {
			n := len(files) + 1
			name := fmt.Sprintf("s%03d.xml", n)
			prefix := fmt.Sprintf("S%d", n)
			// Some files are large enough for a cut to land mid-download.
			pays := 1 + r.IntN(3)
			if r.IntN(4) == 0 {
				pays = 50 + r.IntN(49) // crashFile amounts stay valid below 100
			}
			e.drop(name, crashFile(prefix, pays))
			files[name] = true
			for i := 0; i < pays; i++ {
				valid = append(valid, fmt.Sprintf("%s-%d", prefix, i))
			}
		}
		time.Sleep(time.Duration(r.IntN(400)) * time.Millisecond)
		switch x := r.IntN(10); {
		case x < 4:
			e.proxy.DropAll()
			faults["drop"]++
		case x < 7:
			// The next connections break after a few KiB either way.
			e.proxy.CutAfter(int64(2000+r.IntN(60000)), int64(2000+r.IntN(30000)))
			e.proxy.DropAll()
			time.Sleep(time.Duration(200+r.IntN(800)) * time.Millisecond)
			e.proxy.CutAfter(0, 0)
			faults["cut"]++
		case x == 7:
			e.proxy.Refuse(true)
			e.proxy.DropAll()
			time.Sleep(time.Duration(500+r.IntN(1000)) * time.Millisecond)
			e.proxy.Refuse(false)
			faults["down"]++
		case x == 8 && faults["restart"] == 0:
			e.sshd.Stop(t)
			time.Sleep(300 * time.Millisecond)
			e.sshd.Restart(t)
			faults["restart"]++
		case x == 9 && faults["kill"] == 0:
			e.kill()
			e.start()
			faults["kill"]++
		}
	}
	e.proxy.CutAfter(0, 0)
	e.proxy.Refuse(false)
	waitFor(t, "every valid payment at the bank", 120*time.Second, func() bool {
		l := s.ledger(t)
		for _, id := range valid {
			if l.Received("52470021527478", id) == 0 {
				return false
			}
		}
		return true
	})
	waitFor(t, "every file archived on the server", 60*time.Second, func() bool {
		a := e.archived()
		for name := range files {
			if !a[name] {
				return false
			}
		}
		return true
	})
	waitFor(t, "a status file for every file", 60*time.Second, func() bool {
		for name := range files {
			if len(e.statusFiles(strings.TrimSuffix(name, ".xml")+".")) == 0 {
				return false
			}
		}
		return true
	})
	e.stop()
	l := s.ledger(t)
	exactlyOnce(t, l, valid...)
	if len(l.Payments) != len(valid) {
		t.Errorf("the bank has %d payments, %d valid ones were dropped", len(l.Payments), len(valid))
	}
	for _, d := range []string{e.inbox, filepath.Join(e.inbox, "processing")} {
		if left, _ := filepath.Glob(filepath.Join(d, "*.xml")); len(left) != 0 {
			t.Errorf("left in %s: %v", d, left)
		}
	}
	t.Logf("sftp faults: %d files, %d payments sent once each, faults %v, proxy cuts %d, connections %d",
		len(files), len(l.Payments), faults, e.proxy.Cuts.Load(), e.proxy.Accepts.Load())
	e.checkOutbox()
}
