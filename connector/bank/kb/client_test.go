package kb

import (
	"context"
	"errors"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"erpconnector/connector/bank"
	"erpconnector/connector/bank/oauth"
	"erpconnector/formats/money"
)

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestHeadersAndBody(t *testing.T) {
	for _, tc := range []struct {
		name   string
		apiKey string
	}{{"without apiKey", ""}, {"with apiKey", "batchda-key-1"}} {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, jsonReply(200, okBody()))
			c := &Client{BaseURL: rec.url + "/", Tokens: &fakeTokens{tokens: []string{"tok-1"}}, APIKey: tc.apiKey}
			s := specSent()
			for i := 0; i < 2; i++ {
				if _, err := c.Submit(context.Background(), s); err != nil {
					t.Fatal(err)
				}
			}
			reqs := rec.requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2", len(reqs))
			}
			for _, r := range reqs {
				if r.Method != "POST" || r.Path != "/directapi/batchda/v3/batchPayments" {
					t.Errorf("request line %s %s", r.Method, r.Path)
				}
				if string(r.Body) != specBody {
					t.Errorf("body changed on the way:\n%s", r.Body)
				}
				want := map[string]string{
					"Authorization":             "Bearer tok-1",
					"Content-Type":              "application/json",
					"Accept":                    "application/json",
					"X-Exchange-Identification": "a1b2c3d4e5f601",
					"X-Batch-Processing-Mode":   "ONLINE",
					"X-Instruction-Name":        "Dodavatele 2026-06-16",
					"Apikey":                    tc.apiKey,
					"X-Api-Key":                 tc.apiKey,
				}
				for k, v := range want {
					if got := r.Header.Values(k); v == "" && len(got) != 0 || v != "" && (len(got) != 1 || got[0] != v) {
						t.Errorf("header %s = %q, want %q", k, got, v)
					}
				}
				if cid := r.Header.Get("X-Correlation-Id"); !uuidV4.MatchString(cid) {
					t.Errorf("x-correlation-id %q is not a UUID v4", cid)
				}
			}
			if a, b := reqs[0].Header.Get("X-Correlation-Id"), reqs[1].Header.Get("X-Correlation-Id"); a == b {
				t.Errorf("correlation ID %s reused across calls", a)
			}
		})
	}
}

func TestResponseCarriesCorrelationID(t *testing.T) {
	rec := newRecorder(t, jsonReply(201, okBody()))
	c := &Client{BaseURL: rec.url, Tokens: &fakeTokens{tokens: []string{"t"}},
		CorrelationID: func() string { return "3f6c2a1e-9b4d-4c1e-8f7a-2d5e6b7c8a90" }}
	r, err := c.Submit(context.Background(), specSent())
	if err != nil {
		t.Fatal(err)
	}
	if r.CorrelationID != "3f6c2a1e-9b4d-4c1e-8f7a-2d5e6b7c8a90" || r.HTTPStatus != 201 || string(r.Raw) != okBody() {
		t.Errorf("correlation %q status %d raw %s", r.CorrelationID, r.HTTPStatus, r.Raw)
	}
	if r.TransactionIdentification != "000012GYPU" || r.TotalDebitAmount.String() != "12999.5" || r.SignInfo != (SignInfo{"OPEN", "SIGN-000012GYPU"}) {
		t.Errorf("parsed %+v", r)
	}
}

