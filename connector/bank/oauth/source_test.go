package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestTokenCachedThenRefreshedWithinMargin(t *testing.T) {
	b, clk := newBank(t), newClock()
	p, rt := authorized(t, b)
	s := newSource(b, clk, p)
	ctx := context.Background()

	at1, err := s.Token(ctx)
	if err != nil || at1 != b.lastAT {
		t.Fatalf("first Token = %q, %v; bank issued %q", at1, err, b.lastAT)
	}
	// The request is KB's: client_secret_post, redirect_uri on refresh, apiKey, UUID correlation id.
	f, h := b.form(0), b.headers[0]
	want := map[string]string{"grant_type": "refresh_token", "refresh_token": rt, "client_id": testClientID,
		"client_secret": testSecret, "redirect_uri": testRedirect}
	for k, v := range want {
		if f.Get(k) != v {
			t.Errorf("form %s = %q, want %q", k, f.Get(k), v)
		}
	}
	if len(f) != len(want) {
		t.Errorf("form has extra fields: %v", f)
	}
	if h.Get("apiKey") != testAPIKey || !uuidRE.MatchString(h.Get("x-correlation-id")) ||
		h.Get("Content-Type") != "application/x-www-form-urlencoded" || h.Get("Authorization") != "" {
		t.Errorf("headers %v", h)
	}

	// Cached until 30 s before the 179 s expiry.
	clk.Advance(148 * time.Second)
	if at, err := s.Token(ctx); err != nil || at != at1 || b.count() != 1 {
		t.Fatalf("at 148s: %q %v, calls %d; want cached", at, err, b.count())
	}
	clk.Advance(time.Second) // 149 s: within the margin
	at2, err := s.Token(ctx)
	if err != nil || at2 == at1 || b.count() != 2 {
		t.Fatalf("at 149s: %q %v, calls %d; want a refresh", at2, err, b.count())
	}
	st := p.stored(t)
	if st.AccessToken != at2 || !st.AccessExpiry.Equal(t0.Add(149*time.Second+179*time.Second)) || st.RefreshToken != rt || !st.InFlight.IsZero() {
		t.Errorf("stored %+v", st)
	}
	// The expiry counts from when the request was sent (the fake clock does
	// not move during the call, which is what a slow answer must not change).
	if h := s.Health(); !h.Authorized || h.NeedsReauthorization || h.Reason != "" || !h.RefreshedAt.Equal(t0.Add(149*time.Second)) {
		t.Errorf("health %+v", h)
	}
}

func TestConcurrentTokenSingleFlight(t *testing.T) {
	b, clk := newBank(t), newClock()
	p, _ := authorized(t, b)
	s := newSource(b, clk, p)
	gate := make(chan struct{})
	b.gate = gate

	const n = 64
	var wg sync.WaitGroup
	toks, errs := make([]string, n), make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := []func(context.Context) (string, error){s.Token, s.ForceRefresh}[i%2]
			toks[i], errs[i] = m(context.Background())
		}()
	}
	// Let every goroutine reach the wait before the bank answers.
	for b.count() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond)
	close(gate)
	wg.Wait()
	if b.count() != 1 {
		t.Fatalf("%d token calls, want 1", b.count())
	}
	for i := range n {
		if errs[i] != nil || toks[i] != b.lastAT {
			t.Fatalf("caller %d: %q %v", i, toks[i], errs[i])
		}
	}
}

func TestConcurrentFailureShared(t *testing.T) {
	b, clk := newBank(t), newClock()
	p, _ := authorized(t, b)
	s := newSource(b, clk, p)
	gate := make(chan struct{})
	b.gate = gate
	b.override = func(w http.ResponseWriter, _ url.Values) bool {
		w.WriteHeader(502)
		return true
	}
	var wg sync.WaitGroup
	var failed sync.WaitGroup
	for range 16 {
		wg.Add(1)
		failed.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Token(context.Background()); err != nil {
				failed.Done()
			}
		}()
	}
	for b.count() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(30 * time.Millisecond)
	close(gate)
	wg.Wait()
	failed.Wait() // all 16 failed
	if b.count() != 1 {
		t.Errorf("a failed refresh was repeated by its waiters: %d calls", b.count())
	}
}

