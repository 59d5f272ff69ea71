package bench

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"time"

	bi "erpconnector/connector/bank/bankintegration"
	"erpconnector/connector/sandbox"
	"erpconnector/formats/bijson"
)

// bare signs and posts requests of perReq payments directly, one after
// another: what the simulator and the loopback network allow without
// erpconnector. Its figures are the daemon sections' baselines.
func (b *bench) bare(ctx context.Context, reqs, perReq int) error {
	b.logf("baseline: bare client, %d requests of %d payments", reqs, perReq)
	if err := b.resetSim(ctx); err != nil {
		return err
	}
	cl := &bi.Client{BaseURL: b.simURL, HTTP: &http.Client{Timeout: 30 * time.Second}, ERP: sandbox.BIERP, APIKey: sandbox.BIAPIKey,
		Codes: map[string]string{debtorBBAN: debtorCode}}
	date := executionDate()
	lat := make([]time.Duration, 0, reqs)
	start := time.Now()
	for r := 0; r < reqs; r++ {
		f := 1_000_000 + r
		enc := bijson.NewEncoder(bijson.Source{SHA256: sha256.Sum256(fmt.Appendf(nil, "bare %s %d", b.runID, r)), Name: "bare"},
			bijson.DefaultOptions(sandbox.BIERP))
		for i := 0; i < perReq; i++ {
			if probs := enc.Add(b.payment(f, i, date)); len(probs) > 0 {
				return fmt.Errorf("bench: bare client payment %d-%d: %v", f, i, probs)
			}
		}
		qs := enc.Requests()
		if len(qs) != 1 {
			return fmt.Errorf("bench: bare client: %d payments made %d requests, want 1", perReq, len(qs))
		}
		q := qs[0]
		t0 := time.Now()
		if _, err := cl.Submit(ctx, q.DebtorAccount, q.RequestID, q.Body, q.Hash); err != nil {
			return fmt.Errorf("bench: bare client request %d: %w", r, err)
		}
		lat = append(lat, time.Since(t0))
	}
	var err error
	if b.bareReqPerSec, err = perSecond("bare client", reqs, time.Since(start)); err != nil {
		return err
	}
	b.bareP50ms = ms(percentile(lat, 50))
	b.add("bare.req_per_s", fmt.Sprintf("bare client: requests/s (%d payments each)", perReq), b.bareReqPerSec, "req/s")
	b.add("bare.latency_p50_ms", "bare client: request latency p50", b.bareP50ms, "ms")
	return nil
}

