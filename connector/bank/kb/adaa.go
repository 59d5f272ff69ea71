package kb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"erpconnector/formats"
	"erpconnector/formats/money"
	"erpconnector/formats/statement"
)

// ADAA reads account history and balances through KB's Account Direct
// Access API v2 (the OpenAPI "AccountDirectAccessAPI-v2": GET /accounts,
// /accounts/{accountId}/transactions, /accounts/{accountId}/balances) with
// the same OAuth2 token source as BATCHDA (the token must carry scope
// adaa). Every call is a GET, so errors are simply errors, classified like
// Submit's: 401 after one forced refresh and 403 are bank.ErrAuth; 429 (the
// "1 download per 61 minutes" rule for unchanged data) is bank.ErrNotSent
// with StatusError.RetryAfter; other 4xx a *RejectedError. Decisions:
//
//   - The account is named by IBAN; its accountId comes from GET /accounts
//     and is cached per ADAA value.
//   - History is asked by fromDate/toDate (yyyy-MM-dd, inclusive; deprecated
//     in the OpenAPI but still documented, and a date is what a statement
//     period is) and read page by page (page from 0, size PageSize ≤ 100)
//     until "last". The same entryReference twice (data moving between
//     pages) is kept once when identical and refused otherwise.
//   - Only entries with status BOOK (or none) are returned; pending ones
//     are not statement entries.
//   - Amounts are magnitudes with creditDebitIndicator; they are read from
//     the JSON text exactly at the currency's exponent (never a float) and
//     signed (DEBIT negative). Every entry must be in the account currency.
//   - Entry.ID is entryReference (else references.accountServicer);
//     BankReference references.accountServicer; Remittance holds
//     references.receiver and the VS/KS/SS symbols; Text is
//     additionalTransactionInformation (else the transaction type); TxCode
//     is derived from transactionType and direction.
type ADAA struct {
	// BaseURL includes the API prefix: "https://api-gateway.kb.cz/adaa/v2"
	// (sandbox "https://api-gateway.kb.cz/sandbox/adaa/v2").
	BaseURL string
	HTTP    *http.Client
	Tokens  TokenSource
	// APIKey is the ADAA apiKey from the developer portal (KB requires it;
	// another API's key is refused).
	APIKey        string
	CorrelationID func() string
	PageSize      int // 1..100; default 100
	MaxPages      int // safety bound per call; default 1000

	mu  sync.Mutex
	ids map[string]ADAAAccount // by IBAN
}

// ADAA returns an ADAA client sharing c's HTTP client, token source and
// correlation IDs.
func (c *Client) ADAA(baseURL, apiKey string) *ADAA {
	return &ADAA{BaseURL: baseURL, HTTP: c.HTTP, Tokens: c.Tokens, APIKey: apiKey, CorrelationID: c.CorrelationID}
}

// ErrBadAnswer wraps a 2xx ADAA answer that cannot be used exactly.
var ErrBadAnswer = errors.New("kb: unusable ADAA answer")

// ErrUnknownAccount is returned when the IBAN is not among the accounts
// the user consented to.
var ErrUnknownAccount = errors.New("kb: account not available through ADAA")

// ADAAAccount is one consented account.
type ADAAAccount struct {
	AccountID string
	IBAN      string
	Currency  string
	Name      string
}

func (a *ADAA) client() *Client {
	return &Client{BaseURL: strings.TrimRight(a.BaseURL, "/"), HTTP: a.HTTP, Tokens: a.Tokens, APIKey: a.APIKey, CorrelationID: a.CorrelationID}
}

// get makes one GET and returns the 2xx body.
func (a *ADAA) get(ctx context.Context, path string) ([]byte, error) {
	ans, err := a.client().call(ctx, call{method: http.MethodGet, path: path})
	if err != nil {
		return nil, fmt.Errorf("kb: ADAA %s: %w", path, err)
	}
	if ans.status < 200 || ans.status > 299 {
		_, err := judge(ans, Sent{})
		return nil, fmt.Errorf("kb: ADAA %s: %w", path, err)
	}
	if ans.readErr != nil {
		return nil, fmt.Errorf("kb: ADAA %s (x-correlation-id %s): reading the answer: %w", path, ans.correlationID, ans.readErr)
	}
	return ans.body, nil
}

