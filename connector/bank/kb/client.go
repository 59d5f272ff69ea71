package kb

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptrace"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"erpconnector/connector/bank"
	"erpconnector/formats/kbjson"
	"erpconnector/formats/money"
)

// TokenSource hands out OAuth2 access tokens with scope bpisp. It is
// satisfied by connector/bank/oauth.Source. A token error that wraps
// bank.ErrAuth, oauth.ErrReauthorize or oauth.ErrClientRejected is reported
// as bank.ErrAuth; any other as bank.ErrNotSent. Either way the original
// error stays reachable with errors.Is/As.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
	ForceRefresh(ctx context.Context) (string, error)
}

// DefaultTimeout bounds a whole call when Client.HTTP is nil. A timeout once
// the request may have left is an unknown outcome, so it is generous.
const DefaultTimeout = 2 * time.Minute

// maxAnswer bounds the answer we read; a §5.4 body is a few hundred bytes.
const maxAnswer = 1 << 20

// Client submits BATCHDA batches (POST {BaseURL}/directapi/batchda/v3/batchPayments).
// It never retries a batch that may have left: the one resend it makes is
// after a 401, which the gateway answers before the batch reaches KB.
type Client struct {
	// BaseURL is scheme and host (and any path prefix in front of KB's
	// paths), e.g. "https://api.kb.cz"; the path comes from kbjson.Path.
	BaseURL string
	// HTTP is the client to use; nil means one with DefaultTimeout. Its
	// redirect policy is overridden: redirects are never followed.
	HTTP *http.Client
	// Tokens provides the bearer token.
	Tokens TokenSource
	// APIKey is the optional BATCHDA key: when set it is sent as both apiKey
	// and x-api-key (spec §3; S9 does the same).
	APIKey string
	// CorrelationID makes the x-correlation-id of each HTTP request; nil
	// means a random UUID v4. It must return a UUID (spec §3).
	CorrelationID func() string
}

// Sent is one BATCHDA request as kbjson produced it: what goes on the wire
// and what the answer must confirm.
type Sent struct {
	Headers map[string]string // kbjson's: x-exchange-identification, x-batch-processing-mode, x-instruction-name…
	Body    []byte
	Count   int          // items in Body
	Total   money.Amount // their sum
}

// SentFrom takes what the client needs from a kbjson request.
func SentFrom(r kbjson.Request) Sent {
	return Sent{Headers: r.Headers, Body: r.Body, Count: r.Count, Total: r.Total}
}

// header looks a header up by its case-insensitive name.
func (s Sent) header(name string) string {
	if v, ok := s.Headers[name]; ok {
		return v
	}
	for k, v := range s.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// reservedHeaders are set by the client or by net/http. Idempotency-Key and
// X-Idempotency-Key are refused because net/http treats a POST that carries
// one as replayable and may then resend it on its own after a connection
// failure: the one thing this client must never allow.
var reservedHeaders = map[string]bool{
	"Authorization": true, "X-Correlation-Id": true, "Apikey": true, "X-Api-Key": true,
	"Host": true, "Content-Length": true, "Transfer-Encoding": true, "Connection": true,
	"Idempotency-Key": true, "X-Idempotency-Key": true, "Expect": true,
}

func (s Sent) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %w: %s", ErrInvalidSent, bank.ErrNotSent, fmt.Sprintf(format, args...))
	}
	for k, v := range s.Headers {
		ck := http.CanonicalHeaderKey(k)
		if reservedHeaders[ck] {
			return bad("header %s is set by the client, not by the request", k)
		}
		if !validHeader(k, v) {
			return bad("header %s: name or value not allowed in HTTP", k)
		}
		if (ck == "Content-Type" || ck == "Accept") && !isJSONType(v) {
			return bad("%s %q: BATCHDA takes application/json", k, v)
		}
	}
	for _, h := range []string{kbjson.HeaderExchangeID, kbjson.HeaderProcessingMode} {
		if s.header(h) == "" {
			return bad("header %s is required", h)
		}
	}
	if len(s.Body) == 0 {
		return bad("empty body")
	}
	if s.Count <= 0 {
		return bad("item count %d", s.Count)
	}
	if _, ok := money.Exponent(s.Total.Currency); !ok || s.Total.Minor <= 0 {
		return bad("total %s is not a positive amount in a known currency", s.Total)
	}
	return nil
}

