// Package bankintegration is the client for the Danish BankIntegration API:
// POST /payment, POST /status and POST /payment/cancel, each signed with the
// Authorization header the spec describes. It never retries on its own: the
// daemon decides, from the error's class, whether a retry is safe.
package bankintegration

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"time"

	"erpconnector/connector/bank"
	"erpconnector/formats/bijson"
)

// Client talks to one BankIntegration base URL for one ERP.
type Client struct {
	BaseURL string // https://api.bankintegration.dk, or the sandbox
	HTTP    *http.Client
	ERP     string
	APIKey  string
	// Codes maps a 14-digit debtor BBAN to its integration code.
	Codes map[string]string
	Now   func() time.Time
}

// Msg is an error or warning in an answer.
type Msg struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// Answer is the state of one payment as the bank reports it.
type Answer struct {
	TransID    string `json:"transId"`
	PaymentID  string `json:"paymentId"`
	EndToEndID string `json:"endToEndId"`
	Status     int    `json:"status"`
	Errors     []Msg  `json:"errors,omitempty"`
	Warnings   []Msg  `json:"warnings,omitempty"`
}

// Response is the body of /payment, /status and /payment/cancel answers.
type Response struct {
	Account   string   `json:"account"`
	RequestID string   `json:"requestId"`
	Time      string   `json:"time"`
	Answers   []Answer `json:"answers"`
}

// Status values (bit flags in the spec).
const (
	StatusCreated    = 1
	StatusPending    = 2
	StatusAccepted   = 4
	StatusSucceeded  = 8
	StatusRejected   = 16
	StatusFailed     = 32
	StatusNotFound   = 64
	StatusWarning    = 128
	StatusCancelling = 256
	StatusWaiting    = 512
)

func (c *Client) creds(debtor string) (bijson.Credentials, error) {
	code, ok := c.Codes[debtor]
	if !ok {
		return bijson.Credentials{}, fmt.Errorf("%w: no integration code is configured for account %s", bank.ErrAuth, debtor)
	}
	return bijson.Credentials{ERP: c.ERP, APIKey: c.APIKey, Account: debtor, IntegrationCode: code}, nil
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Submit posts a planned /payment request. body and hash come from the
// encoder; requestID must be the body's requestId.
func (c *Client) Submit(ctx context.Context, debtor, requestID string, body []byte, hash []bijson.HashInput) (*Response, error) {
	cr, err := c.creds(debtor)
	if err != nil {
		return nil, err
	}
	auth, err := bijson.PaymentAuthorization(cr, requestID, hash, c.now())
	if err != nil {
		return nil, err
	}
	return c.do(ctx, "/payment", auth, body)
}

// Status asks for the state of payments of one debtor account. Each call uses
// a fresh requestId, as the spec requires.
func (c *Client) Status(ctx context.Context, debtor string, paymentIDs []string) (*Response, error) {
	return c.query(ctx, "/status", debtor, paymentIDs)
}

// Cancel asks the bank to cancel payments not yet executed.
func (c *Client) Cancel(ctx context.Context, debtor string, paymentIDs []string) (*Response, error) {
	return c.query(ctx, "/payment/cancel", debtor, paymentIDs)
}

func (c *Client) query(ctx context.Context, path, debtor string, paymentIDs []string) (*Response, error) {
	cr, err := c.creds(debtor)
	if err != nil {
		return nil, err
	}
	reqID := newRequestID()
	auth, err := bijson.RequestAuthorization(cr, reqID, c.now())
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(struct {
		RequestID  string   `json:"requestId"`
		PaymentIDs []string `json:"paymentIds"`
	}{reqID, paymentIDs})
	if err != nil {
		return nil, err
	}
	return c.do(ctx, path, auth, body)
}

// do sends one request, classifies every failure and decodes the answer.
func (c *Client) do(ctx context.Context, path, auth string, body []byte) (*Response, error) {
	raw, err := c.doRaw(ctx, path, auth, body)
	if err != nil {
		return nil, err
	}
	var out Response
	if len(bytes.TrimSpace(raw)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&out); err != nil {
			return nil, fmt.Errorf("%s: %w: answer is not the expected JSON: %v", path, bank.ErrOutcomeUnknown, err)
		}
	}
	return &out, nil
}

// doRaw POSTs one request and classifies every failure; it returns the
// body of a 2xx answer.
func (c *Client) doRaw(ctx context.Context, path, auth string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.BaseURL, "/")+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", auth)
	wrote := false
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		WroteHeaders: func() { wrote = true },
	}))
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		if !wrote {
			return nil, fmt.Errorf("%s: %w: %v", path, bank.ErrNotSent, err)
		}
		return nil, fmt.Errorf("%s: %w: %v", path, bank.ErrOutcomeUnknown, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, fmt.Errorf("%s: %w: reading the answer: %v", path, bank.ErrOutcomeUnknown, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		he := &bank.HTTPError{Status: resp.StatusCode, Body: snippet(raw)}
		if resp.StatusCode == 429 || resp.StatusCode == 503 {
			he.RetryAfter = bank.ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		switch {
		case resp.StatusCode == 401 || resp.StatusCode == 403:
			return nil, fmt.Errorf("%s: %w: %w", path, bank.ErrAuth, he)
		case resp.StatusCode == 408 || resp.StatusCode == 429:
			// Refused before processing (timeout reading the request, rate limit).
			return nil, fmt.Errorf("%s: %w: %w", path, bank.ErrNotSent, he)
		case resp.StatusCode >= 500:
			// The bank may have acted before failing: find out before resending.
			return nil, fmt.Errorf("%s: %w: %w", path, bank.ErrOutcomeUnknown, he)
		}
		return nil, fmt.Errorf("%s: %w", path, he)
	}
	return raw, nil
}

func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return s
}

func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return "S" + time.Now().UTC().Format("20060102150405") + hex.EncodeToString(b[:])
}