// TestStatusClasses: every answer class the daemon branches on.
func TestStatusClasses(t *testing.T) {
	future := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	cases := []struct {
		name       string
		answer     http.HandlerFunc
		class      string // bank class, "none" for success and rejection
		rejected   bool   // *RejectedError
		mismatch   bool   // *MismatchError
		problems   string // joined Problem strings
		retryAfter time.Duration
		retryMin   time.Duration // for HTTP dates: at least this
	}{
		{name: "200", answer: jsonReply(200, okBody()), class: "none"},
		{name: "201", answer: jsonReply(201, okBody()), class: "none"},
		{name: "400 COBS", class: "none", rejected: true,
			answer:   jsonReply(400, `{"errors":[{"error":"AM12","scope":"batchPaymentDataCollectionRequest[0].amount.instructedAmount.value","message":"bad amount"},{"error":"DT01","scope":"batchPaymentDataCollectionRequest[1].requestedExecutionDate","parameters":{"min":"2026-06-16"}}]}`),
			problems: "AM12 at batchPaymentDataCollectionRequest[0].amount.instructedAmount.value: bad amount; DT01 at batchPaymentDataCollectionRequest[1].requestedExecutionDate: [min=2026-06-16]"},
		{name: "400 ADAA", class: "none", rejected: true,
			answer:   jsonReply(400, `{"errors":[{"code":"INVALID_HEADER_VALUE","message":"x-correlation-id must be a UUID","additionalInfo":{"parameterName":"x-correlation-id","rejectedValue":"wrongValue"}}]}`),
			problems: `INVALID_HEADER_VALUE at x-correlation-id: x-correlation-id must be a UUID (rejected value "wrongValue")`},
		{name: "422 client registration", class: "none", rejected: true,
			answer:   jsonReply(422, `{"errors":[{"errorCode":"FIELD_INVALID","scope":"contacts","description":"contacts is mandatory"}]}`),
			problems: "FIELD_INVALID at contacts: contacts is mandatory"},
		{name: "404 gateway XML", class: "none", rejected: true,
			answer:   reply(404, map[string]string{"Content-Type": "application/xml"}, `<am:fault xmlns:am="http://wso2.org/apimanager"><am:code>404</am:code><am:type>Status report</am:type><am:message>Not Found</am:message><am:description>No matching resource found</am:description></am:fault>`),
			problems: "404: Not Found: No matching resource found"},
		{name: "415 plain text", class: "none", rejected: true, answer: reply(415, nil, "unsupported"), problems: ""},
		{name: "403", class: "auth", answer: jsonReply(403, `{"errors":[{"error":"FORBIDDEN","message":"access token lacks scope bpisp"}]}`),
			problems: "FORBIDDEN: access token lacks scope bpisp"},
		{name: "429 seconds", class: "not-sent", retryAfter: 7 * time.Second,
			answer: reply(429, map[string]string{"Retry-After": "7"}, `{"errors":[{"error":"TOO_MANY_REQUESTS"}]}`), problems: "TOO_MANY_REQUESTS"},
		{name: "429 date", class: "not-sent", retryMin: 80 * time.Second,
			answer: reply(429, map[string]string{"Retry-After": future}, ``)},
		{name: "429 without Retry-After", class: "not-sent", answer: reply(429, nil, ``)},
		{name: "408", class: "not-sent", answer: reply(408, nil, ``)},
		{name: "500 JSON", class: "unknown", answer: jsonReply(500, `{"errors":[{"error":"INTERNAL_ERROR","message":"boom"}]}`),
			problems: "INTERNAL_ERROR: boom"},
		{name: "503 Retry-After", class: "unknown", retryAfter: 30 * time.Second,
			answer: reply(503, map[string]string{"Retry-After": "30"}, `{"errors":[{"error":"SERVICE_UNAVAILABLE"}]}`), problems: "SERVICE_UNAVAILABLE"},
		{name: "504 gateway XML", class: "unknown",
			answer:   reply(504, map[string]string{"Content-Type": "application/xml"}, "<am:fault xmlns:am=\"http://wso2.org/apimanager\">\n<am:code>101504</am:code><am:type>Status report</am:type><am:message>Runtime Error</am:message><am:description>Send timeout</am:description></am:fault>"),
			problems: "101504: Runtime Error: Send timeout"},
		{name: "502 HTML", class: "unknown", answer: reply(502, map[string]string{"Content-Type": "text/html"}, "<html><body>Bad gateway</body></html>")},
		{name: "302 not followed", class: "unknown", answer: reply(302, map[string]string{"Location": "/elsewhere"}, "")},
		{name: "307 not followed", class: "unknown", answer: reply(307, map[string]string{"Location": "/directapi/batchda/v3/batchPayments"}, "")},
		{name: "200 not JSON", class: "unknown", mismatch: true, answer: reply(200, nil, "<html>maintenance</html>")},
		{name: "204 empty", class: "unknown", mismatch: true, answer: reply(204, nil, "")},
		{name: "200 wrong total", class: "unknown", mismatch: true, answer: jsonReply(200, strings.Replace(okBody(), "12999.5", "12999.6", 1))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, tc.answer)
			toks := &fakeTokens{tokens: []string{"t1", "t2"}}
			c := &Client{BaseURL: rec.url, Tokens: toks}
			r, err := c.Submit(context.Background(), specSent())
			if got := class(t, err); got != tc.class {
				t.Errorf("class %s, want %s (err %v)", got, tc.class, err)
			}
			if n := len(rec.requests()); n != 1 {
				t.Errorf("%d requests reached the server, want exactly 1", n)
			}
			if toks.refreshes != 0 {
				t.Errorf("%d token refreshes, want 0", toks.refreshes)
			}
			var rej *RejectedError
			var mis *MismatchError
			var se *StatusError
			var he *bank.HTTPError
			if errors.As(err, &rej) != tc.rejected {
				t.Errorf("RejectedError: %v, want %v", err, tc.rejected)
			}
			if errors.As(err, &mis) != tc.mismatch {
				t.Errorf("MismatchError: %v, want %v", err, tc.mismatch)
			}
			switch {
			case err == nil:
				if r == nil || r.InstructionStatus != "ACTC" {
					t.Errorf("success without a parsed response: %+v", r)
				}
				return
			case tc.mismatch:
				if r == nil || mis.Response != r || r.CorrelationID == "" {
					t.Errorf("mismatch must return the response it carries: %+v / %+v", r, mis.Response)
				}
				return
			case r != nil:
				t.Errorf("a response with error %v", err)
			}
			// Non-2xx: the daemon's errors.As(*bank.HTTPError).Rejected() must agree.
			if !errors.As(err, &he) || he.Rejected() != tc.rejected {
				t.Errorf("bank.HTTPError %+v Rejected() must be %v", he, tc.rejected)
			}
			var problems []Problem
			if tc.rejected {
				problems = rej.Problems
				if rej.CorrelationID == "" || !strings.Contains(err.Error(), rej.CorrelationID) {
					t.Errorf("rejection must name the correlation ID: %v", err)
				}
			} else {
				if !errors.As(err, &se) {
					t.Fatalf("want *StatusError, got %T %v", err, err)
				}
				problems = se.Problems
				if tc.retryMin > 0 {
					if se.RetryAfter < tc.retryMin || se.RetryAfter > 91*time.Second {
						t.Errorf("RetryAfter %s, want about 90s", se.RetryAfter)
					}
				} else if se.RetryAfter != tc.retryAfter {
					t.Errorf("RetryAfter %s, want %s", se.RetryAfter, tc.retryAfter)
				}
			}
			if got := problemsText(problems); got != tc.problems {
				t.Errorf("problems\n got: %s\nwant: %s", got, tc.problems)
			}
		})
	}
}