func TestRotationSavedBeforeTokenReturns(t *testing.T) {
	b, clk := newBank(t), newClock()
	b.rotate = true
	p, rt1 := authorized(t, b)
	s := newSource(b, clk, p)

	// Save blocks: while the rotated token is being saved, nobody may hold
	// the new access token.
	p.block, p.started = make(chan struct{}), make(chan struct{}, 4)
	got := make(chan string, 2)
	for range 2 {
		go func() { tok, _ := s.Token(context.Background()); got <- tok }()
	}
	<-p.started // journal save
	p.block <- struct{}{}
	<-p.started // the save of the answer
	select {
	case tok := <-got:
		t.Fatalf("Token returned %q before the rotated refresh token was saved", tok)
	case <-time.After(50 * time.Millisecond):
	}
	p.block <- struct{}{} // the save completes
	for range 2 {
		if tok := <-got; tok != b.lastAT {
			t.Fatalf("Token = %q, want %q", tok, b.lastAT)
		}
	}
	p.mu.Lock()
	p.block = nil
	p.mu.Unlock()
	st := p.stored(t)
	if st.RefreshToken == rt1 || !b.live[st.RefreshToken] || st.AccessToken != b.lastAT {
		t.Fatalf("stored refresh token is not the rotated one: %+v", st)
	}
	// The next refresh presents the rotated token.
	clk.Advance(150 * time.Second)
	if _, err := s.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := b.form(1).Get("refresh_token"); got != st.RefreshToken {
		t.Errorf("second refresh sent %.10s…, want the rotated %.10s…", got, st.RefreshToken)
	}
}

func TestSaveFailureKeepsNewRefreshToken(t *testing.T) {
	b, clk := newBank(t), newClock()
	b.rotate = true
	p, rt1 := authorized(t, b)
	diskFull := errors.New("disk full")
	p.fail = func(n int, _ []byte) error {
		if n == 2 { // 1 is the journal, 2 the answer
			return diskFull
		}
		return nil
	}
	s := newSource(b, clk, p)
	ctx := context.Background()
	tok, err := s.Token(ctx)
	if err == nil || !errors.Is(err, ErrNotSaved) || !errors.Is(err, diskFull) || tok != "" {
		t.Fatalf("Token = %q, %v; want ErrNotSaved and no token", tok, err)
	}
	noSecrets(t, "error", err.Error(), rt1, b.lastAT)
	if h := s.Health(); !strings.Contains(h.Reason, "not saved") || !strings.Contains(h.LastError, "disk full") {
		t.Errorf("health %+v", h)
	}
	// Durable state still has the old token and the journal entry.
	if st := p.stored(t); st.RefreshToken != rt1 || st.InFlight.IsZero() {
		t.Errorf("disk: %+v", st)
	}
	// The retry saves the token kept in memory, without another token call,
	// and only then hands out the access token.
	tok, err = s.Token(ctx)
	if err != nil || tok != b.lastAT || b.count() != 1 {
		t.Fatalf("retry: %q %v after %d calls", tok, err, b.count())
	}
	st := p.stored(t)
	if st.RefreshToken == rt1 || !b.live[st.RefreshToken] || !st.InFlight.IsZero() {
		t.Fatalf("the rotated token was not saved: %+v", st)
	}
	// Never the rotated-out one again.
	clk.Advance(170 * time.Second)
	if _, err := s.Token(ctx); err != nil {
		t.Fatal(err)
	}
	if b.form(1).Get("refresh_token") == rt1 {
		t.Error("refreshed with the rotated-out token")
	}
}

func TestSaveFailureWhileExpiredDoesNotCallBank(t *testing.T) {
	b, clk := newBank(t), newClock()
	b.rotate = true
	p, _ := authorized(t, b)
	var broken bool
	var mu sync.Mutex
	p.fail = func(n int, _ []byte) error {
		mu.Lock()
		defer mu.Unlock()
		if n == 2 || broken {
			return errors.New("read-only file system")
		}
		return nil
	}
	s := newSource(b, clk, p)
	if _, err := s.Token(context.Background()); !errors.Is(err, ErrNotSaved) {
		t.Fatal(err)
	}
	mu.Lock()
	broken = true
	mu.Unlock()
	clk.Advance(10 * time.Minute) // the unsaved access token has expired too
	for range 3 {
		if _, err := s.Token(context.Background()); !errors.Is(err, ErrNotSaved) {
			t.Fatalf("want ErrNotSaved, got %v", err)
		}
	}
	if b.count() != 1 {
		t.Errorf("%d token calls while the rotated token was unsaved; want 1", b.count())
	}
}

