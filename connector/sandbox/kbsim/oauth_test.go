package kbsim

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoginRedirect(t *testing.T) {
	h := newHarness(t, nil)
	q := url.Values{"response_type": {"code"}, "client_id": {testClient}, "redirect_uri": {testRedirect},
		"scope": {"adaa bpisp"}, "state": {"xyz-1"}}
	r := h.do("GET", PathSSOLogin+"?"+q.Encode(), nil, nil)
	if r.Code != 302 {
		t.Fatalf("status %d %s", r.Code, r.Body)
	}
	loc, _ := url.Parse(r.Header.Get("Location"))
	got := loc.Query()
	if loc.Scheme+"://"+loc.Host+loc.Path != testRedirect || got.Get("code") == "" || got.Get("iss") != Issuer ||
		got.Get("client_id") != testClient || got.Get("state") != "xyz-1" {
		t.Errorf("redirect %s", loc)
	}
	// The sandbox authorization UI path behaves the same.
	if r := h.do("GET", PathSandboxLogin+"?"+q.Encode(), nil, nil); r.Code != 302 {
		t.Errorf("sandbox path: %d", r.Code)
	}

	cases := []struct {
		name      string
		mod       func(url.Values)
		code      int
		wantError string // in the body (400) or the redirect (302)
	}{
		{"unknown client", func(v url.Values) { v.Set("client_id", "Nobody-0000") }, 400, "invalid_client"},
		{"unregistered redirect", func(v url.Values) { v.Set("redirect_uri", testRedirect+"/evil") }, 400, "invalid_request"},
		{"token response type", func(v url.Values) { v.Set("response_type", "token") }, 302, "unsupported_response_type"},
		{"scope not granted", func(v url.Values) { v.Set("scope", "adaa statda") }, 302, "invalid_scope"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := url.Values{}
			for k, x := range q {
				v[k] = x
			}
			c.mod(v)
			r := h.do("GET", PathSSOLogin+"?"+v.Encode(), nil, nil)
			if r.Code != c.code {
				t.Fatalf("status %d, want %d: %s", r.Code, c.code, r.Body)
			}
			if c.code == 302 {
				loc, _ := url.Parse(r.Header.Get("Location"))
				if loc.Query().Get("error") != c.wantError || loc.Query().Get("code") != "" || loc.Query().Get("state") != "xyz-1" {
					t.Errorf("redirect %s", loc)
				}
				return
			}
			var e oauthError
			json.Unmarshal(r.Body, &e)
			if e.Error != c.wantError {
				t.Errorf("body %s", r.Body)
			}
		})
	}
}

