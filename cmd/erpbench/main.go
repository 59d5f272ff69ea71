// Command erpbench measures erpconnector end to end on this machine and
// prints a table (and JSON with -json). Every figure comes with a baseline
// measured in the same run, so that the numbers mean something on any
// machine:
//
//   - throughput of the daemon (files/s, payments/s) against a bare client
//     that signs and posts the same requests to the same simulator directly;
//   - latency from a complete file in the inbox to its submission, p50/p99,
//     against the bare client's request latency;
//   - peak RSS of the daemon for small files and for one 100,000-payment file;
//   - idle CPU and RSS with ten routes watched.
//
// Run: go run ./cmd/erpbench [-quick] [-json]
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	bi "erpconnector/connector/bank/bankintegration"
	"erpconnector/connector/sandbox"
	"erpconnector/connector/sandbox/bisim"
	"erpconnector/formats"
	"erpconnector/formats/bijson"
	"erpconnector/formats/money"
)

type result struct {
	Name     string  `json:"name"`
	Value    float64 `json:"value"`
	Unit     string  `json:"unit"`
	Baseline float64 `json:"baseline,omitempty"`
	BaseName string  `json:"baseline_name,omitempty"`
	Ratio    float64 `json:"ratio,omitempty"` // value / baseline
}

type bench struct {
	bin     string
	work    string
	quick   bool
	results []result
	simURL  string
}

func main() {
	quick := flag.Bool("quick", false, "reduced sizes (about a minute)")
	asJSON := flag.Bool("json", false, "print JSON instead of a table")
	bin := flag.String("bin", "", "erpconnector binary (default: go build it)")
	flag.Parse()
	if runtime.GOOS == "windows" {
		fmt.Fprintln(os.Stderr, "erpbench reads /proc; run it on Linux")
		os.Exit(2)
	}
	work, err := os.MkdirTemp("", "erpbench-")
	check(err)
	defer os.RemoveAll(work)
	b := &bench{work: work, quick: *quick, bin: *bin}
	if b.bin == "" {
		b.bin = filepath.Join(work, "erpconnector")
		out, err := exec.Command("go", "build", "-o", b.bin, "./cmd/erpconnector").CombinedOutput()
		if err != nil {
			fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
			os.Exit(1)
		}
	}
	sim := b.startSim()
	defer sim.Process.Signal(syscall.SIGTERM)

	files, perFile, big, latencyFiles, idle := 1000, 10, 100000, 200, 30*time.Second
	if b.quick {
		files, big, latencyFiles, idle = 200, 10000, 50, 5*time.Second
	}
	base := b.baseline(200, perFile)
	b.throughput(files, perFile, base)
	b.latency(latencyFiles, perFile, base)
	b.bigFile(big)
	b.idle(10, idle)

	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(map[string]any{"machine": machine(), "quick": b.quick, "results": b.results})
		return
	}
	fmt.Printf("erpbench on %s\n\n", machine())
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MEASURE\tVALUE\tBASELINE (same run)\tRATIO")
	for _, r := range b.results {
		basel, ratio := "", ""
		if r.BaseName != "" {
			basel = fmt.Sprintf("%s %s (%s)", fmtNum(r.Baseline), r.Unit, r.BaseName)
			ratio = fmt.Sprintf("%.2f", r.Ratio)
		}
		fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\n", r.Name, fmtNum(r.Value), r.Unit, basel, ratio)
	}
	tw.Flush()
}

func (b *bench) add(name string, v float64, unit string, base float64, baseName string) {
	r := result{Name: name, Value: v, Unit: unit}
	if baseName != "" && base != 0 {
		r.Baseline, r.BaseName, r.Ratio = base, baseName, v/base
	}
	b.results = append(b.results, r)
	fmt.Fprintf(os.Stderr, "  %s: %s %s\n", name, fmtNum(v), unit)
}

func (b *bench) startSim() *exec.Cmd {
	cmd := exec.Command(b.bin, "sandbox", "--listen", "127.0.0.1:0", "--step", "1h")
	out, err := cmd.StdoutPipe()
	check(err)
	check(cmd.Start())
	sc := bufio.NewScanner(out)
	sc.Scan()
	line := sc.Text()
	b.simURL = strings.TrimSpace(line[strings.Index(line, "http://"):])
	go io.Copy(io.Discard, out)
	return cmd
}

func (b *bench) resetSim() {
	resp, err := http.Post(b.simURL+"/_sim/reset", "application/json", strings.NewReader("{}"))
	check(err)
	resp.Body.Close()
}

