package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"
)

// Source hands out access tokens for one credential and is the only code
// that talks to its token endpoint. Safe for concurrent use.
type Source struct {
	cfg Config
	p   Persist

	mu      sync.Mutex
	loaded  bool
	st      state
	unsaved bool      // st holds tokens Persist has not accepted yet
	saveErr string    // why, for Health (redacted)
	lastErr string    // last failed token call, for Health (redacted)
	notUntl time.Time // 429: no token call before this
	flight  *flight   // the token call in progress, if any
}

// flight is one token call; everyone who needs its result waits on done.
type flight struct {
	exchange bool
	done     chan struct{}
	tok      string
	err      error
}

// New makes a Source. Nothing is read or sent until the first call. p must
// be durable for rotation safety; nil keeps tokens in memory only.
func New(cfg Config, p Persist) *Source {
	if p == nil {
		p = &memPersist{}
	}
	return &Source{cfg: cfg.withDefaults(), p: p}
}

// Health is the Source's state for status pages. It never contains a token.
type Health struct {
	Authorized           bool // tokens are stored and the bank has not refused them
	NeedsReauthorization bool // a person must run the authorization (Exchange) again
	Reason               string
	AccessExpiry         time.Time
	RefreshExpiry        time.Time // warn ahead of it (see RefreshExpiresSoon)
	RefreshedAt          time.Time

	RefreshExpiresSoon bool   // RefreshExpiry is within Config.WarnBefore, or past
	LastError          string // the last failed token call or save, redacted; "" after a success
}

type mode int

const (
	cached   mode = iota // Token
	forced               // ForceRefresh
	rejected             // Rejected
)

// Token returns the cached access token, refreshed when it is within Margin
// of expiry. Errors wrap ErrReauthorize, ErrRateLimited, ErrClientRejected or
// ErrNotSaved where those apply.
func (s *Source) Token(ctx context.Context) (string, error) { return s.token(ctx, cached, "") }

// ForceRefresh refreshes now, e.g. after a 401 (once; the caller does not
// loop). It joins a refresh already in flight instead of starting another.
func (s *Source) ForceRefresh(ctx context.Context) (string, error) { return s.token(ctx, forced, "") }

// Rejected is ForceRefresh for a resource call that got 401 with token: if
// the Source already holds a newer valid token it returns that without a
// call, so N concurrent 401s cause one refresh.
func (s *Source) Rejected(ctx context.Context, token string) (string, error) {
	return s.token(ctx, rejected, token)
}

func (s *Source) token(ctx context.Context, m mode, bad string) (string, error) {
	for {
		s.mu.Lock()
		if err := s.loadLocked(); err != nil {
			s.mu.Unlock()
			return "", err
		}
		if f := s.flight; f != nil {
			s.mu.Unlock()
			if err := wait(ctx, f); err != nil {
				return "", err
			}
			if f.exchange {
				continue // a new authorisation: look at the state it left
			}
			return f.tok, f.err // share the refresh's result, no second call
		}
		tok, f, err := s.decideLocked(m, bad)
		s.mu.Unlock()
		if f == nil {
			return tok, err
		}
		if err := wait(ctx, f); err != nil {
			return "", err
		}
		return f.tok, f.err
	}
}

// decideLocked answers from the state or starts a refresh (returned flight).
func (s *Source) decideLocked(m mode, bad string) (string, *flight, error) {
	if s.st.Reauthorize != "" {
		return "", nil, fmt.Errorf("oauth: %w: %s (no token call until the authorization is run again)", ErrReauthorize, s.st.Reauthorize)
	}
	if s.unsaved {
		if err := s.saveLocked(); err != nil {
			return "", nil, err
		}
	}
	now := s.cfg.Now()
	valid := s.accessValidLocked(now)
	switch {
	case m == cached && valid:
		return s.st.AccessToken, nil, nil
	case m == rejected && valid && bad != s.st.AccessToken:
		return s.st.AccessToken, nil, nil // another caller already replaced the rejected token
	}
	if s.st.RefreshToken == "" {
		return "", nil, fmt.Errorf("oauth: %w: no refresh token is stored; run the authorization", ErrReauthorize)
	}
	if now.Before(s.notUntl) {
		return "", nil, fmt.Errorf("oauth: %w: the bank asked to wait until %s", ErrRateLimited, s.notUntl.UTC().Format(time.RFC3339))
	}
	f := &flight{done: make(chan struct{})}
	s.flight = f
	go s.run(f, url.Values{"refresh_token": {s.st.RefreshToken}})
	return "", f, nil
}

// accessValidLocked: issued <= now < expiry-Margin. A clock that went back
// past the issue time makes the token invalid rather than longer-lived.
// The margin is at most half the token's lifetime, so a bank that issues
// tokens shorter than Margin is not asked for a new one on every call.
func (s *Source) accessValidLocked(now time.Time) bool {
	margin := min(s.cfg.Margin, s.st.AccessExpiry.Sub(s.st.RefreshedAt)/2)
	return s.st.AccessToken != "" && !now.Before(s.st.RefreshedAt) && now.Before(s.st.AccessExpiry.Add(-margin))
}

