package kbsim

import (
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
	"strings"
	"testing"
	"time"

	"erpconnector/connector/sandbox/simhttp"
)

// freshClient does not reuse connections, so a dropped connection is seen
// as such (no transparent retry on an idle one).
func freshClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
}

func (h *harness) submitWith(c *http.Client, tok, exchangeID string) (*http.Response, error) {
	req, _ := http.NewRequest("POST", h.url+PathBatchPayments, strings.NewReader(specBody))
	for k, v := range batchHeaders(tok, exchangeID) {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err == nil {
		resp.Body.Close()
	}
	return resp, err
}

func TestFaultStatus(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.login(testClient, testSecret, "").AccessToken
	h.control("POST", "/_sim/fault", Fault{Path: PathBatchPayments, Kind: FaultStatus, Status: 503, Count: 2}, nil)
	// The token endpoint is not affected by a BATCHDA fault.
	h.login(testClient, testSecret, "")
	for i := 0; i < 2; i++ {
		r := h.submit(tok, "FS-1", specBody)
		if r.Code != 503 || mustJSON(errorsOf(t, r)) != `[{"error":"SERVICE_UNAVAILABLE","message":"injected fault: HTTP 503"}]` {
			t.Fatalf("attempt %d: %d %s", i, r.Code, r.Body)
		}
	}
	if l := h.srv.Ledger(); len(l.Batches) != 0 || l.Received("FS-1") != 0 {
		t.Fatalf("a 503 fault reached the bank: %+v", l)
	}
	if r := h.submit(tok, "FS-1", specBody); r.Code != 200 {
		t.Fatalf("after the fault: %d", r.Code)
	}

	h.control("POST", "/_sim/fault", Fault{Kind: FaultStatus, Status: 429}, nil)
	r := h.submit(tok, "FS-2", specBody)
	if r.Code != 429 || r.Header.Get("Retry-After") != "30" || errorsOf(t, r)[0].Error != "TOO_MANY_REQUESTS" {
		t.Errorf("429: %d %q %s", r.Code, r.Header.Get("Retry-After"), r.Body)
	}
	h.control("POST", "/_sim/fault", Fault{Path: "/oauth2/v3/access_token", Kind: FaultStatus, Status: 429, RetryAfter: 7}, nil)
	if r := h.refresh("x"); r.Code != 429 || r.Header.Get("Retry-After") != "7" {
		t.Errorf("token 429: %d %q", r.Code, r.Header.Get("Retry-After"))
	}
	for _, bad := range []string{`{"kind":"status","status":200}`, `{"kind":"explode"}`, `{"kind":"delay","delay":"soon"}`, `{"kind":"status","count":-1}`} {
		if r := h.do("POST", "/_sim/fault", nil, []byte(bad)); r.Code != 400 {
			t.Errorf("%s accepted: %d", bad, r.Code)
		}
	}
}

func TestFaultGatewayXML(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.login(testClient, testSecret, "").AccessToken
	h.control("POST", "/_sim/fault", Fault{Path: PathBatchPayments, Kind: FaultGatewayXML}, nil)
	r := h.submit(tok, "GX-1", specBody)
	want := `<am:fault xmlns:am="http://wso2.org/apimanager">
    <am:code>101504</am:code>
    <am:type>Status report</am:type>
    <am:message>Runtime Error</am:message>
    <am:description>Send timeout</am:description>
</am:fault>
`
	if r.Code != 504 || string(r.Body) != want || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/xml") {
		t.Errorf("%d %q %s", r.Code, r.Header.Get("Content-Type"), r.Body)
	}
	if len(h.srv.Ledger().Batches) != 0 {
		t.Error("gateway fault reached the bank")
	}
}

func TestFaultDelay(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.login(testClient, testSecret, "").AccessToken
	h.control("POST", "/_sim/fault", Fault{Kind: FaultDelay, Delay: "5s"}, nil)
	_, err := h.submitWith(freshClient(100*time.Millisecond), tok, "DL-1")
	var ue *url.Error
	if !errors.As(err, &ue) || !ue.Timeout() {
		t.Fatalf("want a client timeout, got %v", err)
	}
	h.control("POST", "/_sim/fault", Fault{Kind: FaultDelay, Delay: "50ms"}, nil)
	if resp, err := h.submitWith(freshClient(0), tok, "DL-2"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("delayed request: %v %v", resp, err)
	}
	if len(h.srv.Ledger().Accepted("DL-2")) != 1 {
		t.Error("delayed batch not stored")
	}
}

