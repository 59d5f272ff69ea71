package kb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"erpconnector/connector/bank"
	"erpconnector/formats/kbjson"
	"erpconnector/formats/money"
)

// specSent is the kb-batchda.md §8 example as kbjson would hand it over:
// two items, 12500.00 + 499.50 CZK.
func specSent() Sent {
	return Sent{
		Headers: map[string]string{
			kbjson.HeaderContentType:     "application/json",
			kbjson.HeaderAccept:          "application/json",
			kbjson.HeaderExchangeID:      "a1b2c3d4e5f601",
			kbjson.HeaderProcessingMode:  "ONLINE",
			kbjson.HeaderInstructionName: "Dodavatele 2026-06-16",
		},
		Body:  []byte(specBody),
		Count: 2,
		Total: money.Amount{Minor: 1299950, Currency: "CZK"},
	}
}

// specBody is kb-batchda.md §8's body, compacted.
const specBody = `{"batchPaymentDataCollectionRequest":[` +
	`{"paymentIdentification":{"instructionIdentification":"INV2026001"},` +
	`"amount":{"instructedAmount":{"value":12500.00,"currency":"CZK"}},` +
	`"requestedExecutionDate":"2026-06-16",` +
	`"debtorAccount":{"identification":{"iban":"CZ0801000000192000145399"},"currency":"CZK"},` +
	`"creditorAccount":{"identification":{"iban":"CZ5508000000001234567899"},"currency":"CZK"},` +
	`"creditor":{"name":"Dodavatel s.r.o."},` +
	`"remittanceInformation":{"unstructured":"Faktura 2026001",` +
	`"structured":{"creditorReferenceInformation":{"reference":["VS:2026001","KS:308"]}}}},` +
	`{"paymentIdentification":{"instructionIdentification":"RENT202606"},` +
	`"amount":{"instructedAmount":{"value":499.50,"currency":"CZK"}},` +
	`"requestedExecutionDate":"2026-06-16",` +
	`"debtorAccount":{"identification":{"iban":"CZ0801000000192000145399"},"currency":"CZK"},` +
	`"creditorAccount":{"identification":{"iban":"CZ6203000000001000000005"},"currency":"CZK"},` +
	`"remittanceInformation":{"unstructured":"Najem cerven",` +
	`"structured":{"creditorReferenceInformation":{"reference":["VS:20260042","SS:1234"]}}}}]}`

// okFields is a §5.4 answer that confirms specSent; tests change one field.
func okFields() map[string]any {
	return map[string]any{
		"transactionIdentification":      "000012GYPU",
		"batchDigest":                    "AAF21A859D225FD1D1889B2F08DA3E4A9AD6F7CC",
		"transactionCreditCount":         json.Number("0"),
		"rejectedTransactionCreditCount": json.Number("0"),
		"transactionDebitCount":          json.Number("2"),
		"rejectedTransactionDebitCount":  json.Number("0"),
		"totalCreditAmount":              json.Number("0"),
		"totalDebitAmount":               json.Number("12999.5"),
		"batchProcessingMode":            "ONLINE",
		"signInfo":                       map[string]any{"state": "OPEN", "signId": "SIGN-000012GYPU"},
		"instructionStatus":              "ACTC",
		"exchangeIdentification":         "a1b2c3d4e5f601",
	}
}

func okBody() string { return mustJSON(okFields()) }

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// fakeTokens hands out a fixed sequence: tokens[0] from Token, then one more
// per ForceRefresh.
type fakeTokens struct {
	mu         sync.Mutex
	tokens     []string
	next       int
	refreshes  int
	tokenErr   error
	refreshErr error
}

func (f *fakeTokens) Token(context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.tokenErr != nil {
		return "", f.tokenErr
	}
	return f.tokens[f.next], nil
}

func (f *fakeTokens) ForceRefresh(context.Context) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refreshes++
	if f.refreshErr != nil {
		return "", f.refreshErr
	}
	f.next++
	return f.tokens[f.next], nil
}

// seen is what a test server received.
type seen struct {
	Header http.Header
	Method string
	Path   string
	Body   []byte
}

// recorder is an httptest server that answers with a list of handlers,
// one per request (the last one repeats), and records every request.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
	url  string
}

func newRecorder(t testing.TB, answers ...http.HandlerFunc) *recorder {
	t.Helper()
	rec := &recorder{}
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		n := len(rec.reqs)
		rec.reqs = append(rec.reqs, seen{r.Header.Clone(), r.Method, r.URL.Path, body})
		rec.mu.Unlock()
		answers[min(n, len(answers)-1)](w, r)
	}))
	t.Cleanup(ts.Close)
	rec.url = ts.URL
	return rec
}

func (r *recorder) requests() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.reqs...)
}

func reply(status int, header map[string]string, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		for k, v := range header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func jsonReply(status int, body string) http.HandlerFunc {
	return reply(status, map[string]string{"Content-Type": "application/json"}, body)
}

// class names the bank error class of err, checking that it has exactly one.
func class(t *testing.T, err error) string {
	t.Helper()
	var names []string
	for _, c := range []struct {
		err  error
		name string
	}{{bank.ErrNotSent, "not-sent"}, {bank.ErrOutcomeUnknown, "unknown"}, {bank.ErrAuth, "auth"}} {
		if errors.Is(err, c.err) {
			names = append(names, c.name)
		}
	}
	switch len(names) {
	case 0:
		return "none"
	case 1:
		return names[0]
	}
	t.Errorf("error %v has several classes %v", err, names)
	return fmt.Sprint(names)
}