func (b *bench) stats() bisim.Stats {
	resp, err := http.Get(b.simURL + "/_sim/stats")
	check(err)
	defer resp.Body.Close()
	var s bisim.Stats
	check(json.NewDecoder(resp.Body).Decode(&s))
	return s
}

var runID = strconv.FormatInt(time.Now().Unix()%1e6, 36)

// payments builds n payments for file number f.
func payments(f, n int) []*formats.Payment {
	date := formats.DateOf(time.Now().AddDate(0, 0, 7))
	out := make([]*formats.Payment, n)
	for i := range out {
		out[i] = &formats.Payment{
			Index: i, InstructionID: fmt.Sprintf("B%s-%d-%d", runID, f, i),
			Amount:          money.Amount{Minor: int64(1000 + i), Currency: "DKK"},
			RequestedDate:   date,
			DebtorAccount:   formats.Account{Number: "52470021527478", Country: "DK"},
			Creditor:        formats.Party{Name: "Leverandør ApS"},
			CreditorAccount: formats.Account{Number: "80790000820049", Country: "DK"},
			Remittance:      formats.Remittance{Unstructured: fmt.Sprintf("Faktura %d-%d", f, i)},
		}
	}
	return out
}

// baseline signs and posts requests of perReq payments directly, one after
// another: what the simulator and the network allow without erpconnector.
func (b *bench) baseline(reqs, perReq int) (base struct{ reqPerSec, p50ms float64 }) {
	fmt.Fprintln(os.Stderr, "baseline: bare client")
	b.resetSim()
	cl := &bi.Client{BaseURL: b.simURL, HTTP: &http.Client{Timeout: 30 * time.Second}, ERP: sandbox.BIERP, APIKey: sandbox.BIAPIKey,
		Codes: map[string]string{"52470021527478": "sandbox-5247"}}
	var lat []time.Duration
	start := time.Now()
	for r := 0; r < reqs; r++ {
		enc := bijson.NewEncoder(bijson.Source{SHA256: sha256.Sum256([]byte(fmt.Sprint("base", runID, r))), Name: "base"}, bijson.DefaultOptions(sandbox.BIERP))
		for _, p := range payments(1_000_000+r, perReq) {
			if probs := enc.Add(p); len(probs) > 0 {
				panic(fmt.Sprint(probs))
			}
		}
		q := enc.Requests()[0]
		t0 := time.Now()
		_, err := cl.Submit(context.Background(), q.DebtorAccount, q.RequestID, q.Body, q.Hash)
		check(err)
		lat = append(lat, time.Since(t0))
	}
	el := time.Since(start)
	base.reqPerSec = float64(reqs) / el.Seconds()
	base.p50ms = percentile(lat, 50).Seconds() * 1000
	b.add("bare client: requests/s (10 payments each)", base.reqPerSec, "req/s", 0, "")
	b.add("bare client: request latency p50", base.p50ms, "ms", 0, "")
	return base
}

// daemon is one running erpconnector.
type daemon struct {
	cmd   *exec.Cmd
	dir   string
	inbox []string
}

func (b *bench) startDaemon(name string, routes int, settle string) *daemon {
	dir := filepath.Join(b.work, name)
	check(os.MkdirAll(dir, 0o700))
	var cfg strings.Builder
	fmt.Fprintf(&cfg, `[store]
path = "store.db"
[admin]
listen = "off"
[log]
level = "warn"
[[bank]]
name = "dk"
kind = "bankintegration"
url = %q
erp = %q
api_key = "env:BENCH_BI_KEY"
poll_every = "1h"
  [[bank.account]]
  number = "52470021527478"
  integration_code = "env:BENCH_BI_CODE"
`, b.simURL, sandbox.BIERP)
	d := &daemon{dir: dir}
	for i := 0; i < routes; i++ {
		fmt.Fprintf(&cfg, `[[route]]
name = "r%d"
inbox = "in%d"
outbox = "out%d"
bank = "dk"
settle = %q
sweep = "30s"
`, i, i, i, settle)
		d.inbox = append(d.inbox, filepath.Join(dir, fmt.Sprintf("in%d", i)))
		check(os.MkdirAll(d.inbox[i], 0o750))
	}
	cfgPath := filepath.Join(dir, "erpconnector.toml")
	check(os.WriteFile(cfgPath, []byte(cfg.String()), 0o600))
	d.cmd = exec.Command(b.bin, "run", "--config", cfgPath)
	d.cmd.Env = append(os.Environ(), "BENCH_BI_KEY="+sandbox.BIAPIKey, "BENCH_BI_CODE=sandbox-5247")
	d.cmd.Stderr = os.Stderr
	check(d.cmd.Start())
	time.Sleep(500 * time.Millisecond)
	return d
}

