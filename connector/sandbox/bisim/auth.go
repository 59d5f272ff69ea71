package bisim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// authHeader is the decoded Authorization JSON object.
type authHeader struct {
	ServiceProvider string     `json:"serviceProvider"`
	Account         string     `json:"account"`
	Time            string     `json:"time"`
	RequestID       string     `json:"requestId"`
	User            string     `json:"user"`
	Hash            []hashItem `json:"hash"`
}

type hashItem struct {
	ID   string `json:"id"`
	Hash string `json:"hash"`
}

// AuthError is why a request was answered 401 Invalid Signature. Code is one
// of the AuthXxx constants and appears in the error body.
type AuthError struct {
	Code string
	Text string
}

func (e *AuthError) Error() string { return "bisim: unauthorized: " + e.Code + ": " + e.Text }

// Codes in the (invented) 401 body. The real service's body is unknown.
const (
	AuthHeader        = "AUTH_HEADER"    // missing, not Base64, not JSON, required member empty
	AuthERP           = "AUTH_ERP"       // unknown serviceProvider
	AuthAccount       = "AUTH_ACCOUNT"   // unknown account, or not linked to the ERP
	AuthTime          = "AUTH_TIME"      // time malformed or outside MaxSkew
	AuthHashCount     = "AUTH_HASHCOUNT" // wrong number of hash objects or wrong ids
	AuthHash          = "AUTH_HASH"      // an HMAC does not match
	AuthRequestID     = "AUTH_REQUESTID" // header requestId differs from body/query
	invalidSignatureR = "Invalid Signature"
)

func authErr(code, format string, args ...any) *AuthError {
	return &AuthError{Code: code, Text: fmt.Sprintf(format, args...)}
}

// parseAuthorization decodes the header value: an optional "Basic " prefix in
// any case (clients send Basic, BASIC or nothing), standard padded Base64 of
// UTF-8 JSON. It checks structure only; identity and hashes come later.
func parseAuthorization(v string) (authHeader, *AuthError) {
	var h authHeader
	v = strings.TrimSpace(v)
	if v == "" {
		return h, authErr(AuthHeader, "Authorization header missing")
	}
	if len(v) > 6 && strings.EqualFold(v[:6], "basic ") {
		v = strings.TrimSpace(v[6:])
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(v)
	if err != nil {
		return h, authErr(AuthHeader, "Authorization is not Base64: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if err := dec.Decode(&h); err != nil {
		return h, authErr(AuthHeader, "Authorization is not the JSON authorization object: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return h, authErr(AuthHeader, "Authorization has data after the JSON object")
	}
	switch {
	case h.ServiceProvider == "":
		return h, authErr(AuthHeader, "serviceProvider missing")
	case h.Account == "":
		return h, authErr(AuthHeader, "account missing")
	case h.Time == "":
		return h, authErr(AuthHeader, "time missing")
	case h.RequestID == "":
		return h, authErr(AuthHeader, "requestId missing")
	case len(h.Hash) == 0:
		return h, authErr(AuthHeader, "hash missing")
	}
	return h, nil
}

// identity is an authenticated caller, before its hashes are checked.
type identity struct {
	hdr     authHeader
	key     []byte
	account *Account
	token   string // lowercase hex SHA-256 of the integration code
	now     string // yyyyMMddHHmmss rebuilt from hdr.Time
}

// identify resolves ERP and account and checks the time window against the
// real clock (wall), not the simulated one: clients sign with their own clock.
func (s *Server) identify(h authHeader, wall time.Time) (identity, *AuthError) {
	id := identity{hdr: h}
	key, ok := s.c.keys[h.ServiceProvider]
	if !ok {
		return id, authErr(AuthERP, "unknown serviceProvider %q", h.ServiceProvider)
	}
	acct, ok := s.c.accounts[h.Account]
	if !ok || !acct.linked(h.ServiceProvider) {
		return id, authErr(AuthAccount, "account %q is not linked to %q", h.Account, h.ServiceProvider)
	}
	t, err := time.Parse(authTimeLayout, h.Time)
	if err != nil {
		return id, authErr(AuthTime, "time %q is not yyyy-MM-ddTHH:mm:ss (UTC, no offset)", h.Time)
	}
	skew := wall.Sub(t)
	if skew < 0 {
		skew = -skew
	}
	if skew > s.cfg.MaxSkew {
		return id, authErr(AuthTime, "time %s is %s away from the server clock (max %s)", h.Time, skew.Round(time.Second), s.cfg.MaxSkew)
	}
	sum := sha256.Sum256([]byte(acct.IntegrationCode))
	id.key, id.account, id.token, id.now = key, acct, hex.EncodeToString(sum[:]), t.Format(payloadNow)
	return id, nil
}

// signed is one hash object the server expects: its id and the
// transaction-specific payload fields (empty for non-payment requests).
type signed struct {
	ID, Currency, PayDate, Amount, CredAcc string
}

// payload is token#custacc#currency#reqid#paydate#amount#credacc#erp#payid#now.
func (id identity) payload(reqID string, x signed) string {
	return strings.Join([]string{id.token, id.hdr.Account, x.Currency, reqID, x.PayDate, x.Amount,
		x.CredAcc, id.hdr.ServiceProvider, x.ID, id.now}, "#")
}

func (id identity) mac(reqID string, x signed) string {
	m := hmac.New(sha256.New, id.key)
	m.Write([]byte(id.payload(reqID, x)))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// verify checks that the header carries exactly the expected hash objects, in
// order, each with a matching HMAC, and that requestIds agree. The Base64 text
// is compared, not the decoded bytes, so that a changed padding bit is a
// changed signature.
func (id identity) verify(bodyReqID string, want []signed) *AuthError {
	if id.hdr.RequestID != bodyReqID {
		return authErr(AuthRequestID, "header requestId %q differs from request's %q", id.hdr.RequestID, bodyReqID)
	}
	got := id.hdr.Hash
	if len(got) != len(want) {
		return authErr(AuthHashCount, "%d hash objects for %d expected", len(got), len(want))
	}
	for i := range want {
		if got[i].ID != want[i].ID {
			return authErr(AuthHashCount, "hash[%d].id is %q, expected %q", i, got[i].ID, want[i].ID)
		}
	}
	bad := 0
	first := -1
	for i := range want {
		exp := id.mac(bodyReqID, want[i])
		if subtle.ConstantTimeCompare([]byte(exp), []byte(got[i].Hash)) != 1 {
			bad++
			if first < 0 {
				first = i
			}
		}
	}
	if bad > 0 {
		return authErr(AuthHash, "hash[%d] (id %q) does not match (%d of %d wrong)", first, want[first].ID, bad, len(want))
	}
	return nil
}
