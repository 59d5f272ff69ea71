package oauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"
)

// stringsIn collects every string (keys and values, at any depth) of a JSON
// document, for checking that error texts do not quote them.
func stringsIn(body []byte) []string {
	var out []string
	dec := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err != nil {
			return out
		}
		if s, ok := tok.(string); ok {
			out = append(out, s)
		}
	}
}

func FuzzParseTokenResponse(f *testing.F) {
	kbRT := "eyJ0eXAiOiJKV1QifQ." + b64(`{"iat":1781589600,"exp":1813146526}`) + ".sig"
	for _, s := range []string{
		`{"access_token":"a.b.c","scope":"adaa bpisp","token_type":"Bearer","expires_in":179}`,
		`{"access_token":"at1","refresh_token":"` + kbRT + `"}`,
		`{"access_token":"at1","refresh_token":"rt","refresh_expires_in":"1800","expires_in":"179.5"}`,
		`{"access_token":"` + "e30." + b64(`{"iat":1,"exp":181}`) + `.x"}`,
		`{"access_token":"","refresh_token":"rt-new"}`,
		`{"access_token":"a","access_token":"b"}`,
		`{"access_token":"a","token_type":"mac"}`,
		`{"access_token":"a"} x`,
		`{"access_token":"a\u0000"}`,
		`{"access_token":null,"expires_in":-1}`,
		`[]`, `null`, `{`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := parseTokenResponse(body)
		if got.RefreshToken != "" && validToken(got.RefreshToken) != nil {
			t.Fatalf("unusable refresh token kept: %q", got.RefreshToken)
		}
		if err != nil {
			if !errors.Is(err, errBadAnswer) {
				t.Fatalf("error does not wrap errBadAnswer: %v", err)
			}
			// Error texts name members, never values (they are tokens).
			for _, s := range stringsIn(body) {
				if len(s) >= 8 && strings.Contains(err.Error(), s) && !strings.Contains("access_token refresh_token token_type expires_in", s) {
					t.Fatalf("error %q quotes a value %q", err, s)
				}
			}
			return
		}
		if validToken(got.AccessToken) != nil || got.AccessToken == "" {
			t.Fatalf("unusable access token accepted: %q", got.AccessToken)
		}
		if got.AccessLifetime < 0 || got.RefreshLifetime < 0 || (got.RefreshToken == "" && got.RefreshLifetime != 0) {
			t.Fatalf("lifetimes %+v", got)
		}
		for _, r := range got.Scope {
			if !unicode.IsPrint(r) {
				t.Fatalf("scope not printable: %q", got.Scope)
			}
		}
		// Round trip: written back in canonical form, the answer means the same.
		m := map[string]any{"access_token": got.AccessToken}
		if got.TokenType != "" {
			m["token_type"] = got.TokenType
		}
		if got.RefreshToken != "" {
			m["refresh_token"] = got.RefreshToken
		}
		if got.AccessLifetime > 0 {
			m["expires_in"] = int64(got.AccessLifetime / time.Second)
		}
		if got.RefreshLifetime > 0 {
			m["refresh_expires_in"] = int64(got.RefreshLifetime / time.Second)
		}
		canon, _ := json.Marshal(m)
		again, err := parseTokenResponse(canon)
		again.Scope = got.Scope
		if err != nil || again != got {
			t.Fatalf("round trip of %s: %+v %v, want %+v", canon, again, err, got)
		}
	})
}

func FuzzParseErrorResponse(f *testing.F) {
	for _, s := range []string{
		`{"error":"invalid_grant","error_description":"refresh token expired: authorise again"}`,
		`{"errors":[{"code":"UNAUTHORISED","message":"Missing apiKey header"}]}`,
		`{"errors":[{"errorCode":"X1","description":"bad"}]}`,
		`{"error":"invalid_request ` + testSecret + `","error_description":"got ` + testSecret + "\n" + `"}`,
		`{"error":"\u202e\u0000x","error_description":"` + strings.Repeat("é", 300) + `"}`,
		`<am:fault><am:code>101504</am:code></am:fault>`,
		"\xff\xfe{",
	} {
		f.Add([]byte(s))
	}
	red := redactor{testSecret, testAPIKey}
	f.Fuzz(func(t *testing.T, body []byte) {
		ea := parseErrorResponse(body)
		code, desc := red.clean(ea.Code, 64), red.clean(ea.Description, 200)
		te := &TokenError{Grant: "refresh_token", Status: 400, Code: code, Description: desc}
		msg := te.Error()
		if strings.Contains(msg, testSecret) || strings.Contains(msg, testAPIKey) {
			t.Fatalf("secret in %q", msg)
		}
		for _, s := range []string{code, desc} {
			if strings.ContainsAny(s, "\r\n\x00") || len([]rune(s)) > 201 {
				t.Fatalf("not one short line: %q", s)
			}
			for _, r := range s {
				if !unicode.IsPrint(r) {
					t.Fatalf("unprintable %q in %q", r, s)
				}
			}
		}
		if errors.Is(te, ErrReauthorize) != (code == "invalid_grant") {
			t.Fatalf("classification of %q", code)
		}
	})
}

func FuzzDecodeState(f *testing.F) {
	good, _ := encodeState(state{RefreshToken: "rt-1", RefreshExpiry: t0.Add(time.Hour), AccessToken: "at-1",
		AccessExpiry: t0.Add(time.Minute), RefreshedAt: t0, InFlight: t0})
	reauth, _ := encodeState(state{Reauthorize: ReasonInvalidGrant, AuthorizedAt: t0})
	for _, s := range [][]byte{good, reauth, nil, []byte(`{"version":1}`), []byte(`{"version":2}`),
		[]byte(`{"version":1,"refresh_token":"a b"}`), []byte(`{"version":1,"access_expiry":"tomorrow"}`),
		[]byte(`{"version":1,"reauthorize":"x\ny"}`), []byte(`{"version":1} []`)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := decodeState(b)
		if err != nil {
			if !errors.Is(err, errCorruptState) {
				t.Fatalf("error does not wrap errCorruptState: %v", err)
			}
			for _, s := range stringsIn(b) {
				if len(s) >= 8 && strings.Contains(err.Error(), s) && !strings.Contains("refresh_token access_token", s) {
					t.Fatalf("error %q quotes a value %q", err, s)
				}
			}
			return
		}
		for _, tok := range []string{st.RefreshToken, st.AccessToken} {
			if tok != "" && validToken(tok) != nil {
				t.Fatalf("unusable token loaded: %q", tok)
			}
		}
		enc, err := encodeState(st)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		st2, err := decodeState(enc)
		if err != nil {
			t.Fatalf("re-decode of %s: %v", enc, err)
		}
		enc2, _ := encodeState(st2)
		if !bytes.Equal(enc, enc2) {
			t.Fatalf("not stable:\n%s\n%s", enc, enc2)
		}
		_ = fmt.Sprint(st)
	})
}
