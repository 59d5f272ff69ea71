package kbsim

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Issuer is the iss of KB's CAAS tokens and of the authorization redirect.
const Issuer = "https://caas.kb.cz/openam/oauth2"

// OAuth errors (RFC 6749 §5.2) the token endpoint answers.
const (
	errInvalidRequest   = "invalid_request"
	errInvalidClient    = "invalid_client"
	errInvalidGrant     = "invalid_grant"
	errUnsupportedGrant = "unsupported_grant_type"
	errInvalidScope     = "invalid_scope"
)

// Control errors callers may branch on.
var (
	ErrUnknownClient = errors.New("kbsim: unknown client")
	ErrRedirectURI   = errors.New("kbsim: redirect_uri is not registered for the client")
	ErrScope         = errors.New("kbsim: scope not granted to the client")
)

// randomID is n random bytes, base64url without padding.
func randomID(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Authorize mints an authorization code as if the user had logged in and
// approved (the Go form of /autfe/ssologin and POST /_sim/authorize). scope
// is space-separated; empty asks for every scope the client holds.
func (s *Server) Authorize(clientID, redirectURI, scope string) (string, error) {
	cl, ok := s.c.clients[clientID]
	if !ok {
		return "", fmt.Errorf("%w %q", ErrUnknownClient, clientID)
	}
	if !cl.redirectOK(redirectURI) {
		return "", fmt.Errorf("%w: %q", ErrRedirectURI, redirectURI)
	}
	scopes := strings.Fields(scope)
	if len(scopes) == 0 {
		scopes = append([]string(nil), cl.Scopes...)
	}
	for _, sc := range scopes {
		if !cl.hasScope(sc) {
			return "", fmt.Errorf("%w: %q", ErrScope, sc)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	code := randomID(20)
	s.st.Codes[code] = &authCode{ClientID: clientID, RedirectURI: redirectURI, Scopes: scopes, IssuedAt: now, ExpiresAt: now.Add(s.cfg.CodeTTL)}
	for k, c := range s.st.Codes { // forget codes long expired (kept a while to name the error)
		if !now.Before(c.ExpiresAt.Add(time.Hour)) {
			delete(s.st.Codes, k)
		}
	}
	return code, s.persistLocked()
}

// handleLogin stands in for the browser flow: it auto-approves and redirects
// with a code (§4.4). Errors about the client or redirect_uri are never
// redirected (RFC 6749 §4.1.2.1).
func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	clientID, redirectURI, state := q.Get("client_id"), q.Get("redirect_uri"), q.Get("state")
	cl, ok := s.c.clients[clientID]
	if !ok {
		writeJSON(w, http.StatusBadRequest, oauthError{errInvalidClient, "unknown client_id"})
		return
	}
	if !cl.redirectOK(redirectURI) {
		writeJSON(w, http.StatusBadRequest, oauthError{errInvalidRequest, "redirect_uri does not match a registered one"})
		return
	}
	back := func(params url.Values) {
		u, _ := url.Parse(redirectURI) // registered URIs are the client's business; parse errors fall back to appending
		if state != "" {
			params.Set("state", state)
		}
		target := redirectURI + "?" + params.Encode()
		if u != nil {
			qq := u.Query()
			for k, v := range params {
				qq[k] = v
			}
			u.RawQuery = qq.Encode()
			target = u.String()
		}
		http.Redirect(w, r, target, http.StatusFound)
	}
	if q.Get("response_type") != "code" {
		back(url.Values{"error": {"unsupported_response_type"}})
		return
	}
	code, err := s.Authorize(clientID, redirectURI, q.Get("scope"))
	if errors.Is(err, ErrScope) {
		back(url.Values{"error": {errInvalidScope}, "error_description": {err.Error()}})
		return
	}
	if err != nil {
		serverError(w, err)
		return
	}
	back(url.Values{"code": {code}, "iss": {Issuer}, "client_id": {clientID}})
}

// oauthError is the RFC 6749 §5.2 error body.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description,omitempty"`
}

// TokenResponse is the token endpoint's answer (§4.5).
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token,omitempty"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope"`
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	oerr := func(status int, code, desc string) { writeJSON(w, status, oauthError{code, desc}) }
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(strings.ToLower(ct), "application/x-www-form-urlencoded") {
		oerr(http.StatusBadRequest, errInvalidRequest, "Content-Type must be application/x-www-form-urlencoded")
		return
	}
	if _, _, basic := r.BasicAuth(); basic {
		oerr(http.StatusUnauthorized, errInvalidClient, "client authentication method not allowed: use client_secret_post")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		oerr(http.StatusBadRequest, errInvalidRequest, "bad form: "+err.Error())
		return
	}
	f := r.PostForm
	cl, ok := s.c.clients[f.Get("client_id")]
	if !ok || !hmac.Equal([]byte(f.Get("client_secret")), []byte(cl.Secret)) {
		oerr(http.StatusUnauthorized, errInvalidClient, "unknown client_id or wrong client_secret")
		return
	}
	grant := f.Get("grant_type")
	if grant != "authorization_code" && grant != "refresh_token" {
		oerr(http.StatusBadRequest, errUnsupportedGrant, fmt.Sprintf("grant_type %q is not supported", grant))
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	if wait, limited := s.rateLimitedLocked(cl.ID, now); limited {
		w.Header().Set("Retry-After", strconv.Itoa(wait))
		writeJSON(w, http.StatusTooManyRequests, errorBody{Errors: []APIError{{Code: "TOO_MANY_REQUESTS",
			Message: fmt.Sprintf("more than %d token requests per minute; reuse the access token until it expires", s.cfg.TokenRateLimit)}}})
		return
	}
	var (
		resp   TokenResponse
		status int
		e      *oauthError
	)
	if grant == "authorization_code" {
		resp, e = s.exchangeCodeLocked(cl, f, now)
	} else {
		resp, e = s.refreshLocked(cl, f, now)
	}
	if e != nil {
		status = http.StatusBadRequest
		if perr := s.persistLocked(); perr != nil { // a reuse may have revoked a family
			serverError(w, perr)
			return
		}
		writeJSON(w, status, e)
		return
	}
	s.mints[cl.ID] = append(s.mints[cl.ID], now)
	if err := s.persistLocked(); err != nil {
		serverError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// rateLimitedLocked reports whether the client already minted the allowed
// number of tokens in the last minute, and how many seconds until one slot
// frees up.
func (s *Server) rateLimitedLocked(clientID string, now time.Time) (int, bool) {
	if s.cfg.TokenRateLimit < 0 {
		return 0, false
	}
	kept := s.mints[clientID][:0]
	for _, t := range s.mints[clientID] {
		if now.Sub(t) < time.Minute {
			kept = append(kept, t)
		}
	}
	s.mints[clientID] = kept
	if len(kept) < s.cfg.TokenRateLimit {
		return 0, false
	}
	wait := int(math.Ceil(kept[0].Add(time.Minute).Sub(now).Seconds()))
	return max(wait, 1), true
}

func (s *Server) exchangeCodeLocked(cl *Client, f url.Values, now time.Time) (TokenResponse, *oauthError) {
	c, ok := s.st.Codes[f.Get("code")]
	switch {
	case f.Get("code") == "":
		return TokenResponse{}, &oauthError{errInvalidRequest, "code is missing"}
	case !ok:
		return TokenResponse{}, &oauthError{errInvalidGrant, "unknown authorization code"}
	case c.ClientID != cl.ID:
		return TokenResponse{}, &oauthError{errInvalidGrant, "authorization code was issued to another client"}
	case c.Used:
		return TokenResponse{}, &oauthError{errInvalidGrant, "authorization code already used"}
	case !now.Before(c.ExpiresAt):
		return TokenResponse{}, &oauthError{errInvalidGrant, "authorization code expired"}
	case f.Get("redirect_uri") != c.RedirectURI:
		return TokenResponse{}, &oauthError{errInvalidGrant, "redirect_uri differs from the authorization request"}
	}
	c.Used = true
	family := randomID(9)
	at := s.mintLocked(kindAccess, cl.ID, c.Scopes, family, "authorization_code", now)
	rt := s.mintLocked(kindRefresh, cl.ID, c.Scopes, family, "authorization_code", now)
	return s.tokenResponse(at, rt, c.Scopes), nil
}

func (s *Server) refreshLocked(cl *Client, f url.Values, now time.Time) (TokenResponse, *oauthError) {
	raw := f.Get("refresh_token")
	if raw == "" {
		return TokenResponse{}, &oauthError{errInvalidRequest, "refresh_token is missing"}
	}
	if ru := f.Get("redirect_uri"); ru == "" && s.cfg.RequireRedirectURIOnRefresh {
		return TokenResponse{}, &oauthError{errInvalidRequest, "redirect_uri is missing"}
	} else if ru != "" && !cl.redirectOK(ru) {
		return TokenResponse{}, &oauthError{errInvalidGrant, "redirect_uri is not registered for the client"}
	}
	rec, _, err := s.lookupLocked(raw)
	switch {
	case err != nil || rec.Kind != kindRefresh:
		return TokenResponse{}, &oauthError{errInvalidGrant, "invalid refresh token"}
	case rec.ClientID != cl.ID:
		return TokenResponse{}, &oauthError{errInvalidGrant, "refresh token was issued to another client"}
	case rec.Revoked == revokedRotated:
		if s.cfg.ReuseRevokesFamily {
			s.revokeFamilyLocked(rec.Family, now)
		}
		return TokenResponse{}, &oauthError{errInvalidGrant, "refresh token was already rotated"}
	case rec.Revoked != "":
		return TokenResponse{}, &oauthError{errInvalidGrant, "refresh token revoked (" + rec.Revoked + "): authorise again"}
	case !now.Before(rec.ExpiresAt):
		return TokenResponse{}, &oauthError{errInvalidGrant, "refresh token expired: authorise again"}
	}
	at := s.mintLocked(kindAccess, cl.ID, rec.Scopes, rec.Family, "refresh_token", now)
	rt := ""
	if s.cfg.RotateRefreshTokens {
		t := now
		rec.RevokedAt, rec.Revoked = &t, revokedRotated
		rt = s.mintLocked(kindRefresh, cl.ID, rec.Scopes, rec.Family, "refresh_token", now)
	}
	return s.tokenResponse(at, rt, rec.Scopes), nil
}

func (s *Server) tokenResponse(at, rt string, scopes []string) TokenResponse {
	return TokenResponse{AccessToken: at, RefreshToken: rt, TokenType: "Bearer",
		ExpiresIn: int64(s.cfg.AccessTokenTTL/time.Second) - 1, Scope: strings.Join(scopes, " ")}
}

func (s *Server) revokeFamilyLocked(family string, now time.Time) {
	for _, t := range s.st.Tokens {
		if t.Family == family && t.Revoked == "" {
			at := now
			t.RevokedAt, t.Revoked = &at, revokedFamily
		}
	}
}

// jwtHeader is the fixed header of every token (sandbox tokens are HS256).
var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"JWT","alg":"HS256"}`))

