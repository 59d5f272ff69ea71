package main

// The crash campaign: the daemon is killed with SIGKILL again and again — at
// random moments and at named failpoints — while files keep arriving (valid
// ones, invalid ones, duplicates), and restarted each time. At the end the
// bank must have every valid payment exactly once, every file must be
// accounted for (archived, rejected with a report, or reported duplicate),
// and every status file must be complete.
//
// ERPCONNECTOR_CRASH_KILLS sets the number of kills (default 50);
// ERPCONNECTOR_CRASH_SEED replays a campaign (the seed is logged).

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// crashFile is a pain.001 with n payments whose IDs start with prefix.
func crashFile(prefix string, n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn>
<GrpHdr><MsgId>%s</MsgId><CreDtTm>2026-01-01T00:00:00</CreDtTm><NbOfTxs>%d</NbOfTxs><InitgPty><Nm>Crash</Nm></InitgPty></GrpHdr>
<PmtInf><PmtInfId>%s</PmtInfId><PmtMtd>TRF</PmtMtd><ReqdExctnDt>%s</ReqdExctnDt><Dbtr><Nm>Crash ApS</Nm></Dbtr>
<DbtrAcct><Id><IBAN>DK8152470021527478</IBAN></Id></DbtrAcct><DbtrAgt><FinInstnId><BIC>DABADKKK</BIC></FinInstnId></DbtrAgt>
`, prefix, n, prefix, time.Now().AddDate(0, 0, 7).Format("2006-01-02"))
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `<CdtTrfTxInf><PmtId><InstrId>%s-%d</InstrId><EndToEndId>%s-%d</EndToEndId></PmtId><Amt><InstdAmt Ccy="DKK">%d.%02d</InstdAmt></Amt><Cdtr><Nm>Leverandoer ApS</Nm></Cdtr><CdtrAcct><Id><IBAN>DK2280790000820049</IBAN></Id></CdtrAcct></CdtTrfTxInf>
`, prefix, i, prefix, i, 10+i, i)
	}
	b.WriteString("</PmtInf></CstmrCdtTrfInitn></Document>\n")
	return []byte(b.String())
}

func TestCrashCampaign(t *testing.T) {
	kills := 50
	if v, err := strconv.Atoi(os.Getenv("ERPCONNECTOR_CRASH_KILLS")); err == nil && v > 0 {
		kills = v
	}
	seed := time.Now().UnixNano()
	if v, err := strconv.ParseInt(os.Getenv("ERPCONNECTOR_CRASH_SEED"), 10, 64); err == nil {
		seed = v // replay a failed campaign
	}
	r := rand.New(rand.NewPCG(uint64(seed), 1))
	t.Logf("crash campaign: %d kills (seed %d)", kills, seed)
	s := startSim(t)
	e := newEnv(t, s, "")
	cfg, _ := os.ReadFile(e.config)
	os.WriteFile(e.config, []byte(strings.Replace(string(cfg), `settle = "300ms"`, `settle = "0s"`, 1)), 0o600)

	var valid []string              // payment IDs that must reach the bank once
	dropped := map[string]string{}  // file name -> "valid", "invalid" or "duplicate"
	contents := map[string][]byte{} // for duplicates
	points := []string{"after-claim", "after-intent", "after-bank-call", "after-status-write"}
	n := 0
	for k := 0; k < kills; k++ {
		var fp []string
		if k%4 == 3 {
			fp = []string{"ERPCONNECTOR_FAILPOINT=" + points[r.IntN(len(points))] + ":" + strconv.Itoa(1+r.IntN(3))}
		}
		e.start(fp...)
		for j := 0; j < 1+r.IntN(2); j++ {
			n++
			name := fmt.Sprintf("c%03d.xml", n)
			switch x := r.IntN(10); {
			case x == 0: // invalid: wrong control count
				c := crashFile(fmt.Sprintf("BAD%d", n), 2)
				c = []byte(strings.Replace(string(c), "<NbOfTxs>2</NbOfTxs>", "<NbOfTxs>3</NbOfTxs>", 1))
				e.drop(name, c)
				dropped[name] = "invalid"
			case x == 1 && len(contents) > 0: // duplicate of an earlier valid file
				for _, c := range contents {
					e.drop(name, c)
					break
				}
				dropped[name] = "duplicate"
			default:
				prefix := fmt.Sprintf("C%d", n)
				pays := 1 + r.IntN(4)
				c := crashFile(prefix, pays)
				e.drop(name, c)
				contents[name] = c
				dropped[name] = "valid"
				for i := 0; i < pays; i++ {
					valid = append(valid, fmt.Sprintf("%s-%d", prefix, i))
				}
			}
		}
		if fp != nil {
			select {
			case <-e.exited:
				e.cmd = nil
			case <-time.After(time.Duration(300+r.IntN(700)) * time.Millisecond):
				e.kill()
			}
		} else {
			time.Sleep(time.Duration(r.IntN(600)) * time.Millisecond)
			e.kill()
		}
	}
	e.start()
	waitFor(t, "every valid payment at the bank", 120*time.Second, func() bool {
		l := s.ledger(t)
		for _, id := range valid {
			if l.Received("52470021527478", id) == 0 {
				return false
			}
		}
		return true
	})
	waitFor(t, "the inbox empty", 60*time.Second, func() bool {
		left, _ := filepath.Glob(filepath.Join(e.inbox, "*.xml"))
		return len(left) == 0
	})
	time.Sleep(time.Second)
	e.stop()

	l := s.ledger(t)
	exactlyOnce(t, l, valid...)
	if len(l.Payments) != len(valid) {
		t.Errorf("the bank has %d payments, %d valid ones were dropped", len(l.Payments), len(valid))
	}
	archived := map[string]bool{}
	filepath.Walk(filepath.Join(e.inbox, "archive"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			archived[filepath.Base(p)] = true
		}
		return nil
	})
	outcome := map[string]int{}
	for name, kind := range dropped {
		_, rejErr := os.Stat(filepath.Join(e.inbox, "error", name+".error.txt"))
		switch {
		case kind == "invalid" && rejErr != nil:
			t.Errorf("%s (invalid) has no error report", name)
		case kind != "invalid" && !archived[name]:
			t.Errorf("%s (%s) is not archived", name, kind)
		}
		outcome[kind]++
	}
	dups := 0
	for _, f := range e.statusFiles("duplicate.json") {
		_ = f
		dups++
	}
	if dups < outcome["duplicate"] {
		t.Errorf("%d duplicate files, %d duplicate status files", outcome["duplicate"], dups)
		for name, kind := range dropped {
			if kind == "duplicate" {
				t.Logf("%s: status files %v", name, e.statusFiles(strings.TrimSuffix(name, ".xml")+"."))
			}
		}
		out, _ := exec.Command(binary(t), "status", "--config", e.config, "-n", "200").CombinedOutput()
		t.Logf("status:\n%s", out)
	}
	t.Logf("crash campaign: %d kills, %d files (%v), %d payments sent, 0 duplicates at the bank", kills, len(dropped), outcome, len(l.Payments))
	e.checkOutbox()
}
