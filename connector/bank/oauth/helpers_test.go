package oauth

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testClientID = "Erpconnector-6073"
	testSecret   = "cs-TOPSECRET-4242-client"
	testAPIKey   = "ak-OAUTH2-KEY-9999"
	testRedirect = "https://erp.example/kb/callback"
)

var t0 = time.Date(2026, 6, 16, 6, 0, 0, 0, time.UTC)

// fakeClock is shared by the Source and, in the kbsim tests, the bank.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock { return &fakeClock{t: t0} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// recPersist records every save; fail, when set, decides per save (n counts
// from 1) whether it fails.
type recPersist struct {
	mu      sync.Mutex
	data    []byte
	saves   [][]byte
	fail    func(n int, b []byte) error
	loadErr error
	block   chan struct{} // when set, Save waits for it (after recording that it started)
	started chan struct{}
}

func (p *recPersist) Load() ([]byte, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.loadErr != nil {
		return nil, p.loadErr
	}
	return append([]byte(nil), p.data...), nil
}

func (p *recPersist) Save(b []byte) error {
	p.mu.Lock()
	block, started := p.block, p.started
	p.mu.Unlock()
	if block != nil {
		started <- struct{}{}
		<-block
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.saves) + 1
	p.saves = append(p.saves, append([]byte(nil), b...))
	if p.fail != nil {
		if err := p.fail(n, b); err != nil {
			return err
		}
	}
	p.data = append([]byte(nil), b...)
	return nil
}

// stored decodes what is durably saved.
func (p *recPersist) stored(t *testing.T) state {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	st, err := decodeState(p.data)
	if err != nil {
		t.Fatalf("stored state: %v", err)
	}
	return st
}

func (p *recPersist) seed(t *testing.T, st state) {
	t.Helper()
	b, err := encodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	p.data = b
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// fakeBank is a programmable RFC 6749 token endpoint with KB's shape.
type fakeBank struct {
	mu        sync.Mutex
	srv       *httptest.Server
	calls     int
	forms     []url.Values
	headers   []http.Header
	rotate    bool            // a refresh answer carries a new refresh token; the old one dies
	live      map[string]bool // refresh tokens the bank accepts
	codes     map[string]bool // unused authorization codes
	expiresIn string          // raw JSON for expires_in; "" omits it
	lastAT    string
	// override, when set, answers instead (after recording the call).
	override func(w http.ResponseWriter, form url.Values) bool
	gate     chan struct{} // when set, every call waits for it
}

func newBank(t testing.TB) *fakeBank {
	b := &fakeBank{live: map[string]bool{}, codes: map[string]bool{}, expiresIn: "179"}
	b.srv = httptest.NewServer(http.HandlerFunc(b.serve))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *fakeBank) url() string { return b.srv.URL + "/oauth2/v3/access_token" }

func (b *fakeBank) issueRefresh() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	rt := "rt-" + randHex(16)
	b.live[rt] = true
	return rt
}

func (b *fakeBank) issueCode() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := "code-" + randHex(8)
	b.codes[c] = true
	return c
}

func (b *fakeBank) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls
}

func (b *fakeBank) form(i int) url.Values {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.forms[i]
}

func (b *fakeBank) serve(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	b.mu.Lock()
	b.calls++
	b.forms = append(b.forms, r.PostForm)
	b.headers = append(b.headers, r.Header.Clone())
	gate, override := b.gate, b.override
	b.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if override != nil && override(w, r.PostForm) {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	f := r.PostForm
	fail := func(status int, code string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":%q,"error_description":"refused"}`, code)
	}
	if f.Get("client_id") != testClientID || f.Get("client_secret") != testSecret {
		fail(401, "invalid_client")
		return
	}
	ans := map[string]any{"token_type": "Bearer", "scope": "adaa bpisp"}
	switch f.Get("grant_type") {
	case "refresh_token":
		rt := f.Get("refresh_token")
		if !b.live[rt] {
			fail(400, "invalid_grant")
			return
		}
		if b.rotate {
			delete(b.live, rt)
			nrt := "rt-" + randHex(16)
			b.live[nrt] = true
			ans["refresh_token"] = nrt
		}
	case "authorization_code":
		c := f.Get("code")
		if !b.codes[c] {
			fail(400, "invalid_grant")
			return
		}
		delete(b.codes, c)
		nrt := "rt-" + randHex(16)
		b.live[nrt] = true
		ans["refresh_token"] = nrt
	default:
		fail(400, "unsupported_grant_type")
		return
	}
	b.lastAT = "at-" + randHex(16)
	ans["access_token"] = b.lastAT
	if b.expiresIn != "" {
		ans["expires_in"] = json.RawMessage(b.expiresIn)
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(ans)
}

// newSource builds a Source against the fake bank with a fake clock.
func newSource(b *fakeBank, clk *fakeClock, p Persist) *Source {
	return New(Config{TokenURL: b.url(), ClientID: testClientID, ClientSecret: testSecret,
		RedirectURI: testRedirect, APIKey: testAPIKey, Now: clk.Now}, p)
}

// authorized returns a Persist holding a live refresh token of b.
func authorized(t *testing.T, b *fakeBank) (*recPersist, string) {
	rt := b.issueRefresh()
	p := &recPersist{}
	p.seed(t, state{RefreshToken: rt, RefreshExpiry: t0.Add(DefaultRefreshLifetime)})
	return p, rt
}

// noSecrets fails when any secret value appears in s.
func noSecrets(t *testing.T, what, s string, secrets ...string) {
	t.Helper()
	for _, sec := range append(secrets, testSecret, testAPIKey) {
		if sec != "" && strings.Contains(s, sec) {
			t.Errorf("%s leaks a secret %.8s…: %s", what, sec, s)
		}
	}
}

func isErr(err, target error) bool { return errors.Is(err, target) }

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// set changes the bank's programme while its server may be running.
func (b *fakeBank) set(f func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	f()
}
