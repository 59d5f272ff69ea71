package oauth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// maxTokenLen bounds one token; KB's JWTs are about 1.3 KB.
const maxTokenLen = 16 << 10

// tokenResponse is the useful part of a 2xx token answer (RFC 6749 §5.1).
// Lifetimes are 0 when the answer does not say.
type tokenResponse struct {
	AccessToken     string
	RefreshToken    string
	TokenType       string
	Scope           string
	AccessLifetime  time.Duration // expires_in, else the access JWT's exp-iat; 0: not said
	RefreshLifetime time.Duration // refresh_expires_in, else the refresh JWT's exp-iat; 0: not said
}

// errBadAnswer is wrapped by every parse failure.
var errBadAnswer = errors.New("unusable token answer")

// parseTokenResponse reads a 2xx answer. It is strict about what is used
// (access_token present, one line of visible ASCII, Bearer) and lenient about
// the rest (lifetimes in odd shapes are "not said"). Even when it returns an
// error, RefreshToken is set if the answer carried a well-formed one: the
// server may already have rotated, and the new refresh token must not be
// dropped. Error texts name fields, never values.
func parseTokenResponse(body []byte) (tokenResponse, error) {
	var out tokenResponse
	fields, err := topLevel(body)
	if err != nil {
		return out, err
	}
	str := func(key string) (string, bool, error) {
		raw, ok := fields[key]
		if !ok || string(raw) == "null" {
			return "", false, nil
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", true, fmt.Errorf("%w: %s is not a string", errBadAnswer, key)
		}
		return s, true, nil
	}
	// The refresh token first, so that it survives any later error.
	rt, present, rerr := str("refresh_token")
	if rerr == nil && present && rt != "" {
		if verr := validToken(rt); verr != nil {
			rerr = fmt.Errorf("%w: refresh_token %v", errBadAnswer, verr)
		} else {
			out.RefreshToken = rt
			out.RefreshLifetime = lifetime(fields["refresh_expires_in"])
			if out.RefreshLifetime == 0 {
				out.RefreshLifetime = jwtLifetime(rt)
			}
		}
	}
	at, present, err := str("access_token")
	switch {
	case err != nil:
		return out, err
	case !present || at == "":
		return out, fmt.Errorf("%w: no access_token", errBadAnswer)
	}
	if verr := validToken(at); verr != nil {
		return out, fmt.Errorf("%w: access_token %v", errBadAnswer, verr)
	}
	tt, _, err := str("token_type")
	if err != nil {
		return out, err
	}
	// KB's code-exchange example omits token_type; anything but Bearer would
	// be sent in the wrong header.
	if tt != "" && !strings.EqualFold(tt, "bearer") {
		return out, fmt.Errorf("%w: token_type is not Bearer", errBadAnswer)
	}
	if rerr != nil {
		return out, rerr
	}
	scope, _, _ := str("scope") // informational only
	out.AccessToken, out.TokenType, out.Scope = at, tt, printable(scope, 200)
	out.AccessLifetime = lifetime(fields["expires_in"])
	if out.AccessLifetime == 0 {
		out.AccessLifetime = jwtLifetime(at)
	}
	return out, nil
}

// topLevel splits a JSON object into its members, refusing duplicates: a
// second access_token that wins silently is not something to guess about.
func topLevel(body []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, fmt.Errorf("%w: not a JSON object", errBadAnswer)
	}
	fields := map[string]json.RawMessage{}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: malformed JSON", errBadAnswer)
		}
		key, _ := t.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("%w: malformed JSON", errBadAnswer)
		}
		if _, dup := fields[key]; dup {
			return nil, fmt.Errorf("%w: member %s appears twice", errBadAnswer, strconv.QuoteToASCII(printable(key, 40)))
		}
		fields[key] = raw
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%w: malformed JSON", errBadAnswer)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the JSON object", errBadAnswer)
	}
	return fields, nil
}

// validToken: RFC 6750 b64token / RFC 6749 VSCHAR, i.e. printable ASCII
// without spaces, so it cannot break the Authorization header it goes into.
func validToken(s string) error {
	if len(s) > maxTokenLen {
		return fmt.Errorf("longer than %d bytes", maxTokenLen)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7f {
			return fmt.Errorf("has a character outside visible ASCII at byte %d", i)
		}
	}
	return nil
}

// lifetime reads expires_in-like members: a JSON integer or a numeric string
// of seconds, a fraction truncated. Anything else, 0 or negative is "not
// said" (0). Capped at MaxLifetime for access tokens by the caller's use;
// here capped at 100 years only to stay clear of overflow.
func lifetime(raw json.RawMessage) time.Duration {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0
	}
	if s[0] == '"' {
		if json.Unmarshal(raw, &s) != nil {
			return 0
		}
		s = strings.TrimSpace(s)
	}
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 10 || strings.Trim(frac, "0123456789") != "" {
		return 0
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || n <= 0 {
		return 0
	}
	const maxSeconds = 100 * 366 * 24 * 3600
	return time.Duration(min(n, maxSeconds)) * time.Second
}

// jwtLifetime is exp-iat of a JWT's claims (0 when the token is not a JWT
// or either claim is missing). The signature is not checked: this is a
// hint about the token's own lifetime, and a difference, so the local clock's
// skew does not enter.
func jwtLifetime(tok string) time.Duration {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || len(parts[1]) > maxTokenLen {
		return 0
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return 0
	}
	var c struct {
		Exp json.Number `json:"exp"`
		Iat json.Number `json:"iat"`
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.UseNumber()
	if dec.Decode(&c) != nil {
		return 0
	}
	exp, err1 := strconv.ParseInt(string(c.Exp), 10, 64)
	iat, err2 := strconv.ParseInt(string(c.Iat), 10, 64)
	if err1 != nil || err2 != nil || exp <= iat || exp-iat > 100*366*24*3600 {
		return 0
	}
	return time.Duration(exp-iat) * time.Second
}

// errorAnswer is what a non-2xx body says: RFC 6749 §5.2 or KB's gateway
// envelope {"errors":[{"code"|"error","message"|"description"}]}. Both are
// untrusted text; the caller redacts.
type errorAnswer struct {
	Code        string
	Description string
}

func parseErrorResponse(body []byte) errorAnswer {
	var v struct {
		Error       json.RawMessage `json:"error"`
		Description json.RawMessage `json:"error_description"`
		Errors      []struct {
			Error       string `json:"error"`
			Code        string `json:"code"`
			ErrorCode   string `json:"errorCode"`
			Message     string `json:"message"`
			Description string `json:"description"`
		} `json:"errors"`
	}
	if json.Unmarshal(body, &v) != nil {
		return errorAnswer{}
	}
	var out errorAnswer
	_ = json.Unmarshal(v.Error, &out.Code) // a non-string "error" is ignored
	_ = json.Unmarshal(v.Description, &out.Description)
	if out.Code == "" && len(v.Errors) > 0 {
		e := v.Errors[0]
		out.Code = firstNonEmpty(e.Code, e.Error, e.ErrorCode)
		out.Description = firstNonEmpty(e.Message, e.Description)
	}
	// An error code is an identifier (RFC 6749: %x20-21 / %x23-5B / %x5D-7E);
	// keep it short and on one line.
	out.Code = printable(out.Code, 64)
	return out
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