// Exchange trades an authorization code for the first tokens (the
// authorization_code grant) and persists them. It clears a "re-authorisation
// needed" state. A refused code (invalid_grant: used, expired, wrong
// redirect_uri) wraps ErrReauthorize and leaves the stored tokens alone.
func (s *Source) Exchange(ctx context.Context, code string) error {
	if code == "" {
		return fmt.Errorf("oauth: %w: empty authorization code", ErrReauthorize)
	}
	for {
		s.mu.Lock()
		if err := s.loadLocked(); err != nil {
			// A new authorisation is how an unreadable store is replaced.
			s.st, s.loaded, s.unsaved = state{}, true, false
		}
		if f := s.flight; f != nil {
			s.mu.Unlock()
			if err := wait(ctx, f); err != nil {
				return err
			}
			continue
		}
		if s.unsaved {
			// Its answer could not be saved either; and the unsaved tokens
			// must not be overwritten by nothing.
			if err := s.saveLocked(); err != nil {
				s.mu.Unlock()
				return err
			}
		}
		f := &flight{exchange: true, done: make(chan struct{})}
		s.flight = f
		s.mu.Unlock()
		go s.run(f, url.Values{"code": {code}})
		if err := wait(ctx, f); err != nil {
			return err
		}
		return f.err
	}
}

func wait(ctx context.Context, f *flight) error {
	select {
	case <-f.done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("oauth: waiting for the token call: %w", ctx.Err())
	}
}

// run performs one token call and settles the state. It is detached from
// every caller's context (bounded by RequestTimeout): abandoning a call that
// may rotate the refresh token would lose the answer.
func (s *Source) run(f *flight, form url.Values) {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
	defer cancel()
	grant := "refresh_token"
	if f.exchange {
		grant = "authorization_code"
	}
	defer func() {
		s.mu.Lock()
		s.flight = nil
		if f.err != nil {
			s.lastErr = f.err.Error()
		} else {
			s.lastErr = ""
		}
		s.mu.Unlock()
		close(f.done)
	}()

	s.mu.Lock()
	red := s.redactorLocked(form.Get("code"))
	interrupted := !s.st.InFlight.IsZero()
	sentAt := s.cfg.Now()
	prev := s.st.InFlight
	s.st.InFlight = sentAt
	if err := s.saveLocked(); err != nil {
		s.st.InFlight, s.unsaved = prev, false
		s.mu.Unlock()
		f.err = fmt.Errorf("oauth: %s grant not attempted, its answer could not be saved: %w", grant, err)
		return
	}
	s.mu.Unlock()

	o := s.post(ctx, grant, form, red)

	s.mu.Lock()
	defer s.mu.Unlock()
	red = append(red, o.resp.AccessToken, o.resp.RefreshToken)
	switch {
	case o.sendErr != nil:
		// The bank may have acted: the journal entry stays, so a later
		// invalid_grant is explained.
		f.err = o.sendErr
		return
	case o.httpErr != nil:
		f.err = o.httpErr
		s.settleRefusalLocked(f, o.httpErr, sentAt, interrupted)
		return
	}
	next := s.st
	next.InFlight = time.Time{}
	if o.resp.RefreshToken != "" || f.exchange {
		next.RefreshToken = o.resp.RefreshToken
		next.RefreshExpiry = time.Time{}
		if o.resp.RefreshToken != "" {
			next.RefreshExpiry = sentAt.Add(firstPositive(o.resp.RefreshLifetime, s.cfg.RefreshLifetime))
		}
	}
	if o.parseErr == nil {
		next.AccessToken = o.resp.AccessToken
		next.AccessExpiry = sentAt.Add(min(firstPositive(o.resp.AccessLifetime, DefaultAccessLifetime), MaxLifetime))
		next.RefreshedAt = sentAt
		next.Reauthorize = ""
		if f.exchange {
			next.AuthorizedAt = sentAt
		}
	} else if f.exchange && o.resp.RefreshToken == "" {
		next = s.st // nothing usable arrived: keep the old authorisation
		next.InFlight = time.Time{}
	} else if f.exchange {
		next.AccessToken, next.AccessExpiry, next.Reauthorize, next.AuthorizedAt = "", time.Time{}, "", sentAt
	}
	s.st = next
	s.notUntl = time.Time{}
	if err := s.saveLocked(); err != nil {
		f.err = err
		if o.parseErr != nil {
			f.err = errors.Join(o.parseErr, err)
		}
		return
	}
	if o.parseErr != nil {
		f.err = o.parseErr
		return
	}
	f.tok = next.AccessToken
}