func TestJournalSaveFailureNoCall(t *testing.T) {
	b, clk := newBank(t), newClock()
	p, rt := authorized(t, b)
	p.fail = func(int, []byte) error { return errors.New("EIO") }
	s := newSource(b, clk, p)
	_, err := s.Token(context.Background())
	if !errors.Is(err, ErrNotSaved) || !strings.Contains(err.Error(), "not attempted") {
		t.Fatalf("err %v", err)
	}
	if b.count() != 0 {
		t.Errorf("the bank was called although its answer could not be saved")
	}
	p.fail = nil
	if _, err := s.Token(context.Background()); err != nil || b.form(0).Get("refresh_token") != rt {
		t.Fatalf("after the store recovered: %v", err)
	}
}

// A crash right after the token call: everything Token returned had been
// saved, so a new Source on the same Persist carries on without
// re-authorisation, though the bank rotated and killed the old token.
func TestCrashAfterTokenCall(t *testing.T) {
	b, clk := newBank(t), newClock()
	b.rotate = true
	p, rt1 := authorized(t, b)
	old := newSource(b, clk, p)
	at, err := old.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	old = nil // crash: the process is gone with its memory

	restarted := newSource(b, clk, p)
	// Within the access token's life no token call is needed.
	if got, err := restarted.Token(context.Background()); err != nil || got != at || b.count() != 1 {
		t.Fatalf("restart: %q %v, calls %d", got, err, b.count())
	}
	clk.Advance(3 * time.Minute)
	if _, err := restarted.Token(context.Background()); err != nil {
		t.Fatalf("refresh after restart: %v", err)
	}
	if sent := b.form(1).Get("refresh_token"); sent == rt1 {
		t.Fatal("the restarted Source used the rotated-out token")
	}
	if h := restarted.Health(); h.NeedsReauthorization || !h.Authorized {
		t.Errorf("health %+v", h)
	}
}

// A crash after the bank rotated but before the answer was saved: the
// journal explains the invalid_grant that follows.
func TestCrashBeforeSaveIsExplained(t *testing.T) {
	b, clk := newBank(t), newClock()
	b.rotate = true
	p, _ := authorized(t, b)
	p.fail = func(n int, _ []byte) error {
		if n == 2 {
			return errors.New("killed") // stands in for the process dying here
		}
		return nil
	}
	crashed := newSource(b, clk, p)
	crashed.Token(context.Background())
	p.fail = nil

	restarted := newSource(b, clk, p)
	_, err := restarted.Token(context.Background())
	if !errors.Is(err, ErrReauthorize) {
		t.Fatalf("err %v", err)
	}
	h := restarted.Health()
	if !h.NeedsReauthorization || !strings.HasPrefix(h.Reason, ReasonInvalidGrant) || !strings.Contains(h.Reason, "rotated refresh token was probably lost") {
		t.Errorf("health %+v", h)
	}
}

