package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"erpconnector/connector/bank/oauth"
	"erpconnector/connector/config"
	"erpconnector/connector/daemon"
	"erpconnector/connector/store"
)

func init() {
	register("kb", "Komerční banka: `kb authorize` obtains the OAuth2 tokens (once, then every 12 months)", cmdKB)
}

func cmdKB(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "authorize" {
		fmt.Fprintln(stderr, "usage: erpconnector kb authorize [--config FILE] [--bank NAME]")
		return exitError(2)
	}
	fs := newFlags("kb authorize", stderr)
	cfgPath := fs.String("config", "erpconnector.toml", "configuration file")
	bankName := fs.String("bank", "", "the [[bank]] of kind kb (default: the only one)")
	wait := fs.Duration("wait", 5*time.Minute, "how long to wait for the browser to come back")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath, stderr)
	if err != nil {
		return err
	}
	b, err := kbBank(cfg, *bankName)
	if err != nil {
		return err
	}
	if b.URL == config.SandboxURL {
		return errors.New("a sandbox bank authorises itself when the daemon starts; nothing to do")
	}
	ocfg, err := daemon.KBOAuthConfig(b, "")
	if err != nil {
		return err
	}
	redirect, err := url.Parse(b.RedirectURI)
	if err != nil || redirect.Scheme != "http" || !isLoopback(redirect.Hostname()) || redirect.Port() == "" {
		return fmt.Errorf("redirect_uri %q must be a registered http://127.0.0.1:PORT/... loopback address so this command can receive the code", b.RedirectURI)
	}
	st, err := store.Open(cfg.Store.Path)
	if errors.Is(err, store.ErrLocked) {
		return errors.New("stop the daemon first: the tokens are written into its store")
	}
	if err != nil {
		return err
	}
	defer st.Close()
	tokens := oauth.New(ocfg, daemon.TokenStore(st, b.Name))

	var nonce [16]byte
	rand.Read(nonce[:])
	state := hex.EncodeToString(nonce[:])
	authURL := b.AuthorizeURL
	if authURL == "" {
		authURL = "https://login.kb.cz/autfe/ssologin"
	}
	q := url.Values{"response_type": {"code"}, "client_id": {b.ClientID}, "redirect_uri": {b.RedirectURI}, "scope": {b.Scope}, "state": {state}}
	ln, err := net.Listen("tcp", redirect.Host)
	if err != nil {
		return fmt.Errorf("listening on %s for the redirect: %w", redirect.Host, err)
	}
	codes := make(chan string, 1)
	fail := make(chan error, 1)
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != redirect.Path {
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("state") != state {
			http.Error(w, "state does not match: start again", http.StatusBadRequest)
			fail <- errors.New("the redirect carried a different state: start again")
			return
		}
		if e := r.URL.Query().Get("error"); e != "" {
			http.Error(w, "KB refused: "+e, http.StatusBadRequest)
			fail <- fmt.Errorf("KB answered %s", e)
			return
		}
		fmt.Fprintln(w, "erpconnector received the authorisation; you can close this window.")
		codes <- r.URL.Query().Get("code")
	})}
	go srv.Serve(ln)
	defer srv.Close()

	fmt.Fprintf(stdout, "Open this address in a browser, log in to KB and confirm access for %s:\n\n  %s?%s\n\nWaiting for the redirect to %s …\n", b.ClientID, authURL, q.Encode(), b.RedirectURI)
	var code string
	select {
	case code = <-codes:
	case err := <-fail:
		return err
	case <-time.After(*wait):
		return fmt.Errorf("no redirect within %s", *wait)
	}
	// The code is valid for two minutes: exchange it at once.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := tokens.Exchange(ctx, code); err != nil {
		return fmt.Errorf("exchanging the code: %w", err)
	}
	h := tokens.Health()
	fmt.Fprintf(stdout, "Authorised. The authorisation is kept in %s and is valid until %s; renew it before then.\n", cfg.Store.Path, h.RefreshExpiry.Format("2006-01-02"))
	return nil
}

func kbBank(cfg *config.Config, name string) (*config.Bank, error) {
	var found *config.Bank
	for i := range cfg.Banks {
		b := &cfg.Banks[i]
		if b.Kind != config.KindKB || (name != "" && b.Name != name) {
			continue
		}
		if found != nil {
			return nil, errors.New("several KB banks: choose one with --bank")
		}
		found = b
	}
	if found == nil {
		return nil, errors.New("no [[bank]] of kind kb in the configuration")
	}
	return found, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