func TestFaultDropBeforeCommit(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.login(testClient, testSecret, "").AccessToken
	h.control("POST", "/_sim/fault", Fault{Path: PathBatchPayments, Kind: FaultDropBeforeCommit}, nil)
	if _, err := h.submitWith(freshClient(5*time.Second), tok, "DB-1"); err == nil {
		t.Fatal("client saw no error")
	}
	if l := h.srv.Ledger(); len(l.Batches) != 0 || l.Received("DB-1") != 0 {
		t.Fatalf("dropped-before-commit stored: %+v", l)
	}
	if resp, err := h.submitWith(freshClient(0), tok, "DB-1"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("resend: %v %v", resp, err)
	}
}

func TestFaultDropAfterCommit(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.login(testClient, testSecret, "").AccessToken
	h.control("POST", "/_sim/fault", Fault{Path: PathBatchPayments, Kind: FaultDropAfterCommit}, nil)
	if _, err := h.submitWith(freshClient(5*time.Second), tok, "DA-1"); err == nil {
		t.Fatal("client saw no error")
	}
	l := h.srv.Ledger()
	if acc := l.Accepted("DA-1"); len(acc) != 1 || acc[0].State != BatchForSignature || l.Received("DA-1") != 1 {
		t.Fatalf("batch not committed: %+v", l)
	}
	// A client that resends blindly is caught.
	if resp, err := h.submitWith(freshClient(0), tok, "DA-1"); err != nil || resp.StatusCode != 400 {
		t.Fatalf("blind resend: %v %v", resp, err)
	}
	if l := h.srv.Ledger(); len(l.Accepted("DA-1")) != 1 || l.Received("DA-1") != 2 {
		t.Errorf("after resend: %+v", l)
	}
}

func TestPersistence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "kbsim.json")
	clock := &fakeClock{t: testStart}
	cfg := testConfig(clock)
	cfg.StatePath = path
	run, err := Start("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, srv: run.Server, url: run.URL, clock: clock, http: freshClient(5 * time.Second)}
	h.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	tr := h.login(testClient, testSecret, "")
	id := h.accept(tr.AccessToken, "PS-1", specBody)
	h.srv.Sign(id)
	h.advance(time.Minute)
	before := h.srv.Ledger()
	if err := run.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("stray files: %v", entries)
	}

	s2, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if after := s2.Ledger(); !reflect.DeepEqual(before, after) {
		t.Fatalf("ledger differs after reload\n%+v\n%+v", before, after)
	}
	run2 := httptestServer(t, s2)
	h2 := &harness{t: t, srv: s2, url: run2, clock: clock, http: h.http}
	// Tokens, the duplicate check and the clock survive.
	if r := h2.submit(tr.AccessToken, "PS-1", specBody); r.Code != 400 || errorsOf(t, r)[0].Error != "AM05" {
		t.Errorf("resend after restart: %d %s", r.Code, r.Body)
	}
	if r := h2.refresh(tr.RefreshToken); r.Code != 200 {
		t.Errorf("refresh after restart: %d %s", r.Code, r.Body)
	}
	if !s2.Now().Equal(testStart.Add(time.Minute)) {
		t.Errorf("clock %s", s2.Now())
	}

	os.WriteFile(path, []byte(`{"version":1,"bogus":true}`), 0o600)
	if _, err := New(cfg); err == nil {
		t.Error("corrupt state accepted")
	}
	os.WriteFile(path, []byte(`{"version":99}`), 0o600)
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "version 99") {
		t.Errorf("future version: %v", err)
	}
}