func TestRedirectTargetNeverReached(t *testing.T) {
	target := newRecorder(t, jsonReply(200, okBody()))
	rec := newRecorder(t, reply(307, map[string]string{"Location": target.url + "/directapi/batchda/v3/batchPayments"}, ""))
	// A caller's client that would follow redirects: Submit must override it.
	hc := &http.Client{Timeout: 5 * time.Second}
	c := &Client{BaseURL: rec.url, HTTP: hc, Tokens: &fakeTokens{tokens: []string{"t"}}}
	_, err := c.Submit(context.Background(), specSent())
	if !errors.Is(err, bank.ErrOutcomeUnknown) {
		t.Errorf("307: %v, want unknown outcome", err)
	}
	if n := len(target.requests()); n != 0 {
		t.Errorf("the redirect target received %d requests", n)
	}
	if hc.CheckRedirect != nil {
		t.Error("Submit modified the caller's http.Client")
	}
}

func TestUnauthorizedRefreshesOnce(t *testing.T) {
	unauthorized := jsonReply(401, `{"errors":[{"error":"UNAUTHORISED","message":"access token expired"}]}`)
	t.Run("second attempt succeeds", func(t *testing.T) {
		rec := newRecorder(t, unauthorized, jsonReply(200, okBody()))
		toks := &fakeTokens{tokens: []string{"old", "new"}}
		c := &Client{BaseURL: rec.url, Tokens: toks}
		r, err := c.Submit(context.Background(), specSent())
		if err != nil {
			t.Fatal(err)
		}
		reqs := rec.requests()
		if len(reqs) != 2 || toks.refreshes != 1 {
			t.Fatalf("%d requests, %d refreshes; want 2 and 1", len(reqs), toks.refreshes)
		}
		if reqs[0].Header.Get("Authorization") != "Bearer old" || reqs[1].Header.Get("Authorization") != "Bearer new" {
			t.Errorf("tokens %q then %q", reqs[0].Header.Get("Authorization"), reqs[1].Header.Get("Authorization"))
		}
		if string(reqs[1].Body) != specBody {
			t.Error("the resend carried a different body")
		}
		if c0, c1 := reqs[0].Header.Get("X-Correlation-Id"), reqs[1].Header.Get("X-Correlation-Id"); c0 == c1 || r.CorrelationID != c1 {
			t.Errorf("correlation IDs %s, %s; response says %s", c0, c1, r.CorrelationID)
		}
	})
	t.Run("second 401 is an auth failure", func(t *testing.T) {
		rec := newRecorder(t, unauthorized)
		toks := &fakeTokens{tokens: []string{"old", "new", "newer"}}
		c := &Client{BaseURL: rec.url, Tokens: toks}
		_, err := c.Submit(context.Background(), specSent())
		if class(t, err) != "auth" {
			t.Errorf("got %v, want bank.ErrAuth", err)
		}
		if n := len(rec.requests()); n != 2 || toks.refreshes != 1 {
			t.Errorf("%d requests, %d refreshes; want exactly 2 and 1", n, toks.refreshes)
		}
	})
	t.Run("refresh fails", func(t *testing.T) {
		for _, tc := range []struct {
			err   error
			class string
		}{
			{errors.New("token endpoint unreachable"), "not-sent"},
			{bankAuth("invalid_grant: refresh token expired"), "auth"},
		} {
			rec := newRecorder(t, unauthorized)
			toks := &fakeTokens{tokens: []string{"old"}, refreshErr: tc.err}
			c := &Client{BaseURL: rec.url, Tokens: toks}
			_, err := c.Submit(context.Background(), specSent())
			if got := class(t, err); got != tc.class {
				t.Errorf("%v: class %s, want %s", err, got, tc.class)
			}
			if n := len(rec.requests()); n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		}
	})
	t.Run("403 is not refreshed", func(t *testing.T) {
		rec := newRecorder(t, jsonReply(403, `{"errors":[{"error":"FORBIDDEN"}]}`))
		toks := &fakeTokens{tokens: []string{"t", "u"}}
		_, err := (&Client{BaseURL: rec.url, Tokens: toks}).Submit(context.Background(), specSent())
		if class(t, err) != "auth" || toks.refreshes != 0 || len(rec.requests()) != 1 {
			t.Errorf("403: %v, %d refreshes, %d requests", err, toks.refreshes, len(rec.requests()))
		}
	})
}

