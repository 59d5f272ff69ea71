package daemon

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"erpconnector/connector/admin"
	"erpconnector/connector/bank/kb"
	"erpconnector/connector/bank/oauth"
	"erpconnector/connector/config"
	"erpconnector/connector/sandbox"
	"erpconnector/connector/sandbox/kbsim"
	"erpconnector/connector/store"
)

// KB's production endpoints (kb-batchda.md §2); each is configurable.
const (
	kbTokenURL     = "https://api-gateway.kb.cz/oauth2/v3/access_token"
	kbAuthorizeURL = "https://login.kb.cz/autfe/ssologin"
)

// tokenPersist keeps a bank's OAuth tokens in the store: a commit is fsynced
// before Save returns, which is what makes a rotated refresh token safe.
type tokenPersist struct {
	st  *store.Store
	key string
}

func (p tokenPersist) Load() ([]byte, error) {
	var v []byte
	err := p.st.View(func(tx *store.Tx) error {
		v = tx.GetKV(p.key)
		return nil
	})
	return v, err
}

func (p tokenPersist) Save(b []byte) error {
	// Crash tests kill here: before a token call (the journal entry) and
	// after its answer arrived but before it is durable (mid rotation).
	hook("token-save")
	return p.st.Update(func(tx *store.Tx) error { return tx.PutKV(p.key, b) })
}

// TokenKey is the store key of a bank's OAuth tokens.
func TokenKey(bankName string) string { return "oauth/" + bankName }

// TokenStore is where a bank's OAuth tokens are kept: in the store, durably.
func TokenStore(st *store.Store, bankName string) oauth.Persist {
	return tokenPersist{st: st, key: TokenKey(bankName)}
}

// KBOAuthConfig builds the OAuth configuration of a KB bank block (also used
// by `erpconnector kb authorize`). baseURL overrides the token URL's host for
// the sandbox.
func KBOAuthConfig(b *config.Bank, sandboxURL string) (oauth.Config, error) {
	cfg := oauth.Config{TokenURL: b.TokenURL, ClientID: b.ClientID, RedirectURI: b.RedirectURI,
		HTTP: httpClient(b.Timeout.Duration), Margin: b.TokenMargin.Duration}
	if cfg.TokenURL == "" {
		cfg.TokenURL = kbTokenURL
	}
	if sandboxURL != "" {
		cfg.TokenURL = sandboxURL + "/oauth2/v3/access_token"
		cfg.ClientID, cfg.ClientSecret, cfg.RedirectURI = sandbox.KBClientID, sandbox.KBClientSecret, sandbox.KBRedirectURI
		cfg.APIKey = kbsim.DefaultOAuthAPIKey
	}
	for _, s := range []struct {
		sec  config.Secret
		dest *string
		name string
	}{{b.ClientSecret, &cfg.ClientSecret, "client_secret"}, {b.OAuthAPIKey, &cfg.APIKey, "oauth_api_key"}} {
		if !s.sec.IsSet() {
			continue
		}
		v, err := s.sec.Resolve()
		if err != nil {
			return cfg, fmt.Errorf("%s: %w", s.name, err)
		}
		*s.dest = v
	}
	return cfg, nil
}

// connectKB builds the KB client; with url = "sandbox" it starts the KB
// simulator in-process and authorises against it, as a person would in the
// browser, so the sandbox runs without any setup.
func (d *Daemon) connectKB(b *config.Bank) (*kbConn, string, error) {
	base := b.URL
	sandboxURL := ""
	var sim *kbsim.Running
	if b.URL == config.SandboxURL {
		simCfg := sandbox.KBConfig()
		simCfg.RotateRefreshTokens = b.Sandbox.RotateRefreshTokens
		simCfg.AccessTokenTTL = b.Sandbox.AccessTokenTTL.Duration
		simCfg.ProcessAfter = b.Sandbox.ProcessAfter.Duration
		simCfg.StatePath = filepath.Join(filepath.Dir(d.cfg.Store.Path), "sandbox-"+b.Name+".json")
		listen := b.Sandbox.Listen
		if listen == "" {
			listen = "127.0.0.1:0"
		}
		run, err := kbsim.Start(listen, simCfg)
		if err != nil {
			return nil, "", fmt.Errorf("starting the KB sandbox: %w", err)
		}
		d.closer = append(d.closer, run.Close)
		sim, base, sandboxURL = run, run.URL, run.URL
		d.log.Info("KB sandbox started", "bank", b.Name, "url", run.URL, "control", run.URL+"/_sim/ledger")
	}
	ocfg, err := KBOAuthConfig(b, sandboxURL)
	if err != nil {
		return nil, "", err
	}
	ocfg.Now = d.opts.Now
	tokens := oauth.New(ocfg, TokenStore(d.st, b.Name))
	if sim != nil && !tokens.Health().Authorized {
		code, err := sim.Server.Authorize(sandbox.KBClientID, sandbox.KBRedirectURI, b.Scope)
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err = tokens.Exchange(ctx, code)
			cancel()
		}
		if err != nil {
			return nil, "", fmt.Errorf("authorising against the KB sandbox: %w", err)
		}
	}
	cl := &kb.Client{BaseURL: strings.TrimRight(base, "/"), HTTP: httpClient(b.Timeout.Duration), Tokens: tokens}
	if b.BatchAPIKey.IsSet() {
		if cl.APIKey, err = b.BatchAPIKey.Resolve(); err != nil {
			return nil, "", fmt.Errorf("batch_api_key: %w", err)
		}
	}
	if h := tokens.Health(); h.NeedsReauthorization || !h.Authorized {
		d.log.Error("KB needs authorisation: run `erpconnector kb authorize`; its routes wait", "bank", b.Name, "reason", h.Reason, "state", "re-authorisation needed")
	} else if w := b.ExpiryWarning.Duration; !h.RefreshExpiry.IsZero() && time.Until(h.RefreshExpiry) < w {
		d.log.Warn("KB authorisation expires soon: run `erpconnector kb authorize` before then", "bank", b.Name, "expires", h.RefreshExpiry)
	}
	return &kbConn{client: cl, tokens: tokens, batchStatus: b.BatchStatus}, base, nil
}

// BankHealth reports the OAuth state of every bank that has one.
func (d *Daemon) BankHealth() []admin.BankHealth {
	var out []admin.BankHealth
	for name, b := range d.banks {
		if b.kb == nil {
			continue
		}
		h := b.kb.tokens.Health()
		out = append(out, admin.BankHealth{Bank: name, Authorized: h.Authorized, NeedsReauth: h.NeedsReauthorization,
			Reason: h.Reason, RefreshExpiry: h.RefreshExpiry, ExpiresSoon: h.RefreshExpiresSoon})
	}
	return out
}