// Accounts lists the consented accounts (and refreshes the cache).
func (a *ADAA) Accounts(ctx context.Context) ([]ADAAAccount, error) {
	body, err := a.get(ctx, "/accounts")
	if err != nil {
		return nil, err
	}
	list, err := ParseAccounts(body)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.ids = map[string]ADAAAccount{}
	for _, x := range list {
		a.ids[x.IBAN] = x
	}
	a.mu.Unlock()
	return list, nil
}

// ParseAccounts reads GET /accounts.
func ParseAccounts(body []byte) ([]ADAAAccount, error) {
	var w []struct {
		AccountID string `json:"accountId"`
		IBAN      string `json:"iban"`
		Currency  string `json:"currency"`
		Name      string `json:"nameI18N"`
	}
	if err := decodeOne(body, &w); err != nil {
		return nil, fmt.Errorf("%w: accounts: %v", ErrBadAnswer, err)
	}
	out := make([]ADAAAccount, 0, len(w))
	for i, x := range w {
		if x.AccountID == "" || x.IBAN == "" {
			return nil, fmt.Errorf("%w: accounts[%d]: accountId or iban missing", ErrBadAnswer, i)
		}
		if _, ok := money.Exponent(x.Currency); !ok {
			return nil, fmt.Errorf("%w: accounts[%d]: currency %q", ErrBadAnswer, i, x.Currency)
		}
		out = append(out, ADAAAccount{AccountID: x.AccountID, IBAN: x.IBAN, Currency: x.Currency, Name: x.Name})
	}
	return out, nil
}

func (a *ADAA) account(ctx context.Context, iban string) (ADAAAccount, error) {
	a.mu.Lock()
	acct, ok := a.ids[iban]
	a.mu.Unlock()
	if ok {
		return acct, nil
	}
	list, err := a.Accounts(ctx)
	if err != nil {
		return ADAAAccount{}, err
	}
	for _, x := range list {
		if x.IBAN == iban {
			return x, nil
		}
	}
	return ADAAAccount{}, fmt.Errorf("%w: %s", ErrUnknownAccount, iban)
}

// Transactions returns the booked entries of the account with booking
// dates from..to (inclusive; a zero date leaves that end open), oldest
// first.
func (a *ADAA) Transactions(ctx context.Context, iban string, from, to formats.Date) ([]statement.Entry, error) {
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return nil, fmt.Errorf("%w: from %s is after to %s", ErrInvalidSent, from, to)
	}
	acct, err := a.account(ctx, iban)
	if err != nil {
		return nil, err
	}
	size := a.PageSize
	if size <= 0 || size > 100 {
		size = 100
	}
	maxPages := a.MaxPages
	if maxPages <= 0 {
		maxPages = 1000
	}
	q := url.Values{"size": {strconv.Itoa(size)}}
	if !from.IsZero() {
		q.Set("fromDate", from.String())
	}
	if !to.IsZero() {
		q.Set("toDate", to.String())
	}
	var out []statement.Entry
	seen := map[string]statement.Entry{}
	for page := 0; ; page++ {
		if page >= maxPages {
			return nil, fmt.Errorf("%w: more than %d pages", ErrBadAnswer, maxPages)
		}
		q.Set("page", strconv.Itoa(page))
		body, err := a.get(ctx, "/accounts/"+url.PathEscape(acct.AccountID)+"/transactions?"+q.Encode())
		if err != nil {
			return nil, err
		}
		p, err := ParseTransactionPage(body, acct.Currency)
		if err != nil {
			return nil, fmt.Errorf("page %d: %w", page, err)
		}
		if p.PageNumber != page {
			return nil, fmt.Errorf("%w: asked for page %d, got %d", ErrBadAnswer, page, p.PageNumber)
		}
		for _, e := range p.Entries {
			if prev, dup := seen[e.ID]; dup {
				if fmt.Sprintf("%+v", prev) != fmt.Sprintf("%+v", e) {
					return nil, fmt.Errorf("%w: entry %s appears twice with different content", ErrBadAnswer, e.ID)
				}
				continue
			}
			seen[e.ID] = e
			out = append(out, e)
		}
		if p.Last || len(p.Entries)+p.Skipped == 0 {
			return out, nil
		}
	}
}

