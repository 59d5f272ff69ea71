package bisim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"

	"erpconnector/connector/sandbox/simhttp"
)

// post sends a signed payment through a fresh, non-reusing client so that a
// dropped connection is seen as such (no transparent retry on an idle conn).
func (h *harness) postWith(client *http.Client, reqID string, txs []tx) (*http.Response, []byte, error) {
	body, _ := json.Marshal(map[string]any{"requestId": reqID, "transactions": txs})
	req, _ := http.NewRequest("POST", h.url+"/payment", bytes.NewReader(body))
	req.Header.Set("Authorization", h.sig.header(h.clock.Now(), reqID, txItems(txs)))
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func freshClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
}

func TestFaultStatus(t *testing.T) {
	h := newHarness(t, nil)
	h.control("/_sim/fault", Fault{Path: "/payment", Kind: FaultStatus, Status: 503, Count: 2}, nil)
	c := freshClient(0)
	// A status request does not match the /payment fault.
	if a := h.status("X"); len(a) != 1 || a[0].Status != StatusNotFound {
		t.Fatalf("status during /payment fault: %+v", a)
	}
	for i := 0; i < 2; i++ {
		resp, _, err := h.postWith(c, "RF", []tx{goodTx("F1")})
		if err != nil || resp.StatusCode != 503 {
			t.Fatalf("attempt %d: %v %v", i, resp, err)
		}
	}
	if n := len(h.srv.Ledger().Payments); n != 0 {
		t.Fatalf("a 503 fault stored %d payments", n)
	}
	resp, body, err := h.postWith(c, "RF", []tx{goodTx("F1")})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("after the fault: %v %v", resp, err)
	}
	if a := decodeResp(t, httpResult{200, "", body}).Answers; a[0].Status != StatusCreated {
		t.Errorf("after the fault: %+v", a)
	}
}

func TestFaultDelay(t *testing.T) {
	h := newHarness(t, nil)
	h.control("/_sim/fault", Fault{Kind: FaultDelay, Delay: "5s"}, nil)
	_, _, err := h.postWith(freshClient(100*time.Millisecond), "RD1", []tx{goodTx("D1")})
	var ue *url.Error
	if !errors.As(err, &ue) || !ue.Timeout() {
		t.Fatalf("want a client timeout, got %v", err)
	}
	h.control("/_sim/fault", Fault{Kind: FaultDelay, Delay: "50ms"}, nil)
	resp, _, err := h.postWith(freshClient(0), "RD2", []tx{goodTx("D2")})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("delayed request: %v %v", resp, err)
	}
	if len(h.srv.Ledger().Find(vecAccount, "D2")) != 1 {
		t.Error("delayed payment not stored")
	}
	r := h.do("POST", "/_sim/fault", "", []byte(`{"kind":"delay","delay":"soon"}`))
	if r.Code != 400 {
		t.Errorf("bad delay accepted: %s", r.Status)
	}
	r = h.do("POST", "/_sim/fault", "", []byte(`{"kind":"explode"}`))
	if r.Code != 400 {
		t.Errorf("unknown kind accepted: %s", r.Status)
	}
}

func TestFaultDropBeforeCommit(t *testing.T) {
	h := newHarness(t, nil)
	h.control("/_sim/fault", Fault{Path: "/payment", Kind: FaultDropBeforeCommit}, nil)
	_, _, err := h.postWith(freshClient(5*time.Second), "RB", []tx{goodTx("B1")})
	if err == nil {
		t.Fatal("client saw no error")
	}
	if n := len(h.srv.Ledger().Payments); n != 0 {
		t.Fatalf("dropped-before-commit request stored %d payments", n)
	}
	// Nothing was committed, so the same payment goes through afterwards.
	resp, body, err := h.postWith(freshClient(0), "RB", []tx{goodTx("B1")})
	if err != nil || resp.StatusCode != 200 || decodeResp(t, httpResult{200, "", body}).Answers[0].Status != StatusCreated {
		t.Fatalf("resend: %v %v %s", resp, err, body)
	}
}

