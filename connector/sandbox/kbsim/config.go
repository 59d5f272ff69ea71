package kbsim

import (
	"errors"
	"fmt"
	"time"

	"erpconnector/formats/account"
	"erpconnector/formats/money"
)

// Scopes a KB client may hold (§4.3). bpisp is the one BATCHDA needs.
const (
	ScopeADAA     = "adaa"
	ScopeBPISP    = "bpisp"
	ScopeCardData = "card_data"
	ScopeSTATDA   = "statda"
)

// Default gateway keys when Config leaves them empty. They are public test
// values: they unlock nothing but the simulator.
const (
	DefaultOAuthAPIKey = "kbsim-oauth2-apikey"
	DefaultADAAAPIKey  = "kbsim-adaa-apikey"
)

// Account is a KB account a client has consented to for API use.
type Account struct {
	IBAN     string // normalised CZ IBAN (or any valid IBAN)
	Currency string // ISO 4217 account currency
	Name     string
	// OpeningBalance is the balance (minor units) before the simulator's
	// first movement; the ADAA balances start from it.
	OpeningBalance int64
}

// Client is an application registered by a KB client (§4.3's result): its
// OAuth credentials, where codes may be sent, what it may ask for and the
// accounts the user chose when authorising it.
type Client struct {
	ID           string
	Secret       string
	RedirectURIs []string // exact match
	Scopes       []string // default adaa + bpisp
	Accounts     []Account
}

// Config describes the simulated bank. Zero values select the documented
// defaults (kb-batchda.md §7) or the safest reading of an unknown.
type Config struct {
	Clients []Client
	Now     func() time.Time // the simulator's clock; default time.Now

	OAuthAPIKey string // apiKey of the OAuth2 API; default DefaultOAuthAPIKey
	ADAAAPIKey  string // apiKey of the ADAA API; default DefaultADAAAPIKey

	AccessTokenTTL  time.Duration // default 180s; expires_in is TTL-1s (179)
	RefreshTokenTTL time.Duration // default 31556926s (the JWT's expires_in, ~12 months)
	CodeTTL         time.Duration // authorization code; default 120s
	// RotateRefreshTokens makes a refresh grant return a new refresh token and
	// invalidate the presented one. KB documents no rotation (off).
	RotateRefreshTokens bool
	// ReuseRevokesFamily: presenting an already-rotated refresh token also
	// revokes every token descended from the same authorization (RFC 6819
	// §5.2.2.3 reuse detection). Off by default.
	ReuseRevokesFamily bool
	// RequireRedirectURIOnRefresh refuses a refresh grant without redirect_uri
	// (one implementer reports KB does, kb-batchda.md §4.5).
	RequireRedirectURIOnRefresh bool
	// TokenRateLimit is how many tokens one client may mint per minute before
	// 429; default 30, negative disables.
	TokenRateLimit int

	MaxItems          int  // per batch; default 100, above → TOO_MANY_PMTS
	MaxExchangeIDLen  int  // x-exchange-identification; default 18 (COBS); KB may use 14
	PartialAcceptance bool // accept valid items with ACWC instead of a whole-batch 400
	LenientKeys       bool // ignore unknown JSON keys instead of FIELD_INVALID
	AllowPastDates    bool // accept a requestedExecutionDate before today (Prague)
	// OptionalExecutionDate accepts items without requestedExecutionDate
	// (COBS allows it; the only known client always sends one). Such items
	// are booked on the day they are processed.
	OptionalExecutionDate bool
	// AllowAnyText skips the Czech payment character-set check (RF01) of
	// remittanceInformation.unstructured.
	AllowAnyText bool
	// DisableDuplicateCheck accepts a repeated x-exchange-identification as a
	// new batch instead of 400 AM05 (what KB presumably does; kb-batchda.md §10.2 14).
	DisableDuplicateCheck bool
	// AlwaysOnline echoes batchProcessingMode ONLINE whatever the header says
	// (the KB+ profile, kb-batchda.md §5.2).
	AlwaysOnline bool

	// ProcessAfter is how long a signed batch waits (AU) before the bank
	// processes it (PR); its items are then booked on their execution date.
	// Default 10s of the simulated clock.
	ProcessAfter time.Duration

	// Credits invents incoming payments on every consented account (off
	// when Credits.Every is 0, the default).
	Credits Credits
	// DownloadLimit answers ADAA 429 "Unchanged data download limit
	// reached" when a client repeats a query within DownloadWindow (default
	// 61 minutes) and the answer has not changed (kb-batchda.md §6). Off by
	// default.
	DownloadLimit  bool
	DownloadWindow time.Duration

	// StatePath, when set, persists the ledger, tokens and clock as JSON after
	// every change and is loaded by New when present.
	StatePath string
}

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("kbsim: invalid config")