// mintLocked issues a JWT-shaped token with KB's claims (§4.5), signed with
// the state's secret, and records it by jti. Expired tokens and tokens
// revoked a day ago are forgotten here so the state does not grow without
// bound.
func (s *Server) mintLocked(kind, clientID string, scopes []string, family, grant string, now time.Time) string {
	ttl := s.cfg.AccessTokenTTL
	if kind == kindRefresh {
		ttl = s.cfg.RefreshTokenTTL
	}
	for k, t := range s.st.Tokens {
		// Revoked ones are kept a day, long enough to name the reason
		// ("already rotated") to a client that presents one again.
		if !now.Before(t.ExpiresAt) ||
			(t.RevokedAt != nil && now.Sub(*t.RevokedAt) > 24*time.Hour) {
			delete(s.st.Tokens, k)
		}
	}
	jti := randomID(18)
	s.st.Tokens[jti] = &tokenRec{Kind: kind, ClientID: clientID, Scopes: append([]string(nil), scopes...),
		Family: family, IssuedAt: now, ExpiresAt: now.Add(ttl)}
	claims, _ := json.Marshal(map[string]any{
		"sub": "KBID=test", "cts": "OAUTH2_STATELESS_GRANT", "auditTrackingId": randomID(12),
		"iss": Issuer, "tokenName": kind, "token_type": "Bearer", "authGrantId": family,
		"aud": clientID, "nbf": now.Unix(), "grant_type": grant, "scope": scopes,
		"auth_time": now.Unix(), "realm": "/", "exp": now.Add(ttl).Unix(), "iat": now.Unix(),
		"expires_in": int64(ttl / time.Second), "jti": jti,
	})
	signing := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(claims)
	return signing + "." + s.sign(signing)
}