func bankAuth(msg string) error { return errors.Join(bank.ErrAuth, errors.New(msg)) }

func TestTransportFailures(t *testing.T) {
	t.Run("connection refused is not sent", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		_, err = (&Client{BaseURL: "http://" + addr, Tokens: &fakeTokens{tokens: []string{"t"}}}).Submit(context.Background(), specSent())
		if class(t, err) != "not-sent" {
			t.Errorf("got %v, want bank.ErrNotSent", err)
		}
	})
	t.Run("connection dropped after the request was read is unknown", func(t *testing.T) {
		rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		})
		_, err := (&Client{BaseURL: rec.url, Tokens: &fakeTokens{tokens: []string{"t"}}}).Submit(context.Background(), specSent())
		if class(t, err) != "unknown" {
			t.Errorf("got %v, want bank.ErrOutcomeUnknown", err)
		}
		if n := len(rec.requests()); n != 1 {
			t.Errorf("%d requests: the transport must not resend", n)
		}
	})
	t.Run("client timeout after sending is unknown", func(t *testing.T) {
		release := make(chan struct{})
		rec := newRecorder(t, func(w http.ResponseWriter, r *http.Request) { <-release })
		defer close(release)
		c := &Client{BaseURL: rec.url, HTTP: &http.Client{Timeout: 150 * time.Millisecond}, Tokens: &fakeTokens{tokens: []string{"t"}}}
		_, err := c.Submit(context.Background(), specSent())
		if class(t, err) != "unknown" {
			t.Errorf("got %v, want bank.ErrOutcomeUnknown", err)
		}
	})
	t.Run("context done before sending is not sent", func(t *testing.T) {
		rec := newRecorder(t, jsonReply(200, okBody()))
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := (&Client{BaseURL: rec.url, Tokens: &fakeTokens{tokens: []string{"t"}}}).Submit(ctx, specSent())
		if class(t, err) != "not-sent" || !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want bank.ErrNotSent wrapping context.Canceled", err)
		}
		if n := len(rec.requests()); n != 0 {
			t.Errorf("%d requests reached the server", n)
		}
	})
	t.Run("token failure is not sent", func(t *testing.T) {
		for _, tc := range []struct {
			err   error
			class string
		}{
			{errors.New("dial tcp: refused"), "not-sent"},
			{bankAuth("consent withdrawn"), "auth"},
			// A token source that classifies its own call must not make
			// the batch look as if it might have left.
			{errors.Join(bank.ErrOutcomeUnknown, errors.New("token call timed out")), "not-sent"},
			// connector/bank/oauth's own classes.
			{&oauth.TokenError{Grant: "refresh_token", Status: 400, Code: "invalid_grant"}, "auth"},
			{&oauth.TokenError{Grant: "refresh_token", Status: 401, Code: "invalid_client"}, "auth"},
			{&oauth.TokenError{Grant: "refresh_token", Status: 429}, "not-sent"},
		} {
			rec := newRecorder(t, jsonReply(200, okBody()))
			_, err := (&Client{BaseURL: rec.url, Tokens: &fakeTokens{tokenErr: tc.err}}).Submit(context.Background(), specSent())
			if got := class(t, err); got != tc.class {
				t.Errorf("%v: class %s, want %s", err, got, tc.class)
			}
			if te := (*oauth.TokenError)(nil); errors.As(tc.err, &te) && !errors.As(err, &te) {
				t.Errorf("%v: the oauth error is no longer reachable", err)
			}
			if n := len(rec.requests()); n != 0 {
				t.Errorf("%d requests reached the server", n)
			}
		}
	})
}