// throughput drops files small files at once and measures from the first
// drop to the last payment's arrival at the simulator.
func (b *bench) throughput(ctx context.Context, files, perFile int) (err error) {
	b.logf("throughput: %d files of %d payments", files, perFile)
	if err := b.resetSim(ctx); err != nil {
		return err
	}
	// Files are written before the daemon starts: the clock then measures
	// the daemon, not the generator.
	stage := filepath.Join(b.work, "throughput", "stage")
	names := make([]string, files)
	for f := range names {
		names[f] = fmt.Sprintf("t%05d.xml", f)
		if _, err := b.writeFile(filepath.Join(stage, names[f]), f, perFile); err != nil {
			return err
		}
	}
	d, err := b.startDaemon(ctx, "throughput", 1, "0s")
	if err != nil {
		return err
	}
	defer stopInto(d.proc, &err)
	start := time.Now()
	for _, n := range names {
		if err := os.Rename(filepath.Join(stage, n), filepath.Join(d.inbox[0], n)); err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	s, err := b.waitPayments(ctx, d.proc, files*perFile, 10*time.Minute)
	if err != nil {
		return err
	}
	el := s.Last.Sub(start)
	fps, err := perSecond("throughput", files, el)
	if err != nil {
		return err
	}
	pps, _ := perSecond("throughput", files*perFile, el)
	st, err := d.stats()
	if err != nil {
		return err
	}
	b.addVs("daemon.files_per_s", fmt.Sprintf("daemon: files/s, %d files of %d payments, drop → submission", files, perFile),
		fps, "files/s", Baseline{"bare client requests/s", b.bareReqPerSec, "req/s"})
	b.addVs("daemon.payments_per_s", "daemon: payments/s, small files",
		pps, "payments/s", Baseline{"bare client payments/s", b.bareReqPerSec * float64(perFile), "payments/s"})
	b.add("daemon.duplicates", "daemon: duplicates at the bank", float64(s.Duplicates), "")
	b.add("daemon.peak_rss_small_mib", "daemon: peak RSS, small files", st.peakRSSKiB/1024, "MiB")
	return nil
}

// latency drops one file every latencyGap, so that files do not queue behind
// each other, and measures each file's rename into the inbox to its first
// payment's arrival at the simulator.
func (b *bench) latency(ctx context.Context, files, perFile int) (err error) {
	b.logf("latency: %d files, one every %s, settle 0", files, latencyGap)
	if err := b.resetSim(ctx); err != nil {
		return err
	}
	d, err := b.startDaemon(ctx, "latency", 1, "0s")
	if err != nil {
		return err
	}
	defer stopInto(d.proc, &err)
	dropped := map[string]time.Time{}
	date := executionDate()
	for i := 0; i < files; i++ {
		f := 2_000_000 + i
		at, _, err := b.drop(d.inbox[0], fmt.Sprintf("l%05d.xml", i), f, perFile)
		if err != nil {
			return err
		}
		dropped[b.payment(f, 0, date).InstructionID] = at
		if err := sleep(ctx, latencyGap); err != nil {
			return err
		}
	}
	if _, err := b.waitPayments(ctx, d.proc, files*perFile, 5*time.Minute); err != nil {
		return err
	}
	l, err := b.simLedger(ctx)
	if err != nil {
		return err
	}
	var lat []time.Duration
	for _, p := range l.Payments {
		if t, ok := dropped[p.PaymentID]; ok && len(p.Receptions) > 0 {
			lat = append(lat, p.Receptions[0].At.Sub(t))
		}
	}
	if len(lat) != files {
		return fmt.Errorf("bench: latency: found %d of %d files' first payments in the ledger", len(lat), files)
	}
	base := Baseline{"bare request p50", b.bareP50ms, "ms"}
	b.addVs("latency.p50_ms", fmt.Sprintf("latency complete file → submission p50 (%d files)", files), ms(percentile(lat, 50)), "ms", base)
	b.addVs("latency.p99_ms", fmt.Sprintf("latency complete file → submission p99 (%d files)", files), ms(percentile(lat, 99)), "ms", base)
	return nil
}

// bigFile drops one file of n payments and reports the rate and the daemon's
// peak RSS.
func (b *bench) bigFile(ctx context.Context, n int) (err error) {
	b.logf("one file of %d payments", n)
	if err := b.resetSim(ctx); err != nil {
		return err
	}
	d, err := b.startDaemon(ctx, "big", 1, "0s")
	if err != nil {
		return err
	}
	defer stopInto(d.proc, &err)
	start, size, err := b.drop(d.inbox[0], "big.xml", 3_000_000, n)
	if err != nil {
		return err
	}
	s, err := b.waitPayments(ctx, d.proc, n, 20*time.Minute)
	if err != nil {
		return err
	}
	pps, err := perSecond("big file", n, s.Last.Sub(start))
	if err != nil {
		return err
	}
	st, err := d.stats()
	if err != nil {
		return err
	}
	b.add("big.payments_per_s", fmt.Sprintf("daemon: payments/s, one file of %d, drop → all submitted", n), pps, "payments/s")
	b.add("big.peak_rss_mib", fmt.Sprintf("daemon: peak RSS, one file of %d (%.0f MB)", n, float64(size)/1e6), st.peakRSSKiB/1024, "MiB")
	return nil
}

// idle watches routes empty inboxes for a while and reports the CPU share
// and the resident memory.
func (b *bench) idle(ctx context.Context, routes int, window time.Duration) (err error) {
	b.logf("idle: %d routes for %s", routes, window)
	d, err := b.startDaemon(ctx, "idle", routes, "2s")
	if err != nil {
		return err
	}
	defer stopInto(d.proc, &err)
	if err := sleep(ctx, 2*time.Second); err != nil { // past start-up and the first sweep
		return err
	}
	s0, err := d.stats()
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := sleep(ctx, window); err != nil {
		return err
	}
	s1, err := d.stats()
	if err != nil {
		return err
	}
	pct := (s1.cpu - s0.cpu).Seconds() / time.Since(t0).Seconds() * 100
	b.addVs("idle.cpu_pct", fmt.Sprintf("idle CPU, %d routes watched (%s)", routes, window), pct, "% of one core",
		Baseline{"one busy core", 100, "% of one core"})
	b.add("idle.rss_mib", fmt.Sprintf("idle RSS, %d routes watched", routes), s1.rssKiB/1024, "MiB")
	return nil
}

// stopInto stops p and adds its error, if any, to *err.
func stopInto(p *proc, err *error) {
	*err = errors.Join(*err, p.stop())
}

func ms(d time.Duration) float64 { return d.Seconds() * 1000 }

// percentile is the nearest-rank percentile p (1..100) of d.
func percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100 // ceil(len*p/100), the 1-based rank
	return s[min(max(i-1, 0), len(s)-1)]
}