// TransactionPage is one parsed ADAA history page.
type TransactionPage struct {
	Entries    []statement.Entry // booked entries of the page, in order
	Skipped    int               // entries not booked (status other than BOOK)
	PageNumber int
	TotalPages int
	Last       bool
}

type wireAmount struct {
	Value    json.Number `json:"value"`
	Currency string      `json:"currency"`
}

type wireTransaction struct {
	EntryReference       string      `json:"entryReference"`
	CreditDebitIndicator string      `json:"creditDebitIndicator"`
	TransactionType      string      `json:"transactionType"`
	Amount               *wireAmount `json:"amount"`
	BookingDate          string      `json:"bookingDate"`
	ValueDate            string      `json:"valueDate"`
	ReversalIndicator    bool        `json:"reversalIndicator"`
	Status               string      `json:"status"`
	CounterParty         struct {
		IBAN      string `json:"iban"`
		Name      string `json:"name"`
		AccountNo string `json:"accountNo"`
		BankBIC   string `json:"bankBic"`
		BankCode  string `json:"bankCode"`
	} `json:"counterParty"`
	References struct {
		AccountServicer        string `json:"accountServicer"`
		EndToEndIdentification string `json:"endToEndIdentification"`
		Variable               string `json:"variable"`
		Constant               string `json:"constant"`
		Specific               string `json:"specific"`
		Receiver               string `json:"receiver"`
	} `json:"references"`
	AdditionalTransactionInformation string `json:"additionalTransactionInformation"`
}

// decodeOne decodes exactly one JSON value, numbers as text.
func decodeOne(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the JSON value")
	}
	return nil
}

// ParseTransactionPage reads one PageSlice; currency is the account's.
func ParseTransactionPage(body []byte, currency string) (*TransactionPage, error) {
	exp, ok := money.Exponent(currency)
	if !ok {
		return nil, fmt.Errorf("%w: account currency %q", ErrBadAnswer, currency)
	}
	var w struct {
		Content    []wireTransaction `json:"content"`
		TotalPages *int              `json:"totalPages"`
		PageNumber *int              `json:"pageNumber"`
		Last       *bool             `json:"last"`
	}
	if err := decodeOne(body, &w); err != nil {
		return nil, fmt.Errorf("%w: not a transaction page: %v", ErrBadAnswer, err)
	}
	if w.PageNumber == nil || w.Last == nil || w.TotalPages == nil || w.Content == nil {
		return nil, fmt.Errorf("%w: content, pageNumber, totalPages or last missing", ErrBadAnswer)
	}
	p := &TransactionPage{PageNumber: *w.PageNumber, TotalPages: *w.TotalPages, Last: *w.Last}
	for i := range w.Content {
		tx := &w.Content[i]
		if tx.Status != "" && tx.Status != "BOOK" {
			p.Skipped++
			continue
		}
		e, err := mapTransaction(tx, currency, exp)
		if err != nil {
			return nil, fmt.Errorf("%w: content[%d]: %v", ErrBadAnswer, i, err)
		}
		p.Entries = append(p.Entries, e)
	}
	return p, nil
}

