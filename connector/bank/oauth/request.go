package oauth

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxAnswer bounds a token answer; KB's are about 3 KB.
const maxAnswer = 1 << 20

// NewUUID is a random (version 4) UUID in the 8-4-4-4-12 form KB's gateway
// requires for x-correlation-id.
func NewUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hex = "0123456789abcdef"
	out := make([]byte, 0, 36)
	for i, x := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, hex[x>>4], hex[x&0x0f])
	}
	return string(out)
}

// outcome is what one token call produced.
type outcome struct {
	resp     tokenResponse
	parseErr error       // 2xx, but unusable (resp.RefreshToken may still be set)
	httpErr  *TokenError // non-2xx
	sendErr  error       // transport: the call may or may not have reached the bank
}

// post sends one token request. It never retries: a refresh token or code
// sent twice may be consumed by the first attempt.
func (s *Source) post(ctx context.Context, grant string, form url.Values, red redactor) outcome {
	form.Set("grant_type", grant)
	form.Set("client_id", s.cfg.ClientID)
	form.Set("client_secret", s.cfg.ClientSecret)
	if s.cfg.RedirectURI != "" {
		form.Set("redirect_uri", s.cfg.RedirectURI)
	}
	cid := s.cfg.CorrelationID()
	ctxInfo := fmt.Sprintf("oauth: %s grant (x-correlation-id %s)", grant, cid)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return outcome{sendErr: fmt.Errorf("%s: token URL: %w", ctxInfo, red.wrap(err))}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("x-correlation-id", cid)
	if s.cfg.APIKey != "" {
		req.Header.Set("apiKey", s.cfg.APIKey)
	}
	resp, err := s.cfg.HTTP.Do(req)
	if err != nil {
		return outcome{sendErr: fmt.Errorf("%s: %w", ctxInfo, red.wrap(err))}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer+1))
	if err != nil {
		// The bank answered but the body was cut: for a 2xx it may have held
		// a rotated refresh token, so this counts as a lost answer.
		return outcome{sendErr: fmt.Errorf("%s: HTTP %d, reading the answer: %w", ctxInfo, resp.StatusCode, red.wrap(err))}
	}
	if len(body) > maxAnswer {
		return outcome{sendErr: fmt.Errorf("%s: HTTP %d: answer larger than %d bytes", ctxInfo, resp.StatusCode, maxAnswer)}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		tr, err := parseTokenResponse(body)
		if err != nil {
			err = fmt.Errorf("%s: HTTP %d: %w", ctxInfo, resp.StatusCode, err)
		}
		return outcome{resp: tr, parseErr: err}
	}
	te := &TokenError{Grant: grant, Status: resp.StatusCode, CorrelationID: cid}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		te.Description = "redirect not followed"
	} else {
		ea := parseErrorResponse(body)
		te.Code, te.Description = red.clean(ea.Code, 64), red.clean(ea.Description, 200)
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		te.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), s.cfg.Now())
	}
	return outcome{httpErr: te}
}

// retryAfter reads delta-seconds or an HTTP date; 0 when absent or invalid.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n <= 0 {
			return 0
		}
		return min(time.Duration(min(n, 1<<31))*time.Second, maxRetryAfter)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now).Round(time.Second), maxRetryAfter)
	}
	return 0
}