func (c *Config) applyDefaults() {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.OAuthAPIKey == "" {
		c.OAuthAPIKey = DefaultOAuthAPIKey
	}
	if c.ADAAAPIKey == "" {
		c.ADAAAPIKey = DefaultADAAAPIKey
	}
	if c.AccessTokenTTL <= 0 {
		c.AccessTokenTTL = 180 * time.Second
	}
	if c.RefreshTokenTTL <= 0 {
		c.RefreshTokenTTL = 31556926 * time.Second
	}
	if c.CodeTTL <= 0 {
		c.CodeTTL = 120 * time.Second
	}
	if c.TokenRateLimit == 0 {
		c.TokenRateLimit = 30
	}
	if c.MaxItems <= 0 {
		c.MaxItems = 100
	}
	if c.MaxExchangeIDLen <= 0 {
		c.MaxExchangeIDLen = 18
	}
	if c.DownloadWindow <= 0 {
		c.DownloadWindow = 61 * time.Minute
	}
	if c.ProcessAfter <= 0 {
		c.ProcessAfter = 10 * time.Second
	}
}

// compiled is the validated, indexed form of a Config.
type compiled struct {
	clients map[string]*Client
}

func compile(c Config) (compiled, error) {
	out := compiled{clients: map[string]*Client{}}
	if c.OAuthAPIKey == c.ADAAAPIKey {
		return out, fmt.Errorf("%w: the OAuth2 and ADAA apiKeys must differ (one API's key must not open another)", ErrConfig)
	}
	if c.AccessTokenTTL < 2*time.Second {
		return out, fmt.Errorf("%w: AccessTokenTTL %s is shorter than 2s", ErrConfig, c.AccessTokenTTL)
	}
	if c.Credits.Every < 0 || c.Credits.MinMinor < 0 || c.Credits.MaxMinor < 0 ||
		(c.Credits.MaxMinor > 0 && c.Credits.MaxMinor < c.Credits.MinMinor) {
		return out, fmt.Errorf("%w: Credits: negative or MaxMinor below MinMinor", ErrConfig)
	}
	// An account consented by several clients is one account: the same
	// currency and opening balance everywhere, or ADAA would disagree.
	byIBAN := map[string]Account{}
	for _, cl := range c.Clients {
		for _, a := range cl.Accounts {
			if prev, ok := byIBAN[a.IBAN]; ok && (prev.Currency != a.Currency || prev.OpeningBalance != a.OpeningBalance) {
				return out, fmt.Errorf("%w: account %s: currency or opening balance differs between clients", ErrConfig, a.IBAN)
			}
			byIBAN[a.IBAN] = a
		}
	}
	for i := range c.Clients {
		cl := c.Clients[i]
		if cl.ID == "" || cl.Secret == "" {
			return out, fmt.Errorf("%w: client %d: empty client_id or client_secret", ErrConfig, i)
		}
		if _, dup := out.clients[cl.ID]; dup {
			return out, fmt.Errorf("%w: client %s listed twice", ErrConfig, cl.ID)
		}
		if len(cl.RedirectURIs) == 0 {
			return out, fmt.Errorf("%w: client %s: no redirect URI", ErrConfig, cl.ID)
		}
		if len(cl.Scopes) == 0 {
			cl.Scopes = []string{ScopeADAA, ScopeBPISP}
		}
		for _, sc := range cl.Scopes {
			if !knownScope(sc) {
				return out, fmt.Errorf("%w: client %s: unknown scope %q", ErrConfig, cl.ID, sc)
			}
		}
		seen := map[string]bool{}
		for j, a := range cl.Accounts {
			if err := account.ValidateIBAN(a.IBAN); err != nil {
				return out, fmt.Errorf("%w: client %s: account %d: %v", ErrConfig, cl.ID, j, err)
			}
			if _, ok := money.Exponent(a.Currency); !ok {
				return out, fmt.Errorf("%w: client %s: account %s: currency %q", ErrConfig, cl.ID, a.IBAN, a.Currency)
			}
			if seen[a.IBAN] {
				return out, fmt.Errorf("%w: client %s: account %s listed twice", ErrConfig, cl.ID, a.IBAN)
			}
			seen[a.IBAN] = true
		}
		cl.RedirectURIs = append([]string(nil), cl.RedirectURIs...)
		cl.Scopes = append([]string(nil), cl.Scopes...)
		cl.Accounts = append([]Account(nil), cl.Accounts...)
		out.clients[cl.ID] = &cl
	}
	return out, nil
}

func knownScope(s string) bool {
	switch s {
	case ScopeADAA, ScopeBPISP, ScopeCardData, ScopeSTATDA:
		return true
	}
	return false
}

func (cl *Client) hasScope(s string) bool { return contains(cl.Scopes, s) }

func (cl *Client) redirectOK(uri string) bool { return contains(cl.RedirectURIs, uri) }

func (cl *Client) account(iban string) (Account, bool) {
	for _, a := range cl.Accounts {
		if a.IBAN == iban {
			return a, true
		}
	}
	return Account{}, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