func mapTransaction(tx *wireTransaction, currency string, exp int) (statement.Entry, error) {
	r := tx.References
	e := statement.Entry{ID: first(tx.EntryReference, r.AccountServicer), Currency: currency,
		EndToEndID: r.EndToEndIdentification, BankReference: first(r.AccountServicer, tx.EntryReference),
		Text: first(tx.AdditionalTransactionInformation, tx.TransactionType), Reversal: tx.ReversalIndicator}
	if e.ID == "" {
		return e, errors.New("entryReference missing")
	}
	var err error
	if e.BookingDate, err = formats.ParseDate("2006-01-02", tx.BookingDate); err != nil {
		return e, fmt.Errorf("%s: bookingDate: %v", e.ID, err)
	}
	e.ValueDate = e.BookingDate
	if tx.ValueDate != "" {
		if e.ValueDate, err = formats.ParseDate("2006-01-02", tx.ValueDate); err != nil {
			return e, fmt.Errorf("%s: valueDate: %v", e.ID, err)
		}
	}
	if tx.Amount == nil || tx.Amount.Value == "" {
		return e, fmt.Errorf("%s: amount missing", e.ID)
	}
	if tx.Amount.Currency != currency {
		return e, fmt.Errorf("%s: amount in %q, the account is in %s", e.ID, tx.Amount.Currency, currency)
	}
	m, err := exactMinor(string(tx.Amount.Value), exp)
	if err != nil {
		return e, fmt.Errorf("%s: amount: %v", e.ID, err)
	}
	if m <= 0 {
		return e, fmt.Errorf("%s: amount %s is not a positive magnitude", e.ID, tx.Amount.Value)
	}
	switch tx.CreditDebitIndicator {
	case "DEBIT":
		e.Minor = -m
	case "CREDIT":
		e.Minor = m
	default:
		return e, fmt.Errorf("%s: creditDebitIndicator %q", e.ID, tx.CreditDebitIndicator)
	}
	cp := tx.CounterParty
	e.Counterparty.Name = cp.Name
	e.CounterpartyBIC = cp.BankBIC
	e.CounterpartyAccount = formats.Account{IBAN: strings.ReplaceAll(cp.IBAN, " ", "")}
	if cp.AccountNo != "" && cp.BankCode != "" {
		e.CounterpartyAccount.Number, e.CounterpartyAccount.BankCode, e.CounterpartyAccount.Country = cp.AccountNo, cp.BankCode, "CZ"
	}
	e.Remittance = formats.Remittance{Unstructured: r.Receiver, VS: r.Variable, KS: r.Constant, SS: r.Specific}
	e.TxCode = txCode(tx.TransactionType, e.Minor < 0)
	return e, nil
}

// txCode maps ADAA's transactionType to an ISO 20022 bank transaction code.
func txCode(typ string, debit bool) statement.TxCode {
	pick := func(d, c string) string {
		if debit {
			return d
		}
		return c
	}
	switch typ {
	case "DOMESTIC":
		return statement.TxCode{Domain: "PMNT", Family: pick("ICDT", "RCDT"), SubFamily: "DMCT"}
	case "SEPA":
		return statement.TxCode{Domain: "PMNT", Family: pick("ICDT", "RCDT"), SubFamily: "ESCT"}
	case "FOREIGN":
		return statement.TxCode{Domain: "PMNT", Family: pick("ICDT", "RCDT"), SubFamily: "XBCT"}
	case "FEE":
		return statement.TxCode{Domain: "ACMT", Family: "MDOP", SubFamily: "CHRG"}
	case "INTEREST":
		return statement.TxCode{Domain: "ACMT", Family: "MDOP", SubFamily: "INTR"}
	case "CARD":
		return statement.TxCode{Domain: "PMNT", Family: "CCRD", SubFamily: "POSD"}
	case "CASH":
		return statement.TxCode{Domain: "PMNT", Family: "CNTR", SubFamily: pick("CWDL", "CDPT")}
	}
	return statement.TxCode{}
}