// settleRefusalLocked updates the state after a non-2xx answer.
func (s *Source) settleRefusalLocked(f *flight, te *TokenError, sentAt time.Time, interrupted bool) {
	if te.Status >= 500 {
		return // a gateway error may hide a rotation done behind it: keep the journal
	}
	s.st.InFlight = time.Time{}
	switch {
	case te.Status == 429:
		s.notUntl = sentAt.Add(firstPositive(te.RetryAfter, defaultRetryAfter))
	case te.Code == "invalid_grant" && !f.exchange:
		reason := ReasonInvalidGrant
		if interrupted {
			reason += "; an earlier token call ended without a saved answer (crash or lost response), so a rotated refresh token was probably lost"
		}
		// The refused refresh token is dead; keep nothing that could be
		// sent again.
		s.st = state{RefreshedAt: s.st.RefreshedAt, AuthorizedAt: s.st.AuthorizedAt, Reauthorize: reason}
	}
	if err := s.saveLocked(); err != nil {
		f.err = errors.Join(f.err, err)
	}
}

// saveLocked persists s.st. On failure the state stays in memory, marked
// unsaved, and every later call retries the save before anything else.
func (s *Source) saveLocked() error {
	b, err := encodeState(s.st)
	if err == nil {
		err = s.p.Save(b)
	}
	if err != nil {
		s.unsaved = true
		red := s.redactorLocked("")
		s.saveErr = red.clean(err.Error(), 300)
		return fmt.Errorf("oauth: %w: %w", ErrNotSaved, red.wrap(err))
	}
	s.unsaved, s.saveErr = false, ""
	return nil
}

func (s *Source) loadLocked() error {
	if s.loaded {
		return nil
	}
	red := s.redactorLocked("")
	b, err := s.p.Load()
	if err != nil {
		return fmt.Errorf("oauth: loading tokens: %w", red.wrap(err))
	}
	st, err := decodeState(b)
	if err != nil {
		return fmt.Errorf("oauth: loading tokens: %w", err)
	}
	s.st, s.loaded = st, true
	return nil
}

func (s *Source) redactorLocked(code string) redactor {
	return redactor{s.cfg.ClientSecret, s.cfg.APIKey, s.st.RefreshToken, s.st.AccessToken, code}
}

// Health reports the state for status pages and alerts. It reads the store
// if nothing was loaded yet, never calls the bank, and never contains a token.
func (s *Source) Health() Health {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := Health{LastError: s.lastErr}
	if err := s.loadLocked(); err != nil {
		h.Reason = err.Error()
		h.LastError = err.Error()
		return h
	}
	now := s.cfg.Now()
	h.AccessExpiry, h.RefreshExpiry, h.RefreshedAt = s.st.AccessExpiry, s.st.RefreshExpiry, s.st.RefreshedAt
	h.RefreshExpiresSoon = s.st.RefreshToken != "" && !s.st.RefreshExpiry.IsZero() && now.Add(s.cfg.WarnBefore).After(s.st.RefreshExpiry)
	if s.saveErr != "" {
		h.LastError = s.saveErr
	}
	switch {
	case s.st.Reauthorize != "":
		h.NeedsReauthorization, h.Reason = true, s.st.Reauthorize
	case s.st.RefreshToken == "" && s.accessValidLocked(now):
		h.Authorized = true
		h.Reason = "the bank issued no refresh token: re-authorisation will be needed when the access token expires"
	case s.st.RefreshToken == "":
		h.NeedsReauthorization, h.Reason = true, "not authorised: no refresh token is stored; run the authorization"
	case s.unsaved:
		h.Authorized = true
		h.Reason = "new tokens are not saved yet (no token is handed out until they are): " + s.saveErr
	case h.RefreshExpiresSoon && !now.Before(s.st.RefreshExpiry):
		h.Authorized, h.NeedsReauthorization = true, true
		h.Reason = fmt.Sprintf("the refresh token expired on %s (by its stated lifetime): run the authorization again", s.st.RefreshExpiry.UTC().Format(time.DateOnly))
	case h.RefreshExpiresSoon:
		h.Authorized = true
		days := int(s.st.RefreshExpiry.Sub(now).Hours() / 24)
		h.Reason = fmt.Sprintf("the refresh token expires on %s (in %d days): run the authorization again before then", s.st.RefreshExpiry.UTC().Format(time.DateOnly), days)
	case s.lastErr != "":
		h.Authorized = true
		h.Reason = "last token call failed: " + s.lastErr
	default:
		h.Authorized = true
	}
	return h
}

func firstPositive(d ...time.Duration) time.Duration {
	for _, x := range d {
		if x > 0 {
			return x
		}
	}
	return 0
}

// memPersist keeps the state in memory (New with a nil Persist).
type memPersist struct{ b []byte }

func (m *memPersist) Load() ([]byte, error) { return m.b, nil }
func (m *memPersist) Save(b []byte) error   { m.b = append([]byte(nil), b...); return nil }