func TestInvalidGrantStopsCalls(t *testing.T) {
	b, clk := newBank(t), newClock()
	p := &recPersist{}
	p.seed(t, state{RefreshToken: "rt-dead-" + randHex(8), RefreshExpiry: t0.Add(time.Hour * 24 * 200)})
	s := newSource(b, clk, p)
	ctx := context.Background()
	_, err := s.Token(ctx)
	var te *TokenError
	if !errors.Is(err, ErrReauthorize) || !errors.As(err, &te) || te.Code != "invalid_grant" || te.Status != 400 {
		t.Fatalf("err %v", err)
	}
	h := s.Health()
	if !h.NeedsReauthorization || h.Authorized || h.Reason != ReasonInvalidGrant {
		t.Errorf("health %+v", h)
	}
	for _, f := range []func(context.Context) (string, error){s.Token, s.ForceRefresh} {
		if _, err := f(ctx); !errors.Is(err, ErrReauthorize) {
			t.Errorf("later call: %v", err)
		}
	}
	// The state survives a restart: no hammering after a restart either.
	st := p.stored(t)
	if st.Reauthorize != ReasonInvalidGrant || st.RefreshToken != "" {
		t.Errorf("stored %+v", st)
	}
	s2 := newSource(b, clk, p)
	if _, err := s2.Token(ctx); !errors.Is(err, ErrReauthorize) || !s2.Health().NeedsReauthorization {
		t.Errorf("after restart: %v", err)
	}
	if b.count() != 1 {
		t.Fatalf("%d token calls, want 1", b.count())
	}
	// A person authorises again: Exchange clears it.
	code := b.issueCode()
	if err := s2.Exchange(ctx, code); err != nil {
		t.Fatal(err)
	}
	f := b.form(1)
	if f.Get("grant_type") != "authorization_code" || f.Get("code") != code || f.Get("redirect_uri") != testRedirect || f.Get("client_secret") != testSecret {
		t.Errorf("exchange form %v", f)
	}
	if tok, err := s2.Token(ctx); err != nil || tok != b.lastAT || b.count() != 2 {
		t.Fatalf("after Exchange: %q %v (calls %d)", tok, err, b.count())
	}
	h = s2.Health()
	if !h.Authorized || h.NeedsReauthorization || h.Reason != "" || !h.RefreshExpiry.Equal(t0.Add(DefaultRefreshLifetime)) {
		t.Errorf("health %+v", h)
	}
	if st := p.stored(t); st.Reauthorize != "" || !b.live[st.RefreshToken] || !st.AuthorizedAt.Equal(t0) {
		t.Errorf("stored %+v", st)
	}
}

func TestExchangeBadCodeKeepsTokens(t *testing.T) {
	b, clk := newBank(t), newClock()
	p, rt := authorized(t, b)
	s := newSource(b, clk, p)
	at, err := s.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	code := b.issueCode()
	if err := s.Exchange(context.Background(), code); err != nil {
		t.Fatal(err)
	}
	newRT := p.stored(t).RefreshToken
	if newRT == rt {
		t.Fatal("Exchange did not store the new refresh token")
	}
	at = b.lastAT
	err = s.Exchange(context.Background(), code) // used code
	if !errors.Is(err, ErrReauthorize) {
		t.Fatalf("reused code: %v", err)
	}
	noSecrets(t, "error", err.Error(), code, newRT, at)
	if tok, err := s.Token(context.Background()); err != nil || tok != at {
		t.Errorf("after a refused code: %q %v", tok, err)
	}
	if st := p.stored(t); st.RefreshToken != newRT || st.Reauthorize != "" {
		t.Errorf("a refused code changed the stored tokens: %+v", st)
	}
	if err := s.Exchange(context.Background(), ""); !errors.Is(err, ErrReauthorize) {
		t.Errorf("empty code: %v", err)
	}
}

func TestNothingStored(t *testing.T) {
	b, clk := newBank(t), newClock()
	s := newSource(b, clk, &recPersist{})
	if _, err := s.Token(context.Background()); !errors.Is(err, ErrReauthorize) {
		t.Fatalf("err %v", err)
	}
	if h := s.Health(); !h.NeedsReauthorization || h.Authorized || !strings.Contains(h.Reason, "no refresh token") {
		t.Errorf("health %+v", h)
	}
	if b.count() != 0 {
		t.Error("called the bank without a refresh token")
	}
}

