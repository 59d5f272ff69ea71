package bijson

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Credentials are what signs a BankIntegration request. APIKey and
// IntegrationCode are secrets: no error or log line built here contains them.
type Credentials struct {
	ERP             string // serviceProvider: the ERP name/code BankIntegration issued
	APIKey          string // the ERP vendor's API key, a GUID
	Account         string // the debtor (header) account, 14-digit BBAN
	IntegrationCode string // the customer's per-account integration code
}

// HashInput is what one transaction of a payment request contributes to its
// HMAC. Every field is the value exactly as the body carries it, except
// PaymentDate, which is the body's yyyy-MM-dd without the hyphens.
type HashInput struct {
	PaymentID       string
	Currency        string
	PaymentDate     string // yyyyMMdd
	Amount          string // exactly 2 decimals, "154.00"
	CreditorAccount string // the transaction's "account" as sent
}

// Errors callers branch on. Messages never quote a secret.
var (
	// ErrAPIKey: the API key is not a GUID. The key itself is not quoted.
	ErrAPIKey = errors.New("BankIntegration API key is not a GUID")
	// ErrCredentials: a credential or signing input is missing or malformed.
	ErrCredentials = errors.New("invalid BankIntegration signing input")
	// ErrAuthorization: a header does not decode, or its hashes do not match.
	ErrAuthorization = errors.New("invalid BankIntegration Authorization header")
)

// Layouts of the signed time: "time" in the JSON object and "now" in the
// payload are the same instant in UTC, without offset or fraction.
const (
	timeLayout = "2006-01-02T15:04:05"
	nowLayout  = "20060102150405"
)

// KeyBytes converts an API key GUID to the 16 bytes .NET Guid.ToByteArray()
// returns, which is what every working client uses as the HMAC key: the first
// three groups byte-reversed, the rest as written. It accepts the .NET
// formats D (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), N (32 hex digits), B
// ({D}) and P ((D)), with either case of hex digits and surrounding spaces.
func KeyBytes(guid string) ([]byte, error) {
	s := strings.TrimSpace(guid)
	if len(s) == 38 && (s[0] == '{' && s[37] == '}' || s[0] == '(' && s[37] == ')') {
		s = s[1:37]
	}
	switch len(s) {
	case 36:
		if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
			return nil, ErrAPIKey
		}
		s = s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	case 32:
	default:
		return nil, ErrAPIKey
	}
	var b [16]byte
	if _, err := hex.Decode(b[:], []byte(s)); err != nil {
		return nil, ErrAPIKey
	}
	return []byte{b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6],
		b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]}, nil
}

// Token is the lowercase hex SHA-256 of the UTF-8 integration code: the
// first payload field.
func Token(integrationCode string) string {
	sum := sha256.Sum256([]byte(integrationCode))
	return hex.EncodeToString(sum[:])
}

// Payload is the string one HMAC signs:
//
//	token#custacc#currency#reqid#paydate#amount#credacc#erp#payid#now
//
// For a payment transaction (tx != nil) the transaction fills currency,
// paydate, amount, credacc and payid. For every other request (tx == nil)
// those four are empty and payid is the requestId.
func Payload(token, account, requestID, erp string, tx *HashInput, now time.Time) string {
	var currency, paydate, amount, credacc, payid string
	if tx != nil {
		currency, paydate, amount, credacc, payid = tx.Currency, tx.PaymentDate, tx.Amount, tx.CreditorAccount, tx.PaymentID
	} else {
		payid = requestID
	}
	return strings.Join([]string{token, account, currency, requestID, paydate, amount, credacc, erp, payid,
		now.UTC().Format(nowLayout)}, "#")
}