func isJSONType(v string) bool {
	mt, _, err := mime.ParseMediaType(v)
	return err == nil && mt == "application/json"
}

// validHeader refuses what would let a header value end the header
// (CR, LF) and other control characters; net/http would refuse them too,
// but only halfway through the call.
func validHeader(k, v string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// uuidRE is the pattern KB's client-registration API documents (spec §3).
var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// NewUUID is a random (version 4) UUID, the default x-correlation-id.
func NewUUID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand, Go 1.24+)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func (c *Client) correlationID() (string, error) {
	if c.CorrelationID == nil {
		return NewUUID(), nil
	}
	id := c.CorrelationID()
	if !uuidRE.MatchString(id) {
		return "", fmt.Errorf("%w: %w: x-correlation-id %q is not a UUID", ErrInvalidSent, bank.ErrNotSent, id)
	}
	return id, nil
}

// Submit sends one batch. The answer is one of:
//   - *Response, nil: KB imported it; Response.Partial() says whether only in part;
//   - *Response, *MismatchError: a 2xx that does not confirm what was sent;
//   - nil, error wrapping bank.ErrNotSent: nothing left, or the gateway
//     refused it before processing (429, 408); resending is safe;
//   - nil, error wrapping bank.ErrOutcomeUnknown: it may have been imported
//     (transport failure after the connection was up, 5xx, 3xx);
//   - nil, error wrapping bank.ErrAuth: 401 after one forced token refresh, 403;
//   - nil, *RejectedError: KB refused it (4xx) and kept nothing.
//
// Non-2xx answers are a *StatusError or *RejectedError, both of which
// unwrap to a *bank.HTTPError.
func (c *Client) Submit(ctx context.Context, s Sent) (*Response, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	a, err := c.call(ctx, call{method: kbjson.Method, path: kbjson.Path, body: s.Body, headers: s.Headers})
	if err != nil {
		return nil, err
	}
	return judge(a, s)
}

// call is one HTTP request to KB, without the headers the client adds.
type call struct {
	method, path string
	body         []byte
	headers      map[string]string
}

// call sends c once, and once more after a 401: the gateway checks the
// bearer before anything reaches KB, so a 401 means nothing was processed.
// The answer to the last attempt is returned whatever its status.
func (c *Client) call(ctx context.Context, cl call) (*answer, error) {
	if c.Tokens == nil {
		return nil, fmt.Errorf("%w: %w: no token source configured", ErrInvalidSent, bank.ErrNotSent)
	}
	if !strings.HasPrefix(c.BaseURL, "http://") && !strings.HasPrefix(c.BaseURL, "https://") {
		return nil, fmt.Errorf("%w: %w: base URL %q is not http(s)", ErrInvalidSent, bank.ErrNotSent, c.BaseURL)
	}
	tok, err := c.Tokens.Token(ctx)
	if err != nil {
		return nil, newTokenError(err)
	}
	a, err := c.send(ctx, cl, tok)
	if err != nil || a.status != http.StatusUnauthorized {
		return a, err
	}
	first := a
	if tok, err = c.Tokens.ForceRefresh(ctx); err != nil {
		return nil, fmt.Errorf("kb: HTTP 401 (x-correlation-id %s, %s), then: %w",
			first.correlationID, problemsText(parseProblems(first.body)), newTokenError(err))
	}
	return c.send(ctx, cl, tok)
}

// answer is one HTTP exchange that produced a status line.
type answer struct {
	status        int
	header        http.Header
	body          []byte
	readErr       error
	correlationID string
}

