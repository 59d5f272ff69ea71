package oauth

import (
	"net/http"
	"time"
)

// Defaults for the Config fields left zero.
const (
	DefaultMargin          = 30 * time.Second               // KB access tokens live 180 s
	DefaultRefreshLifetime = 365*24*time.Hour + 6*time.Hour // KB: 12 months (31556926 s, rounded up)
	DefaultWarnBefore      = 30 * 24 * time.Hour            // Health warns this long before the refresh token expires
	DefaultRequestTimeout  = 30 * time.Second               // one token call, including its save
	DefaultAccessLifetime  = 60 * time.Second               // when neither expires_in nor the JWT says
	MaxLifetime            = 24 * time.Hour                 // cap on any access-token lifetime from the bank
	maxRetryAfter          = time.Hour                      // cap on a 429's Retry-After
	defaultRetryAfter      = 30 * time.Second               // 429 without Retry-After
)

// Config describes one OAuth2 client of one bank.
type Config struct {
	TokenURL        string       // e.g. https://api-gateway.kb.cz/oauth2/v3/access_token, or the sandbox
	ClientID        string       // sent in the form body
	ClientSecret    string       // client_secret_post: credentials in the form body, never a Basic header
	RedirectURI     string       // sent on the code exchange and, when set, on refresh too (KB wants it)
	APIKey          string       // sent as header "apiKey" when set (KB's OAuth2 key)
	HTTP            *http.Client // default: a client with RequestTimeout; redirects are never followed either way
	Now             func() time.Time
	Margin          time.Duration // refresh this long before access-token expiry; default 30s
	RefreshLifetime time.Duration // assumed refresh-token lifetime when the answer does not say; default 12 months
	CorrelationID   func() string // x-correlation-id per call (UUID v4); default crypto/rand UUID

	// Beyond the brief's fields:
	WarnBefore     time.Duration // Health flags the refresh token this long before it expires; default 30 days
	RequestTimeout time.Duration // bound on one token call and its save, detached from callers; default 30s
}

// Persist is where tokens live durably (the daemon backs it with bbolt; tests
// with a map or a real bbolt file). Save must be durable when it returns
// (fsynced). The Source calls them one at a time.
type Persist interface {
	Load() ([]byte, error) // nil, nil when nothing is stored
	Save([]byte) error
}

func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Margin <= 0 {
		c.Margin = DefaultMargin
	}
	if c.RefreshLifetime <= 0 {
		c.RefreshLifetime = DefaultRefreshLifetime
	}
	if c.WarnBefore <= 0 {
		c.WarnBefore = DefaultWarnBefore
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
	if c.CorrelationID == nil {
		c.CorrelationID = NewUUID
	}
	hc := &http.Client{Timeout: c.RequestTimeout}
	if c.HTTP != nil {
		cp := *c.HTTP // a copy: the caller's client keeps its own redirect policy
		hc = &cp
	}
	// A 3xx on a POST would drop the form (and the secret could go to another
	// host); it is an error instead.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.HTTP = hc
	return c
}