func TestCodeExchange(t *testing.T) {
	h := newHarness(t, nil)
	tr := h.login(testClient, testSecret, "adaa bpisp")
	if tr.TokenType != "Bearer" || tr.ExpiresIn != 179 || tr.Scope != "adaa bpisp" || tr.AccessToken == "" || tr.RefreshToken == "" {
		t.Fatalf("token response %+v", tr)
	}
	// The access token is a JWT with KB's claims: scope array, exp = iat+180.
	parts := strings.Split(tr.AccessToken, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %s", tr.AccessToken)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims struct {
		Scope     []string `json:"scope"`
		Exp, Iat  int64
		Aud, Iss  string
		TokenName string `json:"tokenName"`
	}
	if err := json.Unmarshal(raw, &claims); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(claims.Scope, []string{"adaa", "bpisp"}) || claims.Exp-claims.Iat != 180 ||
		claims.Iat != testStart.Unix() || claims.Aud != testClient || claims.Iss != Issuer || claims.TokenName != "access_token" {
		t.Errorf("claims %s", raw)
	}
	// A token whose signature part is altered is refused.
	forged := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	if r := h.submit(forged, "X1", specBody); r.Code != 401 {
		t.Errorf("forged token: %d", r.Code)
	}
	if r := h.submit(tr.AccessToken, "X1", specBody); r.Code != 200 {
		t.Errorf("fresh token refused: %d %s", r.Code, r.Body)
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	h := newHarness(t, nil)
	used := h.code(testClient, "")
	if r := h.token(url.Values{"grant_type": {"authorization_code"}, "code": {used}, "redirect_uri": {testRedirect},
		"client_id": {testClient}, "client_secret": {testSecret}}); r.Code != 200 {
		t.Fatalf("exchange: %d %s", r.Code, r.Body)
	}
	expired := h.code(testClient, "")
	h.advance(121 * time.Second)
	fresh := h.code(testClient, "")
	other := h.code(adaaClient, "")
	form := func(kv ...string) url.Values {
		v := url.Values{"grant_type": {"authorization_code"}, "code": {fresh}, "redirect_uri": {testRedirect},
			"client_id": {testClient}, "client_secret": {testSecret}}
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
			} else {
				v.Set(kv[i], kv[i+1])
			}
		}
		return v
	}
	cases := []struct {
		name   string
		form   url.Values
		status int
		error  string
		desc   string
	}{
		{"used code", form("code", used), 400, "invalid_grant", "authorization code already used"},
		{"expired code", form("code", expired), 400, "invalid_grant", "authorization code expired"},
		{"unknown code", form("code", "nope"), 400, "invalid_grant", "unknown authorization code"},
		{"another client's code", form("code", other), 400, "invalid_grant", "authorization code was issued to another client"},
		{"redirect differs", form("redirect_uri", "https://erp.example/other"), 400, "invalid_grant", "redirect_uri differs from the authorization request"},
		{"wrong secret", form("client_secret", "x"), 401, "invalid_client", "unknown client_id or wrong client_secret"},
		{"no secret", form("client_secret", ""), 401, "invalid_client", "unknown client_id or wrong client_secret"},
		{"password grant", form("grant_type", "password"), 400, "unsupported_grant_type", `grant_type "password" is not supported`},
		{"no code", form("code", ""), 400, "invalid_request", "code is missing"},
		{"refresh without token", form("grant_type", "refresh_token"), 400, "invalid_request", "refresh_token is missing"},
		{"refresh with garbage", form("grant_type", "refresh_token", "refresh_token", "a.b.c"), 400, "invalid_grant", "invalid refresh token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := h.token(c.form)
			var e oauthError
			json.Unmarshal(r.Body, &e)
			if r.Code != c.status || e.Error != c.error || e.Description != c.desc {
				t.Errorf("got %d %s", r.Code, r.Body)
			}
		})
	}
	// The failures above did not consume the fresh code.
	if r := h.token(form()); r.Code != 200 {
		t.Errorf("fresh code after failures: %d %s", r.Code, r.Body)
	}
	// client_secret_basic is refused even with the right credentials.
	r := h.do("POST", "/oauth2/v2/access_token", map[string]string{"Content-Type": "application/x-www-form-urlencoded",
		"apiKey": DefaultOAuthAPIKey, "x-correlation-id": testCorrID,
		"Authorization": "Basic " + base64.StdEncoding.EncodeToString([]byte(testClient+":"+testSecret))},
		[]byte(url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {testRedirect}}.Encode()))
	if r.Code != 401 || !strings.Contains(string(r.Body), "client_secret_post") {
		t.Errorf("basic auth: %d %s", r.Code, r.Body)
	}
}