// send makes exactly one HTTP request and classifies a transport failure.
func (c *Client) send(ctx context.Context, cl call, tok string) (*answer, error) {
	if tok == "" {
		return nil, newTokenError(errors.New("the token source returned an empty token"))
	}
	cid, err := c.correlationID()
	if err != nil {
		return nil, err
	}
	url := strings.TrimRight(c.BaseURL, "/") + cl.path
	// The connection is the line: before one exists nothing can have left;
	// once it exists any failure may come after bytes went out. This errs
	// on the safe side (a failure between getting the connection and the
	// first write is reported as unknown).
	var connected atomic.Bool
	trace := &httptrace.ClientTrace{GotConn: func(httptrace.GotConnInfo) { connected.Store(true) }}
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), cl.method, url, body)
	if err != nil {
		return nil, fmt.Errorf("%w: %w: %v", ErrInvalidSent, bank.ErrNotSent, err)
	}
	for k, v := range cl.headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if cl.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("x-correlation-id", cid)
	if c.APIKey != "" {
		// Non-canonical key on purpose: written as KB spells it.
		req.Header["apiKey"] = []string{c.APIKey}
		req.Header.Set("x-api-key", c.APIKey)
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		class := bank.ErrOutcomeUnknown
		if !connected.Load() {
			class = bank.ErrNotSent
		}
		return nil, &transportError{Class: class, CorrelationID: cid, Err: err}
	}
	defer resp.Body.Close()
	a := &answer{status: resp.StatusCode, header: resp.Header, correlationID: cid}
	a.body, a.readErr = io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if a.readErr == nil && len(a.body) > maxAnswer {
		a.readErr = fmt.Errorf("answer longer than %d bytes", maxAnswer)
	}
	return a, nil
}

// httpClient is c.HTTP with redirects switched off: a redirected POST could
// land the batch somewhere else, or twice.
func (c *Client) httpClient() *http.Client {
	hc := http.Client{Timeout: DefaultTimeout}
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

// judge turns an HTTP answer into the result of Submit.
func judge(a *answer, s Sent) (*Response, error) {
	if a.status >= 200 && a.status <= 299 {
		if a.readErr != nil {
			r := &Response{CorrelationID: a.correlationID, HTTPStatus: a.status, Raw: a.body}
			return r, &MismatchError{Response: r, Why: "HTTP " + strconv.Itoa(a.status) + " but the answer could not be read: " + a.readErr.Error()}
		}
		r, err := ParseResponse(a.body, s)
		r.CorrelationID, r.HTTPStatus = a.correlationID, a.status
		return r, err
	}
	problems := parseProblems(a.body)
	body := snippet(a.body)
	if a.readErr != nil {
		body += " (answer cut short: " + a.readErr.Error() + ")"
	}
	se := &StatusError{Status: a.status, Problems: problems, CorrelationID: a.correlationID, Body: body,
		RetryAfter: retryAfter(a.header.Get("Retry-After"), time.Now())}
	switch {
	case a.status == http.StatusUnauthorized || a.status == http.StatusForbidden:
		se.Class = bank.ErrAuth
	case a.status == http.StatusTooManyRequests || a.status == http.StatusRequestTimeout:
		// The gateway refused it before processing (rate limit; request
		// not read in time).
		se.Class = bank.ErrNotSent
	case a.status >= 400 && a.status <= 499:
		return nil, &RejectedError{Status: a.status, Problems: problems, CorrelationID: a.correlationID, Body: body}
	default:
		// 5xx (including the WSO2 gateway's XML faults): KB may have
		// imported the batch before failing. 3xx and anything stranger:
		// we cannot know either.
		se.Class = bank.ErrOutcomeUnknown
	}
	return nil, se
}

// retryAfter reads delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now).Round(time.Second)
	}
	return 0
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "") + "…"
	}
	return s
}
