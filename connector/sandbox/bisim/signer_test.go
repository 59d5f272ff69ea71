package bisim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// A client-side signer written from the spec text alone (§2), for tests only.

const (
	vecKey     = "0f8fad5b-d9cb-469f-a165-70867728950e"
	vecCode    = "TestKode123"
	vecAccount = "52470021527478"
	vecERP     = "MyERP"
)

var vecTime = time.Date(2015, 5, 21, 10, 45, 23, 0, time.UTC) // a Thursday

type testSigner struct {
	erp, apiKey, code, account string
	keyAsText                  bool   // the wrong key encoding (negative vector)
	prefix                     string // "Basic " by default
}

func defaultSigner() testSigner {
	return testSigner{erp: vecERP, apiKey: vecKey, code: vecCode, account: vecAccount, prefix: "Basic "}
}

type sigItem struct{ id, currency, paydate, amount, credacc string }

func (s testSigner) key() []byte {
	if s.keyAsText {
		return []byte(s.apiKey)
	}
	h, _ := hex.DecodeString(strings.ReplaceAll(s.apiKey, "-", ""))
	// .NET Guid.ToByteArray(): the first three groups little-endian.
	return []byte{h[3], h[2], h[1], h[0], h[5], h[4], h[7], h[6], h[8], h[9], h[10], h[11], h[12], h[13], h[14], h[15]}
}

func (s testSigner) hash(at time.Time, reqID string, it sigItem) string {
	tok := sha256.Sum256([]byte(s.code))
	payload := strings.Join([]string{hex.EncodeToString(tok[:]), s.account, it.currency, reqID, it.paydate,
		it.amount, it.credacc, s.erp, it.id, at.UTC().Format("20060102150405")}, "#")
	m := hmac.New(sha256.New, s.key())
	m.Write([]byte(payload))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

type hdrHash struct {
	ID   string `json:"id"`
	Hash string `json:"hash"`
}

type hdrJSON struct {
	ServiceProvider string    `json:"serviceProvider"`
	Account         string    `json:"account"`
	Time            string    `json:"time"`
	RequestID       string    `json:"requestId"`
	Hash            []hdrHash `json:"hash"`
}

func (s testSigner) headerFrom(h hdrJSON) string {
	b, _ := json.Marshal(h)
	return s.prefix + base64.StdEncoding.EncodeToString(b)
}

func (s testSigner) header(at time.Time, reqID string, items []sigItem) string {
	h := hdrJSON{ServiceProvider: s.erp, Account: s.account, Time: at.UTC().Format("2006-01-02T15:04:05"), RequestID: reqID}
	for _, it := range items {
		h.Hash = append(h.Hash, hdrHash{it.id, s.hash(at, reqID, it)})
	}
	return s.headerFrom(h)
}

// simple is the single-hash header of every non-payment request.
func (s testSigner) simple(at time.Time, reqID string) string {
	return s.header(at, reqID, []sigItem{{id: reqID}})
}

// tx is a payment transaction as a test writes it.
type tx map[string]any

// items derives the per-transaction hash inputs the way a client would:
// amount with two decimals, date without dashes.
func txItems(txs []tx) []sigItem {
	var out []sigItem
	for _, t := range txs {
		str := func(k string) string { v, _ := t[k].(string); return v }
		amt := ""
		switch v := t["amount"].(type) {
		case string:
			amt = v
		case json.Number:
			amt = v.String()
		}
		// Like .NET "0.00": two decimals, rounded half away from zero.
		if a, err := parseDecimalText(amt); err == nil || errors.Is(err, errAmountDecimals) {
			amt = formatCents(a.Cents)
			if a.Neg && a.Cents != 0 {
				amt = "-" + amt
			}
		}
		out = append(out, sigItem{id: str("paymentId"), currency: str("currency"),
			paydate: strings.ReplaceAll(str("paymentDate"), "-", ""), amount: amt, credacc: str("account")})
	}
	return out
}

// fakeClock is a settable clock for Config.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// harness is a simulator behind a real HTTP server.
type harness struct {
	t     *testing.T
	srv   *Server
	url   string // base URL of the simulator under test
	clock *fakeClock
	sig   testSigner
	seq   *int
}

// sub is the harness reporting to a subtest.
func (h *harness) sub(t *testing.T) *harness {
	c := *h
	c.t = t
	return &c
}

const otherAccount = "80790000820049"

func testConfig(clock *fakeClock) Config {
	return Config{
		ERPs: map[string]string{vecERP: vecKey, "OtherERP": "11111111-2222-3333-4444-555555555555"},
		Accounts: []Account{
			{BBAN: vecAccount, IntegrationCode: vecCode, Currency: "DKK", Name: "Driftkonto", OpeningBalance: 2541700, ERPs: []string{vecERP}},
			{BBAN: otherAccount, IntegrationCode: "Other", Currency: "DKK", Name: "Second"},
		},
		Now: clock.Now,
	}
}

func newHarness(t *testing.T, mod func(*Config)) *harness {
	t.Helper()
	clock := &fakeClock{t: vecTime}
	cfg := testConfig(clock)
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, srv: s, url: newTestServer(t, s).URL, clock: clock, sig: defaultSigner(), seq: new(int)}
}

