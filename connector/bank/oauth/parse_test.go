package oauth

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseTokenResponse(t *testing.T) {
	kbRT := "eyJ0eXAiOiJKV1QifQ." + b64(`{"iat":1781589600,"exp":1813146526,"expires_in":31556926}`) + ".sig"
	cases := []struct {
		name    string
		body    string
		want    tokenResponse
		errPart string // "" = success
	}{
		{"KB refresh", `{"access_token":"a.b.c","scope":"adaa","token_type":"Bearer","expires_in":179}`,
			tokenResponse{AccessToken: "a.b.c", TokenType: "Bearer", Scope: "adaa", AccessLifetime: 179 * time.Second}, ""},
		{"KB code exchange (wiki: two members)", `{"access_token":"at1","refresh_token":"` + kbRT + `"}`,
			tokenResponse{AccessToken: "at1", RefreshToken: kbRT, RefreshLifetime: 31556926 * time.Second}, ""},
		{"refresh_expires_in wins", `{"access_token":"at1","refresh_token":"` + kbRT + `","refresh_expires_in":"1800"}`,
			tokenResponse{AccessToken: "at1", RefreshToken: kbRT, RefreshLifetime: 1800 * time.Second}, ""},
		{"bearer lower case, nulls", `{"access_token":"at1","token_type":"bearer","refresh_token":null,"expires_in":null}`,
			tokenResponse{AccessToken: "at1", TokenType: "bearer"}, ""},
		{"unknown members ignored", `{"access_token":"at1","id_token":{"x":1},"x":[1,2]}`, tokenResponse{AccessToken: "at1"}, ""},
		{"empty refresh_token = none", `{"access_token":"at1","refresh_token":""}`, tokenResponse{AccessToken: "at1"}, ""},
		{"bad access token salvages rotated refresh token", `{"access_token":"","refresh_token":"rt-new"}`,
			tokenResponse{RefreshToken: "rt-new"}, "no access_token"},
		{"wrong type salvages refresh token", `{"access_token":"a","token_type":"MAC","refresh_token":"rt-new"}`,
			tokenResponse{RefreshToken: "rt-new"}, "not Bearer"},
		{"duplicate access_token", `{"access_token":"a","access_token":"b"}`, tokenResponse{}, "appears twice"},
		{"trailing data", `{"access_token":"a"} {}`, tokenResponse{}, "after the JSON object"},
		{"array", `[{"access_token":"a"}]`, tokenResponse{}, "not a JSON object"},
		{"number token", `{"access_token":12345678}`, tokenResponse{}, "not a string"},
		{"space in token", `{"access_token":"ab cd"}`, tokenResponse{}, "outside visible ASCII"},
		{"bad refresh token", `{"access_token":"a","refresh_token":"r\u00e9"}`, tokenResponse{}, "refresh_token has a character"},
		{"too long", `{"access_token":"` + strings.Repeat("a", maxTokenLen+1) + `"}`, tokenResponse{}, "longer than"},
		{"truncated", `{"access_token":"a"`, tokenResponse{}, "malformed JSON"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := parseTokenResponse([]byte(c.body))
			if c.errPart == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else if err == nil || !strings.Contains(err.Error(), c.errPart) || !errors.Is(err, errBadAnswer) {
				t.Fatalf("err %v, want %q", err, c.errPart)
			}
			if got != c.want {
				t.Errorf("got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestParseErrorResponse(t *testing.T) {
	cases := []struct{ body, code, desc string }{
		{`{"error":"invalid_grant","error_description":"refresh token expired: authorise again"}`, "invalid_grant", "refresh token expired: authorise again"},
		{`{"errors":[{"code":"UNAUTHORISED","message":"Missing apiKey header"}]}`, "UNAUTHORISED", "Missing apiKey header"},
		{`{"errors":[{"error":"TOO_MANY_REQUESTS","message":"slow down"}]}`, "TOO_MANY_REQUESTS", "slow down"},
		{`{"errors":[{"errorCode":"X1","description":"bad"}]}`, "X1", "bad"},
		{`{"error":{"nested":true}}`, "", ""},
		{`<am:fault/>`, "", ""},
		{`{"error":"in\nvalid"}`, "in valid", ""},
	}
	for _, c := range cases {
		got := parseErrorResponse([]byte(c.body))
		if got.Code != c.code || got.Description != c.desc {
			t.Errorf("%s: got %+v", c.body, got)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	for v, want := range map[string]time.Duration{
		"": 0, "0": 0, "-3": 0, "12": 12 * time.Second, "99999999": time.Hour, "soon": 0,
		t0.Add(2 * time.Minute).Format("Mon, 02 Jan 2006 15:04:05 GMT"): 2 * time.Minute,
		t0.Add(-time.Minute).Format("Mon, 02 Jan 2006 15:04:05 GMT"):    0,
	} {
		if got := retryAfter(v, t0); got != want {
			t.Errorf("%q: %s, want %s", v, got, want)
		}
	}
}

func TestStateRoundTrip(t *testing.T) {
	st := state{RefreshToken: "rt", RefreshExpiry: t0.Add(time.Hour), AccessToken: "at", AccessExpiry: t0.Add(time.Minute),
		RefreshedAt: t0, AuthorizedAt: t0.Add(-time.Hour), InFlight: t0.Add(time.Second)}
	b, err := encodeState(st)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decodeState(b)
	st.Version = stateVersion
	if err != nil || !got.RefreshExpiry.Equal(st.RefreshExpiry) || got.RefreshToken != "rt" || !got.InFlight.Equal(st.InFlight) {
		t.Fatalf("%+v %v", got, err)
	}
	for _, bad := range []string{`{"version":2}`, `{"version":1,"x":1}`, `{"version":1,"access_token":"a b"}`, `{"version":1}{}`, `[]`} {
		if _, err := decodeState([]byte(bad)); !errors.Is(err, errCorruptState) {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if st, err := decodeState(nil); err != nil || st.RefreshToken != "" {
		t.Errorf("empty: %v", err)
	}
}

func TestNewUUID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		u := NewUUID()
		if !uuidRE.MatchString(u) || seen[u] {
			t.Fatalf("%q", u)
		}
		seen[u] = true
	}
}