// exactMinor reads a JSON number exactly at exp decimals: digits beyond
// exp must be zeros.
func exactMinor(lit string, exp int) (int64, error) {
	d, err := decimalFromJSON(lit)
	if err != nil {
		return 0, err
	}
	v := int64(d.Units) // decimalFromJSON keeps Units ≤ MaxInt64
	scale := d.Scale
	for ; scale > exp; scale-- {
		if v%10 != 0 {
			return 0, fmt.Errorf("%s has more than %d decimals", clip(lit), exp)
		}
		v /= 10
	}
	for ; scale < exp; scale++ {
		if v > (1<<63-1)/10 {
			return 0, fmt.Errorf("%s: %w", clip(lit), money.ErrOverflow)
		}
		v *= 10
	}
	if d.Neg {
		v = -v
	}
	return v, nil
}

// Balance types of ADAA.
const (
	BalancePreviouslyClosed = "PREVIOUSLY_CLOSED_BOOK" // yesterday's closing: today's opening
	BalanceClosingBooked    = "CLOSING_BOOKED"
	BalanceClosingAvailable = "CLOSING_AVAILABLE"
)

// AccountBalance is one balance of GET /balances.
type AccountBalance struct {
	Type    string
	Minor   int64 // signed: DEBIT negative
	ValidAt time.Time
}

// Balances returns the account's balances (opening = previously closed
// book, current = closing booked).
func (a *ADAA) Balances(ctx context.Context, iban string) ([]AccountBalance, error) {
	acct, err := a.account(ctx, iban)
	if err != nil {
		return nil, err
	}
	body, err := a.get(ctx, "/accounts/"+url.PathEscape(acct.AccountID)+"/balances")
	if err != nil {
		return nil, err
	}
	return ParseBalances(body, acct.Currency)
}

// FindBalance returns the balance of the given type.
func FindBalance(bs []AccountBalance, typ string) (AccountBalance, bool) {
	for _, b := range bs {
		if b.Type == typ {
			return b, true
		}
	}
	return AccountBalance{}, false
}

// ParseBalances reads GET /balances; every amount in the account currency.
func ParseBalances(body []byte, currency string) ([]AccountBalance, error) {
	exp, ok := money.Exponent(currency)
	if !ok {
		return nil, fmt.Errorf("%w: account currency %q", ErrBadAnswer, currency)
	}
	var w []struct {
		Type                 string      `json:"type"`
		CreditDebitIndicator string      `json:"creditDebitIndicator"`
		Amount               *wireAmount `json:"amount"`
		ValidAt              string      `json:"validAt"`
	}
	if err := decodeOne(body, &w); err != nil {
		return nil, fmt.Errorf("%w: not a balance list: %v", ErrBadAnswer, err)
	}
	out := make([]AccountBalance, 0, len(w))
	for i, x := range w {
		bad := func(format string, args ...any) error {
			return fmt.Errorf("%w: balances[%d]: %s", ErrBadAnswer, i, fmt.Sprintf(format, args...))
		}
		switch x.Type {
		case BalancePreviouslyClosed, BalanceClosingBooked, BalanceClosingAvailable:
		default:
			return nil, bad("type %q", x.Type)
		}
		if _, dup := FindBalance(out, x.Type); dup {
			return nil, bad("type %s twice", x.Type)
		}
		if x.Amount == nil || x.Amount.Currency != currency {
			return nil, bad("amount missing or not in %s", currency)
		}
		m, err := exactMinor(string(x.Amount.Value), exp)
		if err != nil || m < 0 {
			return nil, bad("amount %q: want an exact magnitude", x.Amount.Value)
		}
		switch x.CreditDebitIndicator {
		case "CREDIT":
		case "DEBIT":
			m = -m
		default:
			return nil, bad("creditDebitIndicator %q", x.CreditDebitIndicator)
		}
		at, err := time.Parse(time.RFC3339Nano, x.ValidAt)
		if err != nil {
			return nil, bad("validAt %q", x.ValidAt)
		}
		out = append(out, AccountBalance{Type: x.Type, Minor: m, ValidAt: at})
	}
	return out, nil
}