// Sign is base64(HMAC-SHA256(key, payload)).
func Sign(key []byte, payload string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// HashEntry is one element of the header's hash array.
type HashEntry struct {
	ID   string `json:"id"`
	Hash string `json:"hash"`
}

// Header is the decoded JSON authorization object. Field order is the order
// every known client sends.
type Header struct {
	ServiceProvider string      `json:"serviceProvider"`
	Account         string      `json:"account"`
	Time            string      `json:"time"`
	RequestID       string      `json:"requestId"`
	User            string      `json:"user,omitempty"`
	Hash            []HashEntry `json:"hash"`
}

// PaymentAuthorization builds the Authorization header value for POST
// /payment: one hash per transaction, in body order, id = paymentId.
func PaymentAuthorization(c Credentials, requestID string, txs []HashInput, now time.Time) (string, error) {
	if len(txs) == 0 {
		return "", fmt.Errorf("%w: a payment request needs at least one transaction", ErrCredentials)
	}
	for i := range txs {
		if err := checkHashInput(&txs[i]); err != nil {
			return "", fmt.Errorf("transaction %d: %w", i, err)
		}
	}
	return authorization(c, requestID, txs, now)
}

// RequestAuthorization builds the Authorization header value for every
// request other than a payment: status, statement, balance and (by the same
// rule, [INF]) cancel. It carries one hash with id = requestId.
func RequestAuthorization(c Credentials, requestID string, now time.Time) (string, error) {
	return authorization(c, requestID, nil, now)
}

func authorization(c Credentials, requestID string, txs []HashInput, now time.Time) (string, error) {
	key, err := checkCredentials(c, requestID)
	if err != nil {
		return "", err
	}
	if y := now.UTC().Year(); y < 1 || y > 9999 {
		return "", fmt.Errorf("%w: the time %v is out of range", ErrCredentials, now)
	}
	token := Token(c.IntegrationCode)
	h := Header{ServiceProvider: c.ERP, Account: c.Account, Time: now.UTC().Format(timeLayout), RequestID: requestID}
	if txs == nil {
		h.Hash = []HashEntry{{ID: requestID, Hash: Sign(key, Payload(token, c.Account, requestID, c.ERP, nil, now))}}
	} else {
		h.Hash = make([]HashEntry, len(txs))
		for i := range txs {
			h.Hash[i] = HashEntry{ID: txs[i].PaymentID, Hash: Sign(key, Payload(token, c.Account, requestID, c.ERP, &txs[i], now))}
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // IDs are sent as written; the server parses JSON anyway
	if err := enc.Encode(h); err != nil {
		return "", fmt.Errorf("encoding the authorization object: %w", err)
	}
	js := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	return "Basic " + base64.StdEncoding.EncodeToString(js), nil
}

func checkCredentials(c Credentials, requestID string) ([]byte, error) {
	if c.ERP == "" {
		return nil, fmt.Errorf("%w: the ERP name (serviceProvider) is empty", ErrCredentials)
	}
	if !isBBAN(c.Account) {
		return nil, fmt.Errorf("%w: account %q is not a 14-digit Danish BBAN", ErrCredentials, c.Account)
	}
	if c.IntegrationCode == "" {
		return nil, fmt.Errorf("%w: the integration code of account %s is empty", ErrCredentials, c.Account)
	}
	if requestID == "" {
		return nil, fmt.Errorf("%w: the requestId is empty", ErrCredentials)
	}
	// JSON would replace invalid UTF-8, and the server would then sign
	// other bytes than we did.
	if !utf8.ValidString(c.ERP) || !utf8.ValidString(requestID) {
		return nil, fmt.Errorf("%w: the ERP name or requestId is not valid UTF-8", ErrCredentials)
	}
	return KeyBytes(c.APIKey)
}

// checkHashInput rejects values the body could not carry the same way: the
// server recomputes the payload from the body, so a mismatch here would only
// show as "Invalid Signature".
func checkHashInput(tx *HashInput) error {
	switch {
	case tx.PaymentID == "":
		return fmt.Errorf("%w: paymentId is empty", ErrCredentials)
	case !utf8.ValidString(tx.PaymentID):
		return fmt.Errorf("%w: paymentId is not valid UTF-8", ErrCredentials)
	case len(tx.Currency) != 3:
		return fmt.Errorf("%w: currency %q is not a 3-letter code", ErrCredentials, tx.Currency)
	case len(tx.PaymentDate) != 8 || !allDigits(tx.PaymentDate):
		return fmt.Errorf("%w: paymentDate %q is not yyyyMMdd", ErrCredentials, tx.PaymentDate)
	case !isAmount2(tx.Amount):
		return fmt.Errorf("%w: amount %q does not have exactly 2 decimals", ErrCredentials, tx.Amount)
	case tx.CreditorAccount == "":
		return fmt.Errorf("%w: the creditor account is empty", ErrCredentials)
	}
	return nil
}

// isAmount2 reports whether s is digits "." two digits.
func isAmount2(s string) bool {
	i := strings.IndexByte(s, '.')
	return i > 0 && len(s)-i == 3 && allDigits(s[:i]) && allDigits(s[i+1:])
}

// DecodeAuthorization reads a header value as the server does: an optional
// "Basic " scheme in any case (clients send "Basic", "BASIC" or nothing),
// standard padded Base64, then the JSON object.
func DecodeAuthorization(value string) (Header, error) {
	v := strings.TrimSpace(value)
	if len(v) >= 6 && strings.EqualFold(v[:6], "basic ") {
		v = strings.TrimSpace(v[6:])
	}
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return Header{}, fmt.Errorf("%w: not Base64", ErrAuthorization)
	}
	var h Header
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return Header{}, fmt.Errorf("%w: not the JSON authorization object: %v", ErrAuthorization, err)
	}
	if dec.More() {
		return Header{}, fmt.Errorf("%w: data after the JSON object", ErrAuthorization)
	}
	return h, nil
}

// Now parses the header's time (yyyy-MM-ddTHH:mm:ss, UTC).
func (h Header) Now() (time.Time, error) {
	t, err := time.ParseInLocation(timeLayout, h.Time, time.UTC)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: time %q is not yyyy-MM-ddTHH:mm:ss", ErrAuthorization, h.Time)
	}
	return t, nil
}