func TestInvalidSentNeverLeaves(t *testing.T) {
	mod := func(f func(*Sent)) Sent {
		s := specSent()
		h := map[string]string{}
		for k, v := range s.Headers {
			h[k] = v
		}
		s.Headers = h
		f(&s)
		return s
	}
	cases := map[string]Sent{
		"Authorization header":    mod(func(s *Sent) { s.Headers["authorization"] = "Bearer x" }),
		"correlation header":      mod(func(s *Sent) { s.Headers["X-Correlation-ID"] = NewUUID() }),
		"Idempotency-Key":         mod(func(s *Sent) { s.Headers["Idempotency-Key"] = "k" }),
		"X-Idempotency-Key":       mod(func(s *Sent) { s.Headers["x-idempotency-key"] = "k" }),
		"header injection":        mod(func(s *Sent) { s.Headers["x-instruction-name"] = "a\r\nX-Evil: 1" }),
		"bad header name":         mod(func(s *Sent) { s.Headers["x bad"] = "1" }),
		"XML content type":        mod(func(s *Sent) { s.Headers["Content-Type"] = "application/xml" }),
		"no exchange ID":          mod(func(s *Sent) { delete(s.Headers, "x-exchange-identification") }),
		"no processing mode":      mod(func(s *Sent) { s.Headers["x-batch-processing-mode"] = "" }),
		"empty body":              mod(func(s *Sent) { s.Body = nil }),
		"zero count":              mod(func(s *Sent) { s.Count = 0 }),
		"zero total":              mod(func(s *Sent) { s.Total = money.Amount{Currency: "CZK"} }),
		"total without currency":  mod(func(s *Sent) { s.Total = money.Amount{Minor: 1} }),
		"lower-case currency too": mod(func(s *Sent) { s.Total.Currency = "czk" }),
	}
	rec := newRecorder(t, jsonReply(200, okBody()))
	for name, s := range cases {
		_, err := (&Client{BaseURL: rec.url, Tokens: &fakeTokens{tokens: []string{"t"}}}).Submit(context.Background(), s)
		if !errors.Is(err, ErrInvalidSent) || class(t, err) != "not-sent" {
			t.Errorf("%s: %v, want ErrInvalidSent and bank.ErrNotSent", name, err)
		}
	}
	for name, c := range map[string]*Client{
		"bad correlation ID": {BaseURL: rec.url, Tokens: &fakeTokens{tokens: []string{"t"}}, CorrelationID: func() string { return "not-a-uuid" }},
		"no token source":    {BaseURL: rec.url},
		"no scheme":          {BaseURL: strings.TrimPrefix(rec.url, "http://"), Tokens: &fakeTokens{tokens: []string{"t"}}},
		"empty token":        {BaseURL: rec.url, Tokens: &fakeTokens{tokens: []string{""}}},
	} {
		_, err := c.Submit(context.Background(), specSent())
		if class(t, err) != "not-sent" {
			t.Errorf("%s: %v, want bank.ErrNotSent", name, err)
		}
	}
	if n := len(rec.requests()); n != 0 {
		t.Errorf("%d invalid requests reached the server", n)
	}
}

func TestNewUUID(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		u := NewUUID()
		if !uuidV4.MatchString(u) || !uuidRE.MatchString(u) || seen[u] {
			t.Fatalf("UUID %q invalid or repeated", u)
		}
		seen[u] = true
	}
}
