package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"erpconnector/connector/sandbox/kbsim"
)

const (
	simClient   = "Erpconnector-6073"
	simSecret   = "aIiAgTXYH6v9C_5ckhiKNA-sim"
	simRedirect = "https://erp.example/kb/callback"
)

// kb is the KB simulator behind a counting front, sharing the test's clock.
type kb struct {
	sim   *kbsim.Server
	url   string
	clk   *fakeClock
	calls atomic.Int64 // token endpoint calls
}

func newKB(t *testing.T, mod func(*kbsim.Config)) *kb {
	t.Helper()
	k := &kb{clk: newClock()}
	cfg := kbsim.Config{
		Now: k.clk.Now,
		Clients: []kbsim.Client{{ID: simClient, Secret: simSecret, RedirectURIs: []string{simRedirect},
			Accounts: []kbsim.Account{{IBAN: "CZ0801000000192000145399", Currency: "CZK"}}}},
		RequireRedirectURIOnRefresh: true, // the strictest reading of KB
	}
	if mod != nil {
		mod(&cfg)
	}
	sim, err := kbsim.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	k.sim = sim
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/access_token") {
			k.calls.Add(1)
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	k.url = ts.URL
	return k
}

func (k *kb) source(p Persist) *Source {
	return New(Config{TokenURL: k.url + "/oauth2/v3/access_token", ClientID: simClient, ClientSecret: simSecret,
		RedirectURI: simRedirect, APIKey: kbsim.DefaultOAuthAPIKey, Now: k.clk.Now}, p)
}