func TestErrorClassification(t *testing.T) {
	cases := []struct {
		name       string
		status     int
		header     map[string]string
		body       string
		is         []error
		isNot      []error
		retryAfter time.Duration
		inErr      string
	}{
		{"invalid_client", 401, nil, `{"error":"invalid_client","error_description":"unknown client_id or wrong client_secret"}`,
			[]error{ErrClientRejected}, []error{ErrReauthorize, ErrRateLimited}, 0, "invalid_client"},
		{"invalid_request", 400, nil, `{"error":"invalid_request","error_description":"redirect_uri is missing"}`,
			nil, []error{ErrReauthorize, ErrClientRejected}, 0, "redirect_uri is missing"},
		{"KB gateway apiKey", 401, nil, `{"errors":[{"code":"UNAUTHORISED","message":"Invalid apiKey for this API"}]}`,
			nil, []error{ErrReauthorize}, 0, "UNAUTHORISED: Invalid apiKey"},
		{"429 seconds", 429, map[string]string{"Retry-After": "42"}, `{"errors":[{"code":"TOO_MANY_REQUESTS"}]}`,
			[]error{ErrRateLimited}, []error{ErrReauthorize}, 42 * time.Second, "retry after 42s"},
		{"429 date", 429, map[string]string{"Retry-After": t0.Add(90 * time.Second).Format(http.TimeFormat)}, ``,
			[]error{ErrRateLimited}, nil, 90 * time.Second, "HTTP 429"},
		{"500 plain", 500, nil, `Internal Server Error`, nil, []error{ErrReauthorize, ErrRateLimited}, 0, "HTTP 500"},
		{"504 WSO2 XML", 504, nil, `<am:fault><am:code>101504</am:code></am:fault>`, nil, nil, 0, "HTTP 504"},
		{"redirect", 302, map[string]string{"Location": "https://evil.example/"}, ``, nil, nil, 0, "redirect not followed"},
		{"200 not JSON", 200, nil, `<html>maintenance</html>`, []error{errBadAnswer}, nil, 0, "not a JSON object"},
		{"200 no access token", 200, nil, `{"token_type":"Bearer","expires_in":179}`, []error{errBadAnswer}, nil, 0, "no access_token"},
		{"200 MAC token", 200, nil, `{"access_token":"abc123456","token_type":"mac"}`, []error{errBadAnswer}, nil, 0, "not Bearer"},
		{"200 header injection", 200, nil, `{"access_token":"abc\r\nX-Evil: 1"}`, []error{errBadAnswer}, nil, 0, "outside visible ASCII"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, clk := newBank(t), newClock()
			b.override = func(w http.ResponseWriter, _ url.Values) bool {
				for k, v := range c.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(c.status)
				fmt.Fprint(w, c.body)
				return true
			}
			p, _ := authorized(t, b)
			s := newSource(b, clk, p)
			_, err := s.Token(context.Background())
			if err == nil {
				t.Fatal("no error")
			}
			for _, e := range c.is {
				if !errors.Is(err, e) {
					t.Errorf("%v is not %v", err, e)
				}
			}
			for _, e := range c.isNot {
				if errors.Is(err, e) {
					t.Errorf("%v is %v", err, e)
				}
			}
			if !strings.Contains(err.Error(), c.inErr) || !strings.Contains(err.Error(), "x-correlation-id") {
				t.Errorf("error %q lacks %q or the correlation id", err, c.inErr)
			}
			var te *TokenError
			if errors.As(err, &te) && te.RetryAfter != c.retryAfter {
				t.Errorf("RetryAfter %s, want %s", te.RetryAfter, c.retryAfter)
			}
			if h := s.Health(); h.NeedsReauthorization || h.LastError == "" {
				t.Errorf("health %+v", h)
			}
			// Retry is allowed on the next Token, except inside a 429's window.
			b.set(func() { b.override = nil })
			_, err = s.Token(context.Background())
			if c.status == 429 {
				if !errors.Is(err, ErrRateLimited) || b.count() != 1 {
					t.Fatalf("inside Retry-After: %v, calls %d", err, b.count())
				}
				clk.Advance(c.retryAfter)
				_, err = s.Token(context.Background())
			}
			if err != nil {
				t.Fatalf("retry: %v", err)
			}
			if h := s.Health(); h.LastError != "" || h.Reason != "" {
				t.Errorf("health after success %+v", h)
			}
		})
	}
}

func TestTransportErrorKeepsJournal(t *testing.T) {
	b, clk := newBank(t), newClock()
	p, rt := authorized(t, b)
	s := New(Config{TokenURL: "http://127.0.0.1:1/oauth2/v3/access_token", ClientID: testClientID,
		ClientSecret: testSecret, Now: clk.Now}, p)
	_, err := s.Token(context.Background())
	if err == nil || !strings.Contains(err.Error(), "refresh_token grant") {
		t.Fatalf("err %v", err)
	}
	noSecrets(t, "error", err.Error(), rt)
	if st := p.stored(t); st.InFlight.IsZero() || st.RefreshToken != rt {
		t.Errorf("journal %+v", st)
	}
}

