package daemon

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"erpconnector/connector/config"
	"erpconnector/connector/sandbox"
	"erpconnector/connector/sandbox/bisim"
)

// BenchmarkFiles drops b.N pain.001 files of 10 payments into one route and
// waits until every payment reached an in-process BankIntegration simulator:
// the daemon's cost per file, without process boundaries. (cmd/erpbench
// measures the real binary.)
// benchDaemon runs a daemon with one route to an in-process
// BankIntegration simulator; it returns the simulator and the config folder.
func benchDaemon(b *testing.B) (*bisim.Running, string) {
	sim, err := bisim.Start("127.0.0.1:0", withStep(sandbox.BIConfig()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sim.Close(context.Background()) })
	dir := b.TempDir()
	src := fmt.Sprintf(`
[store]
path = "store.db"
[admin]
listen = "off"
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
[[route]]
name = "r"
inbox = "in"
outbox = "out"
bank = "dk"
settle = "0s"
`, sim.URL, sandbox.BIERP)
	os.Setenv("BENCH_BI_KEY", sandbox.BIAPIKey)
	os.Setenv("BENCH_BI_CODE", "sandbox-5247")
	cfg, err := config.Parse(filepath.Join(dir, "c.toml"), []byte(src))
	if err != nil {
		b.Fatal(err)
	}
	d, err := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	b.Cleanup(func() { cancel(); <-done; d.Close() })

	return sim, dir
}

func BenchmarkFiles(b *testing.B) {
	sim, dir := benchDaemon(b)
	files := make([][]byte, b.N)
	for i := range files {
		files[i] = benchPain001(i, 10)
	}
	inbox := filepath.Join(dir, "in")
	os.MkdirAll(inbox, 0o750)
	b.ResetTimer()
	for i, c := range files {
		tmp := filepath.Join(dir, fmt.Sprintf(".f%d", i))
		os.WriteFile(tmp, c, 0o640)
		os.Rename(tmp, filepath.Join(inbox, fmt.Sprintf("f%06d.xml", i)))
	}
	for sim.Server.Stats().Payments < b.N*10 {
		time.Sleep(2 * time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "files/s")
}

func withStep(c bisim.Config) bisim.Config {
	c.StepAfter = time.Hour
	return c
}

var benchRun = time.Now().UnixNano() % 1e9

func benchPain001(f, n int) []byte {
	date := time.Now().AddDate(0, 0, 7).Format("2006-01-02")
	var s strings.Builder
	fmt.Fprintf(&s, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn>
<GrpHdr><MsgId>M%d</MsgId><CreDtTm>2026-01-01T00:00:00</CreDtTm><NbOfTxs>%d</NbOfTxs><InitgPty><Nm>B</Nm></InitgPty></GrpHdr>
<PmtInf><PmtInfId>P%d</PmtInfId><PmtMtd>TRF</PmtMtd><ReqdExctnDt>%s</ReqdExctnDt><Dbtr><Nm>B ApS</Nm></Dbtr>
<DbtrAcct><Id><IBAN>DK8152470021527478</IBAN></Id></DbtrAcct><DbtrAgt><FinInstnId><BIC>DABADKKK</BIC></FinInstnId></DbtrAgt>
`, f, n, f, date)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&s, `<CdtTrfTxInf><PmtId><EndToEndId>E%d-%d-%d</EndToEndId></PmtId><Amt><InstdAmt Ccy="DKK">%d.00</InstdAmt></Amt><Cdtr><Nm>L ApS</Nm></Cdtr><CdtrAcct><Id><IBAN>DK2280790000820049</IBAN></Id></CdtrAcct></CdtTrfTxInf>
`, benchRun, f, i, 10+i)
	}
	s.WriteString("</PmtInf></CstmrCdtTrfInitn></Document>\n")
	return []byte(s.String())
}

// BenchmarkBigFile plans and submits one file of 20,000 payments (40
// BankIntegration requests) per iteration; its memory profile shows what a
// large file costs.
func BenchmarkBigFile(b *testing.B) {
	sim, dir := benchDaemon(b)
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("BENCH_BIG_N")); err == nil {
		n = v
	}
	inbox := filepath.Join(dir, "in")
	os.MkdirAll(inbox, 0o750)
	var peak atomic.Uint64
	stopSampling := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-stopSampling:
				return
			case <-time.After(20 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
		}
	}()
	defer close(stopSampling)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := benchPain001(1_000_000+i, n)
		tmp := filepath.Join(dir, fmt.Sprintf(".big%d", i))
		os.WriteFile(tmp, c, 0o640)
		os.Rename(tmp, filepath.Join(inbox, fmt.Sprintf("big%d.xml", i)))
		for sim.Server.Stats().Payments < (i+1)*n {
			time.Sleep(5 * time.Millisecond)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "payments/s")
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MiB")
}