func (d *daemon) stop() {
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.cmd.Wait()
}

// proc reads VmHWM (peak RSS) and VmRSS in KiB, and CPU seconds used.
func (d *daemon) proc() (hwmKiB, rssKiB float64, cpu time.Duration) {
	pid := d.cmd.Process.Pid
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			f := strings.Fields(l)
			if len(f) >= 2 && f[0] == "VmHWM:" {
				hwmKiB, _ = strconv.ParseFloat(f[1], 64)
			}
			if len(f) >= 2 && f[0] == "VmRSS:" {
				rssKiB, _ = strconv.ParseFloat(f[1], 64)
			}
		}
	}
	if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); err == nil {
		s := string(b)
		f := strings.Fields(s[strings.LastIndex(s, ")")+2:])
		ut, _ := strconv.ParseInt(f[11], 10, 64)
		st, _ := strconv.ParseInt(f[12], 10, 64)
		cpu = time.Duration(ut+st) * time.Second / 100 // USER_HZ is 100 on Linux
	}
	return
}

// pain001 writes a pain.001.001.03 file of the given payments.
func pain001(f int, ps []*formats.Payment) []byte {
	var b bytes.Buffer
	var sum money.Sum
	for _, p := range ps {
		sum.Add(p.Amount.Dec())
	}
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn>
<GrpHdr><MsgId>BENCH-%s-%d</MsgId><CreDtTm>2026-01-01T00:00:00</CreDtTm><NbOfTxs>%d</NbOfTxs><CtrlSum>%s</CtrlSum><InitgPty><Nm>Bench</Nm></InitgPty></GrpHdr>
<PmtInf><PmtInfId>P%d</PmtInfId><PmtMtd>TRF</PmtMtd><ReqdExctnDt>%s</ReqdExctnDt><Dbtr><Nm>Bench ApS</Nm></Dbtr>
<DbtrAcct><Id><IBAN>DK8152470021527478</IBAN></Id></DbtrAcct><DbtrAgt><FinInstnId><BIC>DABADKKK</BIC></FinInstnId></DbtrAgt>
`, runID, f, len(ps), sum.String(), f, ps[0].RequestedDate)
	for _, p := range ps {
		fmt.Fprintf(&b, `<CdtTrfTxInf><PmtId><InstrId>%s</InstrId><EndToEndId>%s</EndToEndId></PmtId><Amt><InstdAmt Ccy="DKK">%s</InstdAmt></Amt><Cdtr><Nm>Leverandoer ApS</Nm></Cdtr><CdtrAcct><Id><IBAN>DK2280790000820049</IBAN></Id></CdtrAcct><RmtInf><Ustrd>%s</Ustrd></RmtInf></CdtTrfTxInf>
`, p.InstructionID, p.InstructionID, p.Amount.Decimal(), p.Remittance.Unstructured)
	}
	b.WriteString("</PmtInf></CstmrCdtTrfInitn></Document>\n")
	return b.Bytes()
}

// drop writes content beside the inbox and renames it in: a complete file
// appears at once, as a careful ERP delivers it.
func drop(inbox, name string, content []byte) time.Time {
	tmp := filepath.Join(filepath.Dir(inbox), "."+name)
	check(os.WriteFile(tmp, content, 0o640))
	check(os.Rename(tmp, filepath.Join(inbox, name)))
	return time.Now()
}

func (b *bench) waitPayments(n int, timeout time.Duration) bisim.Stats {
	deadline := time.Now().Add(timeout)
	for {
		s := b.stats()
		if s.Payments >= n || time.Now().After(deadline) {
			if s.Payments < n {
				fmt.Fprintf(os.Stderr, "timed out: %d of %d payments at the bank\n", s.Payments, n)
			}
			return s
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (b *bench) throughput(files, perFile int, base struct{ reqPerSec, p50ms float64 }) {
	fmt.Fprintf(os.Stderr, "throughput: %d files of %d payments\n", files, perFile)
	b.resetSim()
	d := b.startDaemon("throughput", 1, "0s")
	defer d.stop()
	contents := make([][]byte, files)
	for f := range contents {
		contents[f] = pain001(f, payments(f, perFile))
	}
	start := time.Now()
	for f, c := range contents {
		drop(d.inbox[0], fmt.Sprintf("t%05d.xml", f), c)
	}
	s := b.waitPayments(files*perFile, 10*time.Minute)
	el := s.Last.Sub(start).Seconds()
	hwm, _, _ := d.proc()
	b.add("daemon: files/s (drop to submission)", float64(files)/el, "files/s", base.reqPerSec, "bare client req/s")
	b.add("daemon: payments/s (small files)", float64(files*perFile)/el, "payments/s", base.reqPerSec*float64(perFile), "bare client payments/s")
	b.add("daemon: duplicates at the bank", float64(s.Duplicates), "", 0, "")
	b.add("daemon: peak RSS, small files", hwm/1024, "MiB", 0, "")
}

func (b *bench) latency(files, perFile int, base struct{ reqPerSec, p50ms float64 }) {
	fmt.Fprintf(os.Stderr, "latency: %d files, one every 50ms, settle 0\n", files)
	b.resetSim()
	d := b.startDaemon("latency", 1, "0s")
	defer d.stop()
	dropped := map[string]time.Time{}
	for f := 0; f < files; f++ {
		ps := payments(2_000_000+f, perFile)
		dropped[ps[0].InstructionID] = drop(d.inbox[0], fmt.Sprintf("l%05d.xml", f), pain001(2_000_000+f, ps))
		time.Sleep(50 * time.Millisecond)
	}
	b.waitPayments(files*perFile, 5*time.Minute)
	resp, err := http.Get(b.simURL + "/_sim/ledger")
	check(err)
	var l bisim.Ledger
	check(json.NewDecoder(resp.Body).Decode(&l))
	resp.Body.Close()
	var lat []time.Duration
	for _, p := range l.Payments {
		if t, ok := dropped[p.PaymentID]; ok && len(p.Receptions) > 0 {
			lat = append(lat, p.Receptions[0].At.Sub(t))
		}
	}
	b.add("latency complete file → submission p50", percentile(lat, 50).Seconds()*1000, "ms", base.p50ms, "bare request p50")
	b.add("latency complete file → submission p99", percentile(lat, 99).Seconds()*1000, "ms", base.p50ms, "bare request p50")
}

func (b *bench) bigFile(n int) {
	fmt.Fprintf(os.Stderr, "one file of %d payments\n", n)
	b.resetSim()
	d := b.startDaemon("big", 1, "0s")
	defer d.stop()
	content := pain001(3_000_000, payments(3_000_000, n))
	start := drop(d.inbox[0], "big.xml", content)
	s := b.waitPayments(n, 20*time.Minute)
	el := s.Last.Sub(start).Seconds()
	hwm, _, _ := d.proc()
	b.add(fmt.Sprintf("daemon: payments/s (one file of %d)", n), float64(n)/el, "payments/s", 0, "")
	b.add(fmt.Sprintf("daemon: peak RSS, one file of %d (%.0f MB)", n, float64(len(content))/1e6), hwm/1024, "MiB", 0, "")
}

func (b *bench) idle(routes int, d time.Duration) {
	fmt.Fprintf(os.Stderr, "idle: %d routes for %s\n", routes, d)
	dm := b.startDaemon("idle", routes, "2s")
	defer dm.stop()
	time.Sleep(2 * time.Second)
	_, _, c0 := dm.proc()
	t0 := time.Now()
	time.Sleep(d)
	_, rss, c1 := dm.proc()
	frac := (c1 - c0).Seconds() / time.Since(t0).Seconds()
	b.add(fmt.Sprintf("idle CPU, %d routes watched", routes), frac*100, "% of one core", 100, "one busy core")
	b.add(fmt.Sprintf("idle RSS, %d routes watched", routes), rss/1024, "MiB", 0, "")
}

func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := (len(s)*p + 99) / 100
	return s[min(max(i-1, 0), len(s)-1)]
}

func machine() string {
	model := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "model name") {
				model = strings.TrimSpace(l[strings.Index(l, ":")+1:])
				break
			}
		}
	}
	return fmt.Sprintf("%s, %d cores, %s %s/%s", model, runtime.NumCPU(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
}

func fmtNum(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 1, 64)
	}
	return strconv.FormatFloat(v, 'f', 3, 64)
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "erpbench:", err)
		os.Exit(1)
	}
}