func TestSecretsNeverLeak(t *testing.T) {
	b, clk := newBank(t), newClock()
	p, rt := authorized(t, b)
	code := b.issueCode()
	// A careless server echoes everything it got.
	b.override = func(w http.ResponseWriter, f url.Values) bool {
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"error":"invalid_request %s","error_description":"got secret=%s rt=%s code=%s"}`,
			f.Get("client_secret"), f.Get("client_secret"), f.Get("refresh_token"), f.Get("code"))
		return true
	}
	s := newSource(b, clk, p)
	_, err1 := s.Token(context.Background())
	err2 := s.Exchange(context.Background(), code)
	h1 := fmt.Sprintf("%+v %#v", s.Health(), s.Health())
	// A successful round: Health carries expiries, never the tokens.
	b.set(func() { b.override = nil })
	tok, err := s.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h2 := fmt.Sprintf("%+v %#v", s.Health(), s.Health())
	for i, txt := range []string{err1.Error(), err2.Error(), h1, h2} {
		noSecrets(t, fmt.Sprint("text ", i), txt, rt, code, tok)
	}
	if !strings.Contains(err1.Error(), "[REDACTED]") {
		t.Errorf("expected a redaction marker: %v", err1)
	}
}

func TestAccessLifetime(t *testing.T) {
	jwt := func(claims string) string {
		return "eyJhbGciOiJIUzI1NiJ9." + b64(claims) + ".c2ln"
	}
	cases := []struct {
		name      string
		expiresIn string // raw JSON, "" omits
		token     string
		want      time.Duration
	}{
		{"KB 179", "179", "", 179 * time.Second},
		{"string", `"300"`, "", 300 * time.Second},
		{"fraction truncated", "179.9", "", 179 * time.Second},
		{"missing", "", "", 60 * time.Second},
		{"zero", "0", "", 60 * time.Second},
		{"negative", "-5", "", 60 * time.Second},
		{"garbage", `"soon"`, "", 60 * time.Second},
		{"missing, JWT exp-iat", "", jwt(`{"iat":1781589600,"exp":1781589780}`), 180 * time.Second},
		{"expires_in wins over JWT", "100", jwt(`{"iat":1781589600,"exp":1781589780}`), 100 * time.Second},
		{"JWT exp only ignored", "", jwt(`{"exp":1781589780}`), 60 * time.Second},
		{"capped", "99999999", "", MaxLifetime},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, clk := newBank(t), newClock()
			tok := c.token
			b.override = func(w http.ResponseWriter, _ url.Values) bool {
				at := tok
				if at == "" {
					at = "at-" + randHex(8)
				}
				ei := ""
				if c.expiresIn != "" {
					ei = `,"expires_in":` + c.expiresIn
				}
				fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer"%s}`, at, ei)
				return true
			}
			p, _ := authorized(t, b)
			s := newSource(b, clk, p)
			if _, err := s.Token(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := s.Health().AccessExpiry.Sub(t0); got != c.want {
				t.Errorf("lifetime %s, want %s", got, c.want)
			}
		})
	}
}