func (s *Server) sign(signing string) string {
	key, _ := hex.DecodeString(s.st.Secret)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(signing))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

var errBadToken = errors.New("malformed or forged token")

// lookupLocked verifies a token's signature and finds its record.
func (s *Server) lookupLocked(tok string) (*tokenRec, string, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] != jwtHeader {
		return nil, "", errBadToken
	}
	if !hmac.Equal([]byte(s.sign(parts[0]+"."+parts[1])), []byte(parts[2])) {
		return nil, "", errBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, "", errBadToken
	}
	var c struct {
		JTI string `json:"jti"`
	}
	if json.Unmarshal(raw, &c) != nil {
		return nil, "", errBadToken
	}
	rec, ok := s.st.Tokens[c.JTI]
	if !ok {
		return nil, "", errors.New("unknown or expired token")
	}
	return rec, c.JTI, nil
}

// bearer authenticates a resource call: a live access token of a configured
// client holding scope. It writes 401/403 itself and reports false then.
func (s *Server) bearer(w http.ResponseWriter, r *http.Request, scope string) (*Client, bool) {
	unauthorized := func(msg string) {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeJSON(w, http.StatusUnauthorized, errorBody{Errors: []APIError{{Error: "UNAUTHORISED", Message: msg}}})
	}
	h := r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(h, " ")
	if h == "" || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		unauthorized("Missing certificate or access token")
		return nil, false
	}
	s.mu.Lock()
	now := s.nowLocked()
	rec, _, err := s.lookupLocked(strings.TrimSpace(tok))
	var cl *Client
	var msg string
	switch {
	case err != nil || rec.Kind != kindAccess:
		msg = "invalid access token"
	case rec.Revoked != "":
		msg = "access token revoked"
	case !now.Before(rec.ExpiresAt):
		msg = "access token expired"
	default:
		var ok bool
		if cl, ok = s.c.clients[rec.ClientID]; !ok {
			msg = "client no longer registered"
		}
	}
	hasScope := rec != nil && contains(rec.Scopes, scope)
	s.mu.Unlock()
	if msg != "" {
		unauthorized(msg)
		return nil, false
	}
	if !hasScope || !cl.hasScope(scope) {
		writeJSON(w, http.StatusForbidden, errorBody{Errors: []APIError{{Error: "FORBIDDEN", Message: "access token lacks scope " + scope}}})
		return nil, false
	}
	return cl, true
}

// ExpireRefresh invalidates every refresh token of a client, as when the
// user's 12-month consent lapses: the next refresh gets invalid_grant and the
// client must authorise again. Access tokens already issued live out their
// few minutes. It returns how many refresh tokens were revoked.
func (s *Server) ExpireRefresh(clientID string) (int, error) {
	if _, ok := s.c.clients[clientID]; !ok {
		return 0, fmt.Errorf("%w %q", ErrUnknownClient, clientID)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	n := 0
	for _, t := range s.st.Tokens {
		if t.Kind == kindRefresh && t.ClientID == clientID && t.Revoked == "" && now.Before(t.ExpiresAt) {
			at := now
			t.RevokedAt, t.Revoked = &at, revokedControl
			n++
		}
	}
	return n, s.persistLocked()
}