// Verify recomputes every hash of h from c and compares in constant time:
// for a payment request (txs != nil) one hash per transaction with id =
// paymentId, in order; otherwise one hash with id = requestId. It also
// requires h's serviceProvider and account to be c's. The clock-skew check is
// the caller's: it has the clock.
func Verify(h Header, c Credentials, txs []HashInput) error {
	key, err := checkCredentials(c, h.RequestID)
	if err != nil {
		return err
	}
	if h.ServiceProvider != c.ERP || h.Account != c.Account {
		return fmt.Errorf("%w: serviceProvider or account differs", ErrAuthorization)
	}
	now, err := h.Now()
	if err != nil {
		return err
	}
	token := Token(c.IntegrationCode)
	if txs == nil {
		if len(h.Hash) != 1 || h.Hash[0].ID != h.RequestID {
			return fmt.Errorf("%w: expected one hash with id = requestId", ErrAuthorization)
		}
		return compareHash(h.Hash[0].Hash, Sign(key, Payload(token, c.Account, h.RequestID, c.ERP, nil, now)))
	}
	if len(h.Hash) != len(txs) {
		return fmt.Errorf("%w: %d hashes for %d transactions", ErrAuthorization, len(h.Hash), len(txs))
	}
	for i := range txs {
		if h.Hash[i].ID != txs[i].PaymentID {
			return fmt.Errorf("%w: hash %d has id %q, transaction has paymentId %q", ErrAuthorization, i, h.Hash[i].ID, txs[i].PaymentID)
		}
		if err := compareHash(h.Hash[i].Hash, Sign(key, Payload(token, c.Account, h.RequestID, c.ERP, &txs[i], now))); err != nil {
			return fmt.Errorf("transaction %d: %w", i, err)
		}
	}
	return nil
}

func compareHash(got, want string) error {
	if !hmac.Equal([]byte(got), []byte(want)) {
		return fmt.Errorf("%w: hash mismatch", ErrAuthorization)
	}
	return nil
}

func isBBAN(s string) bool { return len(s) == 14 && allDigits(s) }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