func TestShortTokensDoNotRefreshEveryCall(t *testing.T) {
	b, clk := newBank(t), newClock()
	b.expiresIn = "20" // shorter than the 30 s margin
	p, _ := authorized(t, b)
	s := newSource(b, clk, p)
	for range 5 {
		if _, err := s.Token(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if b.count() != 1 {
		t.Errorf("%d calls; a 20 s token must be reused for its first half", b.count())
	}
}

func TestPersistedAccessTokenAndClockJumps(t *testing.T) {
	b, clk := newBank(t), newClock()
	p, _ := authorized(t, b)
	at, err := newSource(b, clk, p).Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	if got, _ := newSource(b, clk, p).Token(context.Background()); got != at || b.count() != 1 {
		t.Fatalf("restart within the token's life made a call (%d)", b.count())
	}
	// The clock went back before the token's issue: distrust it.
	clk.Advance(-2 * time.Hour)
	if got, _ := newSource(b, clk, p).Token(context.Background()); got == at || b.count() != 2 {
		t.Fatalf("a clock jump back kept the old token (%d calls)", b.count())
	}
}

func TestRejectedDeduplicates(t *testing.T) {
	b, clk := newBank(t), newClock()
	p, _ := authorized(t, b)
	s := newSource(b, clk, p)
	ctx := context.Background()
	old, err := s.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	toks := make([]string, 20)
	for i := range toks {
		wg.Add(1)
		go func() { defer wg.Done(); toks[i], _ = s.Rejected(ctx, old) }()
	}
	wg.Wait()
	if b.count() != 2 {
		t.Fatalf("%d calls for 20 concurrent 401s of the same token; want 2 (one refresh)", b.count())
	}
	for _, tok := range toks {
		if tok == old || tok != b.lastAT {
			t.Fatalf("got %q", tok)
		}
	}
	// ForceRefresh always refreshes.
	if tok, err := s.ForceRefresh(ctx); err != nil || tok == toks[0] || b.count() != 3 {
		t.Errorf("ForceRefresh %q %v (%d calls)", tok, err, b.count())
	}
}

func TestCallerCancelDoesNotLoseRotation(t *testing.T) {
	b, clk := newBank(t), newClock()
	b.rotate = true
	p, rt1 := authorized(t, b)
	gate := make(chan struct{})
	b.gate = gate
	s := newSource(b, clk, p)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { _, err := s.Token(ctx); done <- err }()
	for b.count() == 0 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	close(gate) // the bank answers after the caller gave up
	for {
		if st := p.stored(t); st.InFlight.IsZero() {
			if st.RefreshToken == rt1 || !b.live[st.RefreshToken] {
				t.Fatalf("rotation lost: %+v", st)
			}
			break
		}
		time.Sleep(time.Millisecond)
	}
	b.set(func() { b.gate = nil })
	if tok, err := s.Token(context.Background()); err != nil || tok != b.lastAT || b.count() != 1 {
		t.Errorf("%q %v (%d calls)", tok, err, b.count())
	}
}

func TestHealthWarnsBeforeRefreshExpiry(t *testing.T) {
	b, clk := newBank(t), newClock()
	p := &recPersist{}
	p.seed(t, state{RefreshToken: b.issueRefresh(), RefreshExpiry: t0.Add(40 * 24 * time.Hour)})
	s := newSource(b, clk, p)
	if h := s.Health(); h.RefreshExpiresSoon || h.Reason != "" || !h.Authorized {
		t.Errorf("40 days ahead: %+v", h)
	}
	clk.Advance(15 * 24 * time.Hour)
	h := s.Health()
	if !h.RefreshExpiresSoon || !h.Authorized || h.NeedsReauthorization || !strings.Contains(h.Reason, "in 25 days") {
		t.Errorf("25 days ahead: %+v", h)
	}
	clk.Advance(26 * 24 * time.Hour)
	h = s.Health()
	if !h.RefreshExpiresSoon || !h.NeedsReauthorization || !strings.Contains(h.Reason, "expired") {
		t.Errorf("expired: %+v", h)
	}
	// The estimate does not stop the bank from being asked once.
	if _, err := s.Token(context.Background()); err != nil || b.count() != 1 {
		t.Errorf("%v, %d calls", err, b.count())
	}
}

func TestCorruptStore(t *testing.T) {
	b, clk := newBank(t), newClock()
	p := &recPersist{data: []byte(`{"version":1,"refresh_token":"rt-x`)}
	s := newSource(b, clk, p)
	_, err := s.Token(context.Background())
	if err == nil || !errors.Is(err, errCorruptState) {
		t.Fatalf("err %v", err)
	}
	if h := s.Health(); h.Authorized || !strings.Contains(h.Reason, "unreadable") {
		t.Errorf("health %+v", h)
	}
	p.loadErr = errors.New("bbolt: timeout")
	if _, err := New(Config{TokenURL: b.url()}, p).Token(context.Background()); err == nil || !strings.Contains(err.Error(), "bbolt: timeout") {
		t.Errorf("load error: %v", err)
	}
	p.loadErr = nil
	// A new authorisation replaces the unreadable state.
	if err := s.Exchange(context.Background(), b.issueCode()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Token(context.Background()); err != nil || b.count() != 1 {
		t.Errorf("%v (%d calls)", err, b.count())
	}
}