func TestFaultDropAfterCommit(t *testing.T) {
	h := newHarness(t, nil)
	h.control("/_sim/fault", Fault{Path: "/payment", Kind: FaultDropAfterCommit}, nil)
	_, _, err := h.postWith(freshClient(5*time.Second), "RA", []tx{goodTx("A1")})
	if err == nil {
		t.Fatal("client saw no error")
	}
	l := h.srv.Ledger()
	if recs := l.Find(vecAccount, "A1"); len(recs) != 1 || recs[0].Status != StatusCreated || recs[0].RequestIDs[0] != "RA" {
		t.Fatalf("payment not committed: %+v", recs)
	}
	// The client's way out: ask /status, which knows the payment.
	if a := h.statusOf("A1"); a.Status != StatusCreated || a.EndToEndID != l.Find(vecAccount, "A1")[0].EndToEndID {
		t.Errorf("status after drop: %+v", a)
	}
	// A blind resend is refused as a duplicate.
	resp, body, err := h.postWith(freshClient(0), "RA2", []tx{goodTx("A1")})
	if err != nil || resp.StatusCode != 200 {
		t.Fatal(err)
	}
	if a := decodeResp(t, httpResult{200, "", body}).Answers[0]; a.Status != StatusFailed || a.Errors[0].Code != CodeDuplicate {
		t.Errorf("resend after drop: %+v", a)
	}
	if n := h.srv.Ledger().Received(vecAccount, "A1"); n != 2 {
		t.Errorf("received %d", n)
	}
}

func TestResetClearsEverything(t *testing.T) {
	h := newHarness(t, nil)
	h.pay([]tx{goodTx("Z")}, nil)
	h.advance("1h")
	h.control("/_sim/fault", Fault{Kind: FaultStatus}, nil)
	h.control("/_sim/reset", nil, nil)
	if l := h.srv.Ledger(); len(l.Payments) != 0 || !l.Now.Equal(vecTime) {
		t.Errorf("after reset: %+v", l)
	}
	if a := h.status("Z"); a[0].Status != StatusNotFound {
		t.Errorf("fault survived reset or payment kept: %+v", a)
	}
	r := h.do("POST", "/_sim/clock", "", []byte(`{"advance":"-1m"}`))
	if r.Code != 400 {
		t.Errorf("clock moved back: %s", r.Status)
	}
	r = h.do("GET", "/_sim/ledger", "", nil)
	var l Ledger
	if r.Code != 200 || json.Unmarshal(r.Body, &l) != nil {
		t.Errorf("GET /_sim/ledger: %s %s", r.Status, r.Body)
	}
}

func TestPersistenceAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bisim.json")
	clock := &fakeClock{t: vecTime}
	cfg := testConfig(clock)
	cfg.StatePath = path
	cfg.ApprovalRequired = true

	run, err := Start("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, srv: run.Server, url: run.URL, clock: clock, sig: defaultSigner(), seq: new(int)}
	h.pay([]tx{goodTx("P1"), goodTx("P2"), with(goodTx("P3"), "amount", "1.001")}, nil)
	h.pay([]tx{goodTx("P1")}, nil) // duplicate
	h.advance("4s")
	h.control("/_sim/approve", map[string]any{"paymentIds": []string{"P1"}}, nil)
	h.cancel("P2")
	before := run.Server.Ledger()
	if err := run.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := run.Close(context.Background()); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	s2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	after := s2.Ledger()
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("ledger changed across restart:\nbefore %+v\nafter  %+v", before, after)
	}
	if after.Received(vecAccount, "P1") != 2 {
		t.Errorf("receptions lost")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temp files left: %v", entries)
	}

	// The restarted simulator still refuses the duplicate and continues the
	// lifecycle from the persisted clock offset.
	h2 := &harness{t: t, srv: s2, url: newTestServer(t, s2).URL, clock: clock, sig: defaultSigner(), seq: new(int)}
	if a := h2.pay([]tx{goodTx("P1")}, nil).Answers[0]; a.Errors[0].Code != CodeDuplicate {
		t.Errorf("duplicate after restart: %+v", a)
	}
	h2.advance("2s")
	if got := statuses(h2.status("P1", "P2", "P3")); !reflect.DeepEqual(got, []int{StatusSucceeded, StatusRejected, StatusFailed}) {
		t.Errorf("after restart: %v", got)
	}

	// A corrupt state file is an error, not an empty ledger.
	if err := os.WriteFile(path, []byte(`{"version":1,"payments":[{]`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(cfg); err == nil {
		t.Error("corrupt state accepted")
	}
}

func TestConcurrentSubmissionsOfOnePayment(t *testing.T) {
	h := newHarness(t, nil)
	const n = 16
	var wg sync.WaitGroup
	statuses := make([]int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp, body, err := h.postWith(freshClient(10*time.Second), "RC", []tx{goodTx("SAME"), goodTx("OWN" + string(rune('A'+i)))})
			if err != nil || resp.StatusCode != 200 {
				t.Errorf("%d: %v", i, err)
				return
			}
			var r response
			json.Unmarshal(body, &r)
			statuses[i] = r.Answers[0].Status
		}(i)
	}
	wg.Wait()
	created := 0
	for _, s := range statuses {
		if s == StatusCreated {
			created++
		}
	}
	l := h.srv.Ledger()
	if created != 1 || len(l.Find(vecAccount, "SAME")) != 1 || l.Received(vecAccount, "SAME") != n || len(l.Payments) != n+1 {
		t.Errorf("created %d, records %d, received %d, total %d", created, len(l.Find(vecAccount, "SAME")), l.Received(vecAccount, "SAME"), len(l.Payments))
	}
}

func TestFaultRetryAfter(t *testing.T) {
	tests := []struct {
		name string
		f    Fault
		want string // Retry-After header
		code int
	}{
		{"429 default", Fault{Path: "/payment", Kind: FaultStatus, Status: 429}, "30", 429},
		{"429 chosen", Fault{Path: "/payment", Kind: FaultStatus, Status: 429, RetryAfter: 3}, "3", 429},
		{"503 with", Fault{Path: "/payment", Kind: FaultStatus, Status: 503, RetryAfter: 7}, "7", 503},
		{"503 without", Fault{Path: "/payment", Kind: FaultStatus}, "", 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, nil)
			h.control("/_sim/fault", tt.f, nil)
			resp, _, err := h.postWith(freshClient(0), "RR", []tx{goodTx("R1")})
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tt.code || resp.Header.Get("Retry-After") != tt.want {
				t.Errorf("got %d Retry-After %q, want %d %q", resp.StatusCode, resp.Header.Get("Retry-After"), tt.code, tt.want)
			}
			if n := len(h.srv.Ledger().Payments); n != 0 {
				t.Errorf("a %d fault stored %d payments", tt.code, n)
			}
		})
	}
	h := newHarness(t, nil)
	if r := h.do("POST", "/_sim/fault", "", []byte(`{"kind":"status","status":429,"retryAfter":-1}`)); r.Code != 400 {
		t.Errorf("negative retryAfter accepted: %s", r.Status)
	}
}