func TestConfigErrors(t *testing.T) {
	good := func() Config { return testConfig(&fakeClock{t: testStart}) }
	cases := map[string]func(*Config){
		"same apiKeys":      func(c *Config) { c.OAuthAPIKey, c.ADAAAPIKey = "k", "k" },
		"empty secret":      func(c *Config) { c.Clients[0].Secret = "" },
		"duplicate client":  func(c *Config) { c.Clients[1].ID = c.Clients[0].ID },
		"no redirect":       func(c *Config) { c.Clients[0].RedirectURIs = nil },
		"unknown scope":     func(c *Config) { c.Clients[0].Scopes = []string{"pisp"} },
		"bad IBAN":          func(c *Config) { c.Clients[0].Accounts[0].IBAN = "CZ0001000000192000145399" },
		"bad currency":      func(c *Config) { c.Clients[0].Accounts[0].Currency = "KCS" },
		"duplicate account": func(c *Config) { c.Clients[0].Accounts[1] = c.Clients[0].Accounts[0] },
		"tiny token TTL":    func(c *Config) { c.AccessTokenTTL = time.Second },
	}
	for name, mod := range cases {
		c := good()
		mod(&c)
		if _, err := New(c); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestFaultSlowBody(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.login(testClient, testSecret, "").AccessToken
	// Slower than the client's patience: KB imported the batch, the answer is lost.
	h.control("POST", "/_sim/fault", Fault{Path: PathBatchPayments, Kind: FaultSlowBody, Delay: "3s"}, nil)
	req, _ := http.NewRequest("POST", h.url+PathBatchPayments, strings.NewReader(specBody))
	for k, v := range batchHeaders(tok, "SB-1") {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := freshClient(600 * time.Millisecond).Do(req)
	if err != nil {
		t.Fatalf("the status line should come at once: %v", err)
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil || resp.StatusCode != 200 || time.Since(start) > 2*time.Second {
		t.Fatalf("want a 200 whose body times out; got %d, %v after %s", resp.StatusCode, err, time.Since(start))
	}
	if l := h.srv.Ledger(); len(l.Accepted("SB-1")) != 1 || l.Received("SB-1") != 1 {
		t.Fatalf("slow-body batch not committed: %+v", l)
	}
	// Within the client's patience: the complete answer, late.
	h.control("POST", "/_sim/fault", Fault{Path: PathBatchPayments, Kind: FaultSlowBody, Delay: "400ms"}, nil)
	start = time.Now()
	r := h.submit(tok, "SB-2", specBody)
	if took := time.Since(start); r.Code != 200 || took < 350*time.Millisecond {
		t.Fatalf("slow answer: %d after %s", r.Code, took)
	}
	var ans struct {
		ExchangeIdentification string `json:"exchangeIdentification"`
	}
	if err := json.Unmarshal(r.Body, &ans); err != nil || ans.ExchangeIdentification != "SB-2" {
		t.Errorf("slow answer incomplete: %v %s", err, r.Body)
	}
	if r := h.do("POST", "/_sim/fault", nil, []byte(`{"kind":"slow-body","delay":"x"}`)); r.Code != 400 {
		t.Errorf("bad slow-body delay accepted: %d", r.Code)
	}
}

func TestRequestLog(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.login(testClient, testSecret, "").AccessToken
	h.control("POST", "/_sim/fault", Fault{Path: PathBatchPayments, Kind: FaultStatus, Status: 429, RetryAfter: 2}, nil)
	h.submit(tok, "RL-1", specBody)
	h.submit(tok, "RL-1", specBody)
	h.control("GET", "/_sim/ledger", nil, nil) // control calls are not logged
	var all []simhttp.Request
	if code := h.control("GET", "/_sim/requests", nil, &all); code != 200 {
		t.Fatalf("GET /_sim/requests: %d", code)
	}
	if len(all) != 4 {
		t.Fatalf("logged %d requests, want 4 (login, token, 429, resend): %+v", len(all), all)
	}
	tokReq, first, second := all[1], all[2], all[3]
	if all[0].Path != PathSSOLogin || !tokenPaths[tokReq.Path] || tokReq.Key != "" || tokReq.Fault != "" {
		t.Errorf("token request logged as %+v", tokReq)
	}
	if first.Path != PathBatchPayments || first.Key != "RL-1" || first.Fault != FaultStatus || first.Status != 429 || first.RetryAfter != 2 {
		t.Errorf("faulted request logged as %+v", first)
	}
	if second.Key != "RL-1" || second.Fault != "" || second.At.Before(first.At) || second.Seq != first.Seq+1 {
		t.Errorf("resend logged as %+v after %+v", second, first)
	}
	var newer []simhttp.Request
	h.control("GET", "/_sim/requests?after="+strconv.FormatInt(first.Seq, 10), nil, &newer)
	if len(newer) != 1 || newer[0].Seq != second.Seq {
		t.Errorf("after=%d: %+v", first.Seq, newer)
	}
	if r := h.do("GET", "/_sim/requests?after=x", nil, nil); r.Code != 400 {
		t.Errorf("bad after accepted: %d", r.Code)
	}
}