func TestGatewayHeaders(t *testing.T) {
	h := newHarness(t, nil)
	form := []byte(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}, "client_id": {testClient}, "client_secret": {testSecret}}.Encode())
	base := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "apiKey": DefaultOAuthAPIKey, "x-correlation-id": testCorrID}
	cases := []struct {
		name   string
		set    map[string]string // "" deletes
		status int
		body   string
	}{
		{"missing correlation id", map[string]string{"x-correlation-id": ""}, 400,
			`{"errors":[{"message":"Required String parameter 'x-correlation-id' is not present","additionalInfo":{"parameterName":"x-correlation-id"}}]}`},
		{"non-UUID correlation id", map[string]string{"x-correlation-id": "wrongValue"}, 400,
			`{"errors":[{"code":"INVALID_HEADER_VALUE","message":"x-correlation-id must be a UUID","additionalInfo":{"parameterName":"x-correlation-id","rejectedValue":"wrongValue"}}]}`},
		{"missing apiKey", map[string]string{"apiKey": ""}, 401, `{"errors":[{"code":"UNAUTHORISED","message":"Missing apiKey header"}]}`},
		{"ADAA apiKey on OAuth2", map[string]string{"apiKey": DefaultADAAAPIKey}, 401, `{"errors":[{"code":"UNAUTHORISED","message":"Invalid apiKey for this API"}]}`},
		{"braced correlation id is fine", map[string]string{"x-correlation-id": "{" + testCorrID + "}"}, 400,
			`{"error":"invalid_grant","error_description":"invalid refresh token"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hd := map[string]string{}
			for k, v := range base {
				hd[k] = v
			}
			for k, v := range c.set {
				if v == "" {
					delete(hd, k)
				} else {
					hd[k] = v
				}
			}
			r := h.do("POST", "/sandbox/oauth2/v3/access_token", hd, form)
			if r.Code != c.status || string(r.Body) != c.body {
				t.Errorf("got %d %s\nwant %d %s", r.Code, r.Body, c.status, c.body)
			}
		})
	}
	r := h.do("POST", "/oauth2/v3/access_token", base, form)
	if got := r.Header.Get("x-correlation-id"); got != testCorrID {
		t.Errorf("correlation id not echoed: %q", got)
	}
	// The browser login needs no gateway headers; BATCHDA needs the correlation id.
	if r := h.do("POST", PathBatchPayments, map[string]string{"Authorization": "Bearer x"}, nil); r.Code != 400 {
		t.Errorf("BATCHDA without correlation id: %d", r.Code)
	}
}

func TestRefreshWithoutRotation(t *testing.T) {
	h := newHarness(t, nil)
	tr := h.login(testClient, testSecret, "")
	h.advance(181 * time.Second)
	if r := h.submit(tr.AccessToken, "E1", specBody); r.Code != 401 || errorsOf(t, r)[0].Message != "access token expired" {
		t.Fatalf("expired access token: %d %s", r.Code, r.Body)
	}
	for i := 0; i < 3; i++ { // KB keeps the refresh token: it works again and again
		r := h.refresh(tr.RefreshToken)
		var nt TokenResponse
		json.Unmarshal(r.Body, &nt)
		if r.Code != 200 || nt.RefreshToken != "" || nt.ExpiresIn != 179 || nt.Scope != "adaa bpisp" {
			t.Fatalf("refresh %d: %d %s", i, r.Code, r.Body)
		}
		if i == 0 {
			if r := h.submit(nt.AccessToken, "E1", specBody); r.Code != 200 {
				t.Fatalf("refreshed token refused: %d %s", r.Code, r.Body)
			}
		}
	}
	// A refresh token lives 12 months (31556926 s).
	h.advance(31556926*time.Second - 182*time.Second)
	if r := h.refresh(tr.RefreshToken); r.Code != 200 {
		t.Fatalf("refresh token died early: %d %s", r.Code, r.Body)
	}
	h.advance(2 * time.Second)
	if r := h.refresh(tr.RefreshToken); r.Code != 400 || !strings.Contains(string(r.Body), "refresh token expired") {
		t.Fatalf("refresh token outlived 12 months: %d %s", r.Code, r.Body)
	}
}

func TestRefreshRotation(t *testing.T) {
	for _, revokeFamily := range []bool{false, true} {
		h := newHarness(t, func(c *Config) { c.RotateRefreshTokens = true; c.ReuseRevokesFamily = revokeFamily })
		tr := h.login(testClient, testSecret, "")
		r := h.refresh(tr.RefreshToken)
		var r2 TokenResponse
		json.Unmarshal(r.Body, &r2)
		if r.Code != 200 || r2.RefreshToken == "" || r2.RefreshToken == tr.RefreshToken {
			t.Fatalf("rotation: %d %s", r.Code, r.Body)
		}
		// Reusing the rotated token is invalid_grant.
		r = h.refresh(tr.RefreshToken)
		if r.Code != 400 || string(r.Body) != `{"error":"invalid_grant","error_description":"refresh token was already rotated"}` {
			t.Fatalf("reuse: %d %s", r.Code, r.Body)
		}
		// The successor works unless reuse detection revoked the family.
		r = h.refresh(r2.RefreshToken)
		if revokeFamily {
			if r.Code != 400 || !strings.Contains(string(r.Body), "reuse-detected") {
				t.Errorf("family not revoked: %d %s", r.Code, r.Body)
			}
			if res := h.submit(r2.AccessToken, "F1", specBody); res.Code != 401 {
				t.Errorf("access token of a revoked family still works: %d", res.Code)
			}
		} else if r.Code != 200 {
			t.Errorf("successor refused: %d %s", r.Code, r.Body)
		}
	}
}

func TestRefreshRedirectURI(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.RequireRedirectURIOnRefresh = true })
	tr := h.login(testClient, testSecret, "")
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.RefreshToken}, "client_id": {testClient}, "client_secret": {testSecret}}
	if r := h.token(f); r.Code != 400 || !strings.Contains(string(r.Body), "redirect_uri is missing") {
		t.Errorf("missing redirect_uri: %d %s", r.Code, r.Body)
	}
	f.Set("redirect_uri", "https://elsewhere.example/")
	if r := h.token(f); r.Code != 400 || !strings.Contains(string(r.Body), "not registered") {
		t.Errorf("foreign redirect_uri: %d %s", r.Code, r.Body)
	}
	f.Set("redirect_uri", testRedirect)
	if r := h.token(f); r.Code != 200 {
		t.Errorf("refresh: %d %s", r.Code, r.Body)
	}
}

func TestTokenRateLimit(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.TokenRateLimit = 3 })
	tr := h.login(testClient, testSecret, "") // 1st token
	for i := 0; i < 2; i++ {
		if r := h.refresh(tr.RefreshToken); r.Code != 200 {
			t.Fatalf("refresh %d: %d", i, r.Code)
		}
	}
	h.advance(20 * time.Second)
	r := h.refresh(tr.RefreshToken)
	if r.Code != 429 || r.Header.Get("Retry-After") != "40" || errorsOf(t, r)[0].Code != "TOO_MANY_REQUESTS" {
		t.Fatalf("4th token in a minute: %d %q %s", r.Code, r.Header.Get("Retry-After"), r.Body)
	}
	// Another client has its own budget.
	h.login(adaaClient, "adaa-secret", "adaa")
	h.advance(40 * time.Second)
	if r := h.refresh(tr.RefreshToken); r.Code != 200 {
		t.Fatalf("after the window: %d %s", r.Code, r.Body)
	}
}

func TestExpireRefresh(t *testing.T) {
	h := newHarness(t, nil)
	tr := h.login(testClient, testSecret, "")
	other := h.login(adaaClient, "adaa-secret", "")
	var res map[string]int
	if code := h.control("POST", "/_sim/expire-refresh", map[string]string{"client_id": testClient}, &res); code != 200 || res["revoked"] != 1 {
		t.Fatalf("expire-refresh: %d %v", code, res)
	}
	r := h.refresh(tr.RefreshToken)
	if r.Code != 400 || string(r.Body) != `{"error":"invalid_grant","error_description":"refresh token revoked (expire-refresh): authorise again"}` {
		t.Fatalf("refresh after expire: %d %s", r.Code, r.Body)
	}
	// The live access token and the other client are untouched; a new authorisation works.
	if r := h.submit(tr.AccessToken, "R1", specBody); r.Code != 200 {
		t.Errorf("access token: %d", r.Code)
	}
	r = h.token(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {other.RefreshToken},
		"client_id": {adaaClient}, "client_secret": {"adaa-secret"}})
	if r.Code != 200 {
		t.Errorf("other client: %d %s", r.Code, r.Body)
	}
	h.login(testClient, testSecret, "")
	if code := h.control("POST", "/_sim/expire-refresh", map[string]string{"client_id": "Nobody-1"}, nil); code != 404 {
		t.Errorf("unknown client: %d", code)
	}
}

func TestControlAuthorize(t *testing.T) {
	h := newHarness(t, nil)
	var res map[string]string
	if code := h.control("POST", "/_sim/authorize", map[string]string{"client_id": testClient, "redirect_uri": testRedirect, "scope": "bpisp"}, &res); code != 200 {
		t.Fatalf("authorize: %d", code)
	}
	r := h.token(url.Values{"grant_type": {"authorization_code"}, "code": {res["code"]}, "redirect_uri": {testRedirect},
		"client_id": {testClient}, "client_secret": {testSecret}})
	var tr TokenResponse
	json.Unmarshal(r.Body, &tr)
	if r.Code != 200 || tr.Scope != "bpisp" {
		t.Fatalf("exchange: %d %s", r.Code, r.Body)
	}
	if code := h.control("POST", "/_sim/authorize", map[string]string{"client_id": adaaClient, "redirect_uri": testRedirect, "scope": "bpisp"}, nil); code != 400 {
		t.Errorf("scope beyond the client's: %d", code)
	}
}