func TestFaultSlowBody(t *testing.T) {
	h := newHarness(t, nil)
	// Slower than the client's patience: the payment is stored, the answer lost.
	h.control("/_sim/fault", Fault{Path: "/payment", Kind: FaultSlowBody, Delay: "3s"}, nil)
	start := time.Now()
	resp, _, err := h.postWith(freshClient(600*time.Millisecond), "RS1", []tx{goodTx("S1")})
	if err == nil {
		t.Fatalf("client read the whole slow body within its timeout: %v", resp.Status)
	}
	// The status line came at once; the body is what timed out.
	if resp == nil || resp.StatusCode != 200 || time.Since(start) > 2*time.Second {
		t.Errorf("want a 200 whose body times out; got %v, %v after %s", resp, err, time.Since(start))
	}
	if recs := h.srv.Ledger().Find(vecAccount, "S1"); len(recs) != 1 || recs[0].Status != StatusCreated {
		t.Fatalf("slow-body request not committed: %+v", recs)
	}
	// Within the client's patience: the complete answer arrives, late.
	h.control("/_sim/fault", Fault{Path: "/payment", Kind: FaultSlowBody, Delay: "400ms"}, nil)
	start = time.Now()
	resp, body, err := h.postWith(freshClient(5*time.Second), "RS2", []tx{goodTx("S2")})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("slow body: %v %v", resp, err)
	}
	if took := time.Since(start); took < 350*time.Millisecond {
		t.Errorf("answer took %s, want about 400ms", took)
	}
	if a := decodeResp(t, httpResult{200, "", body}).Answers; len(a) != 1 || a[0].PaymentID != "S2" || a[0].Status != StatusCreated {
		t.Errorf("slow answer: %+v", a)
	}
}

func TestFaultInvalidSignature(t *testing.T) {
	h := newHarness(t, nil)
	h.control("/_sim/fault", Fault{Kind: FaultInvalidSignature}, nil)
	resp, body, err := h.postWith(freshClient(0), "RI", []tx{goodTx("I1")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 401 || resp.Status != "401 Invalid Signature" || !bytes.Contains(body, []byte(`"requestId":"RI"`)) {
		t.Errorf("got %s %s", resp.Status, body)
	}
	if n := len(h.srv.Ledger().Payments); n != 0 {
		t.Errorf("a refused signature stored %d payments", n)
	}
	// One use only: the same request goes through afterwards.
	if a := h.pay([]tx{goodTx("I1")}, nil).Answers; a[0].Status != StatusCreated {
		t.Errorf("after the fault: %+v", a)
	}
}

func TestRequestLog(t *testing.T) {
	h := newHarness(t, nil)
	h.control("/_sim/fault", Fault{Path: "/payment", Kind: FaultStatus, Status: 429, RetryAfter: 2}, nil)
	h.postWith(freshClient(0), "RL1", []tx{goodTx("L1")})
	h.postWith(freshClient(0), "RL1", []tx{goodTx("L1")})
	h.status("L1")
	h.do("GET", "/_sim/ledger", "", nil) // control calls are not logged
	all := h.requests("")
	if len(all) != 3 {
		t.Fatalf("logged %d requests, want 3: %+v", len(all), all)
	}
	first, second := all[0], all[1]
	if first.Path != "/payment" || first.Key != "RL1" || first.Fault != FaultStatus || first.Status != 429 || first.RetryAfter != 2 {
		t.Errorf("faulted request logged as %+v", first)
	}
	if second.Key != "RL1" || second.Fault != "" || second.At.Before(first.At) || second.Seq != first.Seq+1 {
		t.Errorf("resend logged as %+v after %+v", second, first)
	}
	if all[2].Path != "/status" || all[2].Key == "" || all[2].Key == "RL1" {
		t.Errorf("status request logged as %+v", all[2])
	}
	newer := h.requests("?after=" + strconv.FormatInt(second.Seq, 10))
	if len(newer) != 1 || newer[0].Seq != all[2].Seq {
		t.Errorf("after=%d: %+v", second.Seq, newer)
	}
	if r := h.do("GET", "/_sim/requests?after=x", "", nil); r.Code != 400 {
		t.Errorf("bad after accepted: %s", r.Status)
	}
}

func (h *harness) requests(query string) []simhttp.Request {
	h.t.Helper()
	r := h.do("GET", "/_sim/requests"+query, "", nil)
	var out []simhttp.Request
	if r.Code != 200 || json.Unmarshal(r.Body, &out) != nil {
		h.t.Fatalf("GET /_sim/requests%s: %s %s", query, r.Status, r.Body)
	}
	return out
}
