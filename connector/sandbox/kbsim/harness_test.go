package kbsim

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// specBody is the kb-batchda.md §8 example, verbatim.
const specBody = `{"batchPaymentDataCollectionRequest":[
  {"paymentIdentification":{"instructionIdentification":"INV2026001"},
   "amount":{"instructedAmount":{"value":12500.00,"currency":"CZK"}},
   "requestedExecutionDate":"2026-06-16",
   "debtorAccount":{"identification":{"iban":"CZ0801000000192000145399"},"currency":"CZK"},
   "creditorAccount":{"identification":{"iban":"CZ5508000000001234567899"},"currency":"CZK"},
   "creditor":{"name":"Dodavatel s.r.o."},
   "remittanceInformation":{"unstructured":"Faktura 2026001",
     "structured":{"creditorReferenceInformation":{"reference":["VS:2026001","KS:308"]}}}},
  {"paymentIdentification":{"instructionIdentification":"RENT202606"},
   "amount":{"instructedAmount":{"value":499.50,"currency":"CZK"}},
   "requestedExecutionDate":"2026-06-16",
   "debtorAccount":{"identification":{"iban":"CZ0801000000192000145399"},"currency":"CZK"},
   "creditorAccount":{"identification":{"iban":"CZ6203000000001000000005"},"currency":"CZK"},
   "remittanceInformation":{"unstructured":"Najem cerven",
     "structured":{"creditorReferenceInformation":{"reference":["VS:20260042","SS:1234"]}}}}
]}`

const (
	testClient   = "Erpconnector-6073"
	testSecret   = "aIiAgTXYH6v9C_5ckhiKNA"
	testRedirect = "https://erp.example/kb/callback"
	adaaClient   = "AdaaOnly-1635"
	debtorIBAN   = "CZ0801000000192000145399" // 19-2000145399/0100
	debtor2IBAN  = "CZ9701000000002198370339" // 2198370339/0100
	creditorIBAN = "CZ5508000000001234567899"
	testCorrID   = "3f6c2a1e-9b4d-4c1e-8f7a-2d5e6b7c8a90"
)

// testStart is 08:00 in Prague on the §8 example's execution date.
var testStart = time.Date(2026, 6, 16, 6, 0, 0, 0, time.UTC)

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func testConfig(clock *fakeClock) Config {
	return Config{
		Now: clock.Now,
		Clients: []Client{
			{ID: testClient, Secret: testSecret, RedirectURIs: []string{"https://erp.example/other", testRedirect},
				Accounts: []Account{{IBAN: debtorIBAN, Currency: "CZK", Name: "Provozní účet"}, {IBAN: debtor2IBAN, Currency: "CZK"}}},
			{ID: adaaClient, Secret: "adaa-secret", RedirectURIs: []string{testRedirect}, Scopes: []string{ScopeADAA},
				Accounts: []Account{{IBAN: debtorIBAN, Currency: "CZK"}}},
		},
	}
}

type harness struct {
	t     *testing.T
	srv   *Server
	url   string
	clock *fakeClock
	http  *http.Client
}

// newHarness serves a simulator over real HTTP; mod adjusts the config.
func newHarness(t *testing.T, mod func(*Config)) *harness {
	t.Helper()
	clock := &fakeClock{t: testStart}
	cfg := testConfig(clock)
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	client := &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &harness{t: t, srv: s, url: ts.URL, clock: clock, http: client}
}

type result struct {
	Code   int
	Header http.Header
	Body   []byte
}

func (h *harness) do(method, path string, header map[string]string, body []byte) result {
	h.t.Helper()
	return doWith(h.t, h.http, method, h.url+path, header, body)
}

func doWith(t *testing.T, c *http.Client, method, u string, header map[string]string, body []byte) result {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return result{resp.StatusCode, resp.Header, b}
}

// control calls a /_sim/ endpoint and decodes the answer into out.
func (h *harness) control(method, path string, in, out any) int {
	h.t.Helper()
	var body []byte
	if in != nil {
		body, _ = json.Marshal(in)
	}
	r := h.do(method, path, nil, body)
	if out != nil && r.Code == 200 {
		if err := json.Unmarshal(r.Body, out); err != nil {
			h.t.Fatalf("%s: %v: %s", path, err, r.Body)
		}
	}
	return r.Code
}

// login runs the browser stand-in and the code exchange.
func (h *harness) login(clientID, secret, scope string) TokenResponse {
	h.t.Helper()
	code := h.code(clientID, scope)
	r := h.token(url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {testRedirect},
		"client_id": {clientID}, "client_secret": {secret}})
	if r.Code != 200 {
		h.t.Fatalf("code exchange: %d %s", r.Code, r.Body)
	}
	var tr TokenResponse
	if err := json.Unmarshal(r.Body, &tr); err != nil {
		h.t.Fatal(err)
	}
	return tr
}

func (h *harness) code(clientID, scope string) string {
	h.t.Helper()
	q := url.Values{"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {testRedirect}, "scope": {scope}, "state": {"st-42"}}
	r := h.do("GET", PathSSOLogin+"?"+q.Encode(), nil, nil)
	if r.Code != http.StatusFound {
		h.t.Fatalf("ssologin: %d %s", r.Code, r.Body)
	}
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil {
		h.t.Fatal(err)
	}
	if c := loc.Query().Get("code"); c != "" {
		return c
	}
	h.t.Fatalf("no code in %s", loc)
	return ""
}

func (h *harness) token(form url.Values) result {
	h.t.Helper()
	return h.do("POST", "/oauth2/v3/access_token", map[string]string{
		"Content-Type": "application/x-www-form-urlencoded", "apiKey": DefaultOAuthAPIKey, "x-correlation-id": testCorrID,
	}, []byte(form.Encode()))
}

func (h *harness) refresh(rt string) result {
	h.t.Helper()
	return h.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}, "redirect_uri": {testRedirect},
		"client_id": {testClient}, "client_secret": {testSecret}})
}

// batchHeaders are the §8 example's headers.
func batchHeaders(token, exchangeID string) map[string]string {
	return map[string]string{
		"Authorization": "Bearer " + token, "Content-Type": "application/json", "Accept": "application/json",
		"x-correlation-id": testCorrID, HeaderExchangeID: exchangeID, HeaderProcessingMode: ModeOnline,
		HeaderInstructionName: "Dodavatele 2026-06-16",
	}
}

func (h *harness) submit(token, exchangeID, body string) result {
	h.t.Helper()
	return h.do("POST", PathBatchPayments, batchHeaders(token, exchangeID), []byte(body))
}

func (h *harness) advance(d time.Duration) {
	h.t.Helper()
	if code := h.control("POST", "/_sim/clock", map[string]string{"advance": d.String()}, nil); code != 200 {
		h.t.Fatalf("clock: %d", code)
	}
}

// errorsOf decodes a KB error envelope.
func errorsOf(t *testing.T, r result) []APIError {
	t.Helper()
	var eb struct {
		Errors []APIError `json:"errors"`
	}
	if err := json.Unmarshal(r.Body, &eb); err != nil {
		t.Fatalf("not an error body (%d): %s", r.Code, r.Body)
	}
	return eb.Errors
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func httptestServer(t *testing.T, h http.Handler) string {
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}