// authorize runs the person's part (login and consent) and the exchange.
func (k *kb) authorize(t *testing.T, s *Source) {
	t.Helper()
	code, err := k.sim.Authorize(simClient, simRedirect, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Exchange(context.Background(), code); err != nil {
		t.Fatalf("Exchange: %v", err)
	}
}

// advance moves both clocks (the simulator's clock is the test's).
func (k *kb) advance(d time.Duration) { k.clk.Advance(d) }

// useToken calls BATCHDA with the token: anything but 401/403 means the bank
// accepted it (the empty batch itself is refused with 400).
func (k *kb) useToken(t *testing.T, tok string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", k.url+kbsim.PathBatchPayments, strings.NewReader(`{}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("x-correlation-id", NewUUID())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestKBSimNoRotation(t *testing.T) {
	k := newKB(t, nil)
	p := &recPersist{}
	s := k.source(p)
	k.authorize(t, s)
	rt := p.stored(t).RefreshToken
	h := s.Health()
	// KB's refresh token is a JWT: its own exp-iat (~12 months) is used.
	if !h.Authorized || h.RefreshExpiry.Sub(t0) != 31556926*time.Second || h.AccessExpiry.Sub(t0) != 179*time.Second {
		t.Fatalf("health after exchange %+v", h)
	}
	ctx := context.Background()
	prev := ""
	for i := range 5 {
		tok, err := s.Token(ctx)
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		if tok == prev {
			t.Fatalf("round %d: not refreshed", i)
		}
		if code := k.useToken(t, tok); code == 401 || code == 403 {
			t.Fatalf("round %d: BATCHDA refused the token: %d", i, code)
		}
		prev = tok
		if st := p.stored(t); st.RefreshToken != rt {
			t.Fatalf("round %d: the refresh token changed without rotation", i)
		}
		k.advance(150 * time.Second)
	}
	// exchange + 4 refreshes (the first Token reused the exchange's token).
	if n := k.calls.Load(); n != 5 {
		t.Errorf("%d token calls, want 5", n)
	}
	// An access token past its life is refused by the bank; the Source
	// never hands one out.
	k.advance(200 * time.Second)
	if code := k.useToken(t, prev); code != 401 {
		t.Errorf("expired token: %d", code)
	}
}

func TestKBSimRotation(t *testing.T) {
	k := newKB(t, func(c *kbsim.Config) { c.RotateRefreshTokens = true })
	p := &recPersist{}
	s := k.source(p)
	k.authorize(t, s)
	ctx := context.Background()
	seen := map[string]bool{p.stored(t).RefreshToken: true}
	var snapshot []byte
	for i := range 3 {
		if i == 1 {
			snapshot = append([]byte(nil), p.data...) // a backup taken mid-life
		}
		k.advance(150 * time.Second)
		tok, err := s.Token(ctx)
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		rt := p.stored(t).RefreshToken
		if seen[rt] {
			t.Fatalf("round %d: the rotated refresh token was not saved", i)
		}
		seen[rt] = true
		if code := k.useToken(t, tok); code == 401 || code == 403 {
			t.Fatalf("round %d: %d", i, code)
		}
	}
	// Restoring the old backup presents a rotated-out token: invalid_grant.
	k.advance(150 * time.Second)
	stale := k.source(&recPersist{data: snapshot})
	_, err := stale.Token(ctx)
	if !errors.Is(err, ErrReauthorize) {
		t.Fatalf("reuse of a rotated token: %v", err)
	}
	if h := stale.Health(); !h.NeedsReauthorization || h.Reason != ReasonInvalidGrant {
		t.Errorf("health %+v", h)
	}
	before := k.calls.Load()
	if _, err := stale.Token(ctx); !errors.Is(err, ErrReauthorize) || k.calls.Load() != before {
		t.Errorf("called again after invalid_grant: %v", err)
	}
	// Without reuse detection the live Source is unaffected.
	if _, err := s.Token(ctx); err != nil {
		t.Errorf("live source: %v", err)
	}
}

func TestKBSimReuseRevokesFamily(t *testing.T) {
	k := newKB(t, func(c *kbsim.Config) { c.RotateRefreshTokens, c.ReuseRevokesFamily = true, true })
	p := &recPersist{}
	s := k.source(p)
	k.authorize(t, s)
	snapshot := append([]byte(nil), p.data...)
	k.advance(150 * time.Second)
	if _, err := s.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := k.source(&recPersist{data: snapshot}).Token(context.Background()); !errors.Is(err, ErrReauthorize) {
		t.Fatalf("stale: %v", err)
	}
	k.advance(150 * time.Second)
	if _, err := s.Token(context.Background()); !errors.Is(err, ErrReauthorize) {
		t.Fatalf("the family should be revoked: %v", err)
	}
	k.authorize(t, s)
	if _, err := s.Token(context.Background()); err != nil {
		t.Fatalf("after re-authorisation: %v", err)
	}
}

func TestKBSimCrashAfterTokenCall(t *testing.T) {
	k := newKB(t, func(c *kbsim.Config) { c.RotateRefreshTokens = true })
	p := &recPersist{}
	k.authorize(t, k.source(p))
	for i := range 3 { // each round: one refresh, then the process dies
		k.advance(150 * time.Second)
		if _, err := k.source(p).Token(context.Background()); err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
	}
	if h := k.source(p).Health(); !h.Authorized || h.NeedsReauthorization {
		t.Errorf("health %+v", h)
	}
}

func TestKBSimRateLimit(t *testing.T) {
	k := newKB(t, func(c *kbsim.Config) { c.TokenRateLimit = 2 })
	s := k.source(&recPersist{})
	k.authorize(t, s) // 1
	ctx := context.Background()
	if _, err := s.ForceRefresh(ctx); err != nil { // 2
		t.Fatal(err)
	}
	_, err := s.ForceRefresh(ctx) // 3: over the limit
	var te *TokenError
	if !errors.Is(err, ErrRateLimited) || !errors.As(err, &te) || te.RetryAfter <= 0 || te.RetryAfter > time.Minute {
		t.Fatalf("err %v", err)
	}
	calls := k.calls.Load()
	if _, err := s.ForceRefresh(ctx); !errors.Is(err, ErrRateLimited) || k.calls.Load() != calls {
		t.Fatalf("inside Retry-After: %v, %d calls", err, k.calls.Load()-calls)
	}
	// The cached token is still handed out meanwhile.
	if _, err := s.Token(ctx); err != nil {
		t.Errorf("cached token during the 429 window: %v", err)
	}
	k.advance(te.RetryAfter)
	if _, err := s.ForceRefresh(ctx); err != nil {
		t.Fatalf("after Retry-After: %v", err)
	}
	// An injected gateway 429 is classified the same way.
	if err := k.sim.ArmFault(kbsim.Fault{Path: "/oauth2/v3/access_token", Kind: kbsim.FaultStatus, Status: 429, RetryAfter: 7}); err != nil {
		t.Fatal(err)
	}
	k.advance(time.Minute)
	if _, err := s.ForceRefresh(ctx); !errors.As(err, &te) || !errors.Is(err, ErrRateLimited) || te.RetryAfter != 7*time.Second {
		t.Errorf("injected 429: %v", err)
	}
}

func TestKBSimConsentWithdrawnAndCodes(t *testing.T) {
	k := newKB(t, nil)
	p := &recPersist{}
	s := k.source(p)
	k.authorize(t, s)
	if n, err := k.sim.ExpireRefresh(simClient); err != nil || n != 1 {
		t.Fatalf("ExpireRefresh %d %v", n, err)
	}
	k.advance(150 * time.Second)
	if _, err := s.Token(context.Background()); !errors.Is(err, ErrReauthorize) {
		t.Fatalf("err %v", err)
	}
	// A code older than its 2 minutes is refused and changes nothing.
	code, _ := k.sim.Authorize(simClient, simRedirect, "")
	k.advance(121 * time.Second)
	if err := s.Exchange(context.Background(), code); !errors.Is(err, ErrReauthorize) {
		t.Fatalf("expired code: %v", err)
	}
	if !s.Health().NeedsReauthorization {
		t.Error("still needs re-authorisation")
	}
	k.authorize(t, s)
	if _, err := s.Token(context.Background()); err != nil || s.Health().NeedsReauthorization {
		t.Fatalf("after re-authorisation: %v", err)
	}
}

func TestKBSimWrongCredentials(t *testing.T) {
	k := newKB(t, nil)
	p := &recPersist{}
	k.authorize(t, k.source(p))
	k.advance(150 * time.Second)
	for _, c := range []struct {
		name   string
		mod    func(*Config)
		is     error
		status int
	}{
		{"secret", func(c *Config) { c.ClientSecret = "wrong-secret-value" }, ErrClientRejected, 401},
		{"apiKey", func(c *Config) { c.APIKey = kbsim.DefaultADAAAPIKey }, nil, 401},
		{"no redirect_uri", func(c *Config) { c.RedirectURI = "" }, nil, 400},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := Config{TokenURL: k.url + "/oauth2/v3/access_token", ClientID: simClient, ClientSecret: simSecret,
				RedirectURI: simRedirect, APIKey: kbsim.DefaultOAuthAPIKey, Now: k.clk.Now}
			c.mod(&cfg)
			_, err := New(cfg, p).Token(context.Background())
			var te *TokenError
			if !errors.As(err, &te) || te.Status != c.status || (c.is != nil && !errors.Is(err, c.is)) || errors.Is(err, ErrReauthorize) {
				t.Fatalf("err %v", err)
			}
			noSecrets(t, "error", err.Error(), simSecret, p.stored(t).RefreshToken)
		})
	}
	// Nothing above destroyed the stored authorisation.
	if _, err := k.source(p).Token(context.Background()); err != nil {
		t.Fatal(err)
	}
}