func (h *harness) reqID() string {
	*h.seq++
	return fmt.Sprintf("REQ_T%04d", *h.seq)
}

type httpResult struct {
	Code   int
	Status string
	Body   []byte
}

func (h *harness) do(method, path, auth string, body []byte) httpResult {
	h.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, h.url+path, rd)
	if err != nil {
		h.t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return httpResult{resp.StatusCode, resp.Status, b}
}

type response struct {
	Account   string   `json:"account"`
	RequestID string   `json:"requestId"`
	Time      string   `json:"time"`
	Answers   []answer `json:"answers"`
	Errors    []APIError
}

func decodeResp(t *testing.T, r httpResult) response {
	t.Helper()
	var out response
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("decode %d %s: %v", r.Code, r.Body, err)
	}
	return out
}

// pay posts a signed /payment and returns the HTTP result.
func (h *harness) payRaw(sig testSigner, reqID string, txs []tx, opts map[string]any) httpResult {
	h.t.Helper()
	body := map[string]any{"requestId": reqID, "transactions": txs}
	if opts != nil {
		body["options"] = opts
	}
	b, err := json.Marshal(body)
	if err != nil {
		h.t.Fatal(err)
	}
	return h.do("POST", "/payment", sig.header(h.clock.Now(), reqID, txItems(txs)), b)
}

// pay posts and expects 200.
func (h *harness) pay(txs []tx, opts map[string]any) response {
	h.t.Helper()
	r := h.payRaw(h.sig, h.reqID(), txs, opts)
	if r.Code != 200 {
		h.t.Fatalf("POST /payment: %s %s", r.Status, r.Body)
	}
	return decodeResp(h.t, r)
}

// status asks POST /status for the IDs and expects 200.
func (h *harness) status(ids ...string) []answer {
	h.t.Helper()
	id := h.reqID()
	b, _ := json.Marshal(map[string]any{"requestId": id, "paymentIds": ids})
	r := h.do("POST", "/status", h.sig.simple(h.clock.Now(), id), b)
	if r.Code != 200 {
		h.t.Fatalf("POST /status: %s %s", r.Status, r.Body)
	}
	return decodeResp(h.t, r).Answers
}

func (h *harness) statusOf(id string) answer {
	h.t.Helper()
	a := h.status(id)
	if len(a) != 1 {
		h.t.Fatalf("status %s: %d answers", id, len(a))
	}
	return a[0]
}

func (h *harness) cancel(ids ...string) []answer {
	h.t.Helper()
	id := h.reqID()
	b, _ := json.Marshal(map[string]any{"requestId": id, "paymentIds": ids})
	r := h.do("POST", "/payment/cancel", h.sig.simple(h.clock.Now(), id), b)
	if r.Code != 200 {
		h.t.Fatalf("POST /payment/cancel: %s %s", r.Status, r.Body)
	}
	return decodeResp(h.t, r).Answers
}

// control posts to /_sim/ and decodes into out (when not nil).
func (h *harness) control(path string, body any, out any) {
	h.t.Helper()
	b, _ := json.Marshal(body)
	r := h.do("POST", path, "", b)
	if r.Code != 200 {
		h.t.Fatalf("POST %s: %s %s", path, r.Status, r.Body)
	}
	if out != nil {
		if err := json.Unmarshal(r.Body, out); err != nil {
			h.t.Fatal(err)
		}
	}
}

func (h *harness) advance(d string) {
	h.t.Helper()
	h.control("/_sim/clock", map[string]string{"advance": d}, nil)
}

// goodTx is a valid domestic transfer dated on the vector's bank day.
func goodTx(id string) tx {
	return tx{"paymentId": id, "paymentDate": "2015-05-21", "amount": "154.00", "currency": "DKK",
		"account": "80790000820049", "type": 1, "text": "Faktura " + id, "creditor": map[string]any{"name": "BankIntegration ApS"}}
}

func newTestServer(t *testing.T, s *Server) *httptest.Server {
	hs := httptest.NewServer(s)
	t.Cleanup(hs.Close)
	return hs
}
