package kbsim

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"erpconnector/formats/account"
	"erpconnector/formats/money"
)

// ADAA v2 (Account Direct Access, KB's OpenAPI AccountDirectAccessAPI-v2,
// kb-batchda.md §2, §6, §10.2 item 15) for statements:
//
//	GET /adaa/v2/accounts                              the consented accounts with their accountId
//	GET /adaa/v2/accounts/{accountId}/transactions      history, oldest first, paged
//	GET /adaa/v2/accounts/{accountId}/balances          PREVIOUSLY_CLOSED_BOOK, CLOSING_BOOKED, CLOSING_AVAILABLE
//
// The account's history is every booked BATCHDA item debiting it (whichever
// client sent the batch), the incoming payments the simulator invents
// (Config.Credits) and those injected by /_sim/credit. Decisions:
//
//   - accountId is unpadded base64 of "IBAN:CURRENCY", the shape of KB's
//     example ("Q1oxMzAx…OkNaSw" is "CZ1301…:CZK"); the IBAN itself is
//     accepted in its place too (older simulator behaviour).
//   - Paging as the OpenAPI: page from 0 (optional here, default 0), size
//     1..100 default 100; PageSlice fields. fromDate/toDate (yyyy-MM-dd, the
//     Prague booking date) or fromDateTime/toDateTime (the booking instant);
//     from after to is 400.
//   - Amounts are magnitudes with creditDebitIndicator, written from minor
//     units; references carry accountServicer (= entryReference),
//     endToEndIdentification and the Czech symbols; debits book on the
//     item's Prague date, value date the same.
//   - The 61-minute rule (429 "Unchanged data download limit reached",
//     §6) is Config.DownloadLimit, off by default: the same client asking
//     the same query within DownloadWindow and getting the same answer.
//     Windows are not persisted.

// Transaction is one ADAA history entry.
type Transaction struct {
	LastUpdated                      string       `json:"lastUpdated"`
	AccountType                      string       `json:"accountType"`
	EntryReference                   string       `json:"entryReference"`
	IBAN                             string       `json:"iban"`
	CreditDebitIndicator             string       `json:"creditDebitIndicator"`
	TransactionType                  string       `json:"transactionType"`
	Amount                           TxAmount     `json:"amount"`
	BookingDate                      string       `json:"bookingDate"`
	ValueDate                        string       `json:"valueDate"`
	Instructed                       TxAmount     `json:"instructed"`
	ReversalIndicator                bool         `json:"reversalIndicator"`
	Status                           string       `json:"status"`
	CounterParty                     CounterParty `json:"counterParty"`
	References                       TxReferences `json:"references"`
	AdditionalTransactionInformation string       `json:"additionalTransactionInformation,omitempty"`
}

// TxAmount is an amount written exactly from minor units.
type TxAmount struct {
	Value    json.Number `json:"value"`
	Currency string      `json:"currency"`
}

// CounterParty is the other side of the movement.
type CounterParty struct {
	IBAN      string `json:"iban"`
	Name      string `json:"name,omitempty"`
	AccountNo string `json:"accountNo,omitempty"`
	BankCode  string `json:"bankCode,omitempty"`
}

// TxReferences are the bank's reference, the end-to-end ID, the Czech
// payment symbols and the message.
type TxReferences struct {
	AccountServicer        string `json:"accountServicer,omitempty"`
	EndToEndIdentification string `json:"endToEndIdentification,omitempty"`
	Variable               string `json:"variable,omitempty"`
	Constant               string `json:"constant,omitempty"`
	Specific               string `json:"specific,omitempty"`
	Receiver               string `json:"receiver,omitempty"`
}

// TransactionPage is ADAA's PageSlice.
type TransactionPage struct {
	Content          []Transaction `json:"content"`
	TotalPages       int           `json:"totalPages"`
	PageNumber       int           `json:"pageNumber"`
	PageSize         int           `json:"pageSize"`
	NumberOfElements int           `json:"numberOfElements"`
	First            bool          `json:"first"`
	Last             bool          `json:"last"`
	Empty            bool          `json:"empty"`
}

// ADAAAccount is an item of GET /accounts.
type ADAAAccount struct {
	AccountID string `json:"accountId"`
	IBAN      string `json:"iban"`
	Currency  string `json:"currency"`
	Name      string `json:"nameI18N,omitempty"`
	Product   string `json:"productI18N,omitempty"`
}

// AccountBalance is an item of GET /balances.
type AccountBalance struct {
	Type                 string   `json:"type"`
	CreditDebitIndicator string   `json:"creditDebitIndicator"`
	Amount               TxAmount `json:"amount"`
	ValidAt              string   `json:"validAt"`
}

const (
	maxPageSize     = 100
	defaultPageSize = 100
	adaaAccounts    = "/adaa/v2/accounts"
	// DownloadLimitMessage is KB's 429 text (§6).
	DownloadLimitMessage = "Unchanged data download limit reached. Use publish-subscribe pattern for data change notifications. Limit: 1 download per 61 minutes"
)

// AccountID is the ADAA accountId of an account.
func AccountID(iban, currency string) string {
	return base64.RawStdEncoding.EncodeToString([]byte(iban + ":" + currency))
}

func (s *Server) handleADAA(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	notFound := func() {
		writeJSON(w, http.StatusNotFound, errorBody{Errors: []APIError{{Code: "NOT_FOUND", Message: "no endpoint " + p}}})
	}
	rest, ok := strings.CutPrefix(p, adaaAccounts)
	if !ok {
		notFound()
		return
	}
	cl, ok := s.bearer(w, r, ScopeADAA)
	if !ok {
		return
	}
	if rest == "" || rest == "/" {
		out := []ADAAAccount{}
		for _, a := range cl.Accounts {
			out = append(out, ADAAAccount{AccountID: AccountID(a.IBAN, a.Currency), IBAN: a.IBAN, Currency: a.Currency, Name: a.Name, Product: "Běžný účet/Current account"})
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	id, what, ok := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	if !ok || id == "" || (what != "transactions" && what != "balances") {
		notFound()
		return
	}
	acct, consented := s.resolveAccount(cl, id)
	if !consented {
		writeJSON(w, http.StatusForbidden, errorBody{Errors: []APIError{{Code: "FORBIDDEN", Message: "Client has no access to account or account is in blacklist"}}})
		return
	}
	if what == "balances" {
		s.answerADAA(w, r, cl, s.balances(acct))
		return
	}
	page, err := s.transactionPage(acct, r.URL.Query())
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody{Errors: []APIError{*err}})
		return
	}
	s.answerADAA(w, r, cl, page)
}

// resolveAccount finds a consented account by accountId or IBAN.
func (s *Server) resolveAccount(cl *Client, id string) (Account, bool) {
	for _, a := range cl.Accounts {
		if id == a.IBAN || id == AccountID(a.IBAN, a.Currency) {
			return a, true
		}
	}
	return Account{}, false
}

// download is the last answer one client got for one query.
type download struct {
	at  time.Time
	sum [32]byte
}

// answerADAA writes 200, or 429 when the 61-minute rule is on and the same
// client asked the same thing within the window and nothing changed.
func (s *Server) answerADAA(w http.ResponseWriter, r *http.Request, cl *Client, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		serverError(w, err)
		return
	}
	if s.cfg.DownloadLimit {
		key := cl.ID + "\x00" + r.URL.Path + "?" + canonicalQuery(r)
		sum := sha256.Sum256(body)
		s.mu.Lock()
		now := s.nowLocked()
		last, seen := s.downloads[key]
		limited := seen && last.sum == sum && now.Sub(last.at) < s.cfg.DownloadWindow
		if !limited {
			s.downloads[key] = download{at: now, sum: sum}
		}
		s.mu.Unlock()
		if limited {
			wait := s.cfg.DownloadWindow - now.Sub(last.at)
			w.Header().Set("Retry-After", strconv.Itoa(int((wait+time.Second-1)/time.Second)))
			writeJSON(w, http.StatusTooManyRequests, errorBody{Errors: []APIError{{Code: "TOO_MANY_REQUESTS", Message: DownloadLimitMessage}}})
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

func canonicalQuery(r *http.Request) string { return r.URL.Query().Encode() }

func badParam(param, value string) *APIError {
	return &APIError{Code: "INVALID_PARAMETER_VALUE", Message: "invalid " + param,
		AdditionalInfo: &AdditionalInfo{ParameterName: param, RejectedValue: value}}
}

func (s *Server) transactionPage(acct Account, q map[string][]string) (TransactionPage, *APIError) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	var lo, hi time.Time // booking instant bounds, inclusive; zero: open
	for _, p := range []struct {
		name string
		to   bool
	}{{"fromDate", false}, {"toDate", true}} {
		v := get(p.name)
		if v == "" {
			continue
		}
		start, ok := dayStart(v)
		if !ok {
			return TransactionPage{}, badParam(p.name, v)
		}
		if p.to {
			end, _ := dayStart(mustDate(v).AddDate(0, 0, 1).Format(dateLayout))
			hi = end.Add(-time.Nanosecond)
		} else {
			lo = start
		}
	}
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"fromDateTime", &lo}, {"toDateTime", &hi}} {
		if v := get(p.name); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return TransactionPage{}, badParam(p.name, v)
			}
			*p.dst = t
		}
	}
	if !lo.IsZero() && !hi.IsZero() && lo.After(hi) {
		return TransactionPage{}, &APIError{Code: "INVALID_PARAMETER_VALUE", Message: "fromDate must not be greater than toDate",
			AdditionalInfo: &AdditionalInfo{ParameterName: "fromDate", RejectedValue: get("fromDate") + get("fromDateTime")}}
	}
	page, size := 0, defaultPageSize
	if v := get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return TransactionPage{}, badParam("page", v)
		}
		page = n
	}
	if v := get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return TransactionPage{}, badParam("size", v)
		}
		size = n
	}
	s.mu.Lock()
	all := s.historyLocked(acct, s.nowLocked())
	s.mu.Unlock()
	var sel []Transaction
	for _, m := range all {
		if (!lo.IsZero() && m.at.Before(lo)) || (!hi.IsZero() && m.at.After(hi)) {
			continue
		}
		sel = append(sel, m.tx)
	}
	out := TransactionPage{Content: []Transaction{}, PageNumber: page, PageSize: size,
		TotalPages: (len(sel) + size - 1) / size, First: page == 0}
	if start := page * size; start < len(sel) && page < (1<<31)/size {
		out.Content = sel[start:min(start+size, len(sel))]
	}
	out.NumberOfElements = len(out.Content)
	out.Last = page >= out.TotalPages-1
	out.Empty = len(out.Content) == 0
	return out, nil
}

func mustDate(s string) time.Time {
	t, _ := time.Parse(dateLayout, s)
	return t
}

// movement is one booked entry of an account.
type movement struct {
	at    time.Time
	order int64
	minor int64 // signed
	tx    Transaction
}

// historyLocked lists the account's booked movements, oldest first.
func (s *Server) historyLocked(acct Account, now time.Time) []movement {
	var list []movement
	for _, b := range s.st.Batches {
		for _, it := range b.Items {
			if it.DebtorIBAN != acct.IBAN {
				continue
			}
			st, at := b.itemState(it, now)
			if st != ItemBooked {
				continue
			}
			list = append(list, movement{at: *at, order: int64(len(list)), minor: -it.AmountMinor, tx: transactionOf(it, *at, pragueDate(*at))})
		}
	}
	if cr := s.cfg.Credits; cr.Every > 0 && s.st.CreditsFrom != nil {
		n := 0
		for k := int64(1); n < maxInventedCredits; k, n = k+1, n+1 {
			at := s.st.CreditsFrom.Add(time.Duration(k) * cr.Every)
			if at.After(now) {
				break
			}
			c := inventedCredit(cr, acct, k, at)
			list = append(list, movement{at: at, order: 1 << 40, minor: c.AmountMinor, tx: creditTransaction(acct, c)})
		}
	}
	for i, c := range s.st.Credits {
		if c.IBAN == acct.IBAN && !c.At.After(now) {
			list = append(list, movement{at: c.At, order: 1<<41 + int64(i), minor: c.AmountMinor, tx: creditTransaction(acct, c)})
		}
	}
	sort.SliceStable(list, func(i, j int) bool {
		if !list[i].at.Equal(list[j].at) {
			return list[i].at.Before(list[j].at)
		}
		return list[i].order < list[j].order
	})
	return list
}

// maxInventedCredits bounds the invented credits per account, so that a
// clock moved years ahead cannot stall the simulator.
const maxInventedCredits = 100000

// balances: yesterday's closing (PREVIOUSLY_CLOSED_BOOK, valid at the start
// of today in Prague) and the current booked and available balance.
func (s *Server) balances(acct Account) []AccountBalance {
	s.mu.Lock()
	now := s.nowLocked()
	all := s.historyLocked(acct, now)
	s.mu.Unlock()
	today, _ := dayStart(pragueDate(now))
	prev, cur := acct.OpeningBalance, acct.OpeningBalance
	for _, m := range all {
		cur += m.minor
		if m.at.Before(today) {
			prev = cur
		}
	}
	exp, _ := money.Exponent(acct.Currency)
	bal := func(typ string, minor int64, at time.Time) AccountBalance {
		cdi := "CREDIT"
		if minor < 0 {
			cdi, minor = "DEBIT", -minor
		}
		return AccountBalance{Type: typ, CreditDebitIndicator: cdi, ValidAt: at.UTC().Format("2006-01-02T15:04:05.000Z"),
			Amount: TxAmount{Value: json.Number(money.FormatMinor(minor, exp)), Currency: acct.Currency}}
	}
	return []AccountBalance{bal("PREVIOUSLY_CLOSED_BOOK", prev, today), bal("CLOSING_BOOKED", cur, now), bal("CLOSING_AVAILABLE", cur, now)}
}

func transactionOf(it *item, at time.Time, day string) Transaction {
	exp, _ := money.Exponent(it.Currency)
	amt := TxAmount{Value: json.Number(money.FormatMinor(it.AmountMinor, exp)), Currency: it.Currency}
	tx := Transaction{
		LastUpdated: at.UTC().Format("2006-01-02T15:04:05.000Z"), AccountType: "KB", EntryReference: it.EntryRef,
		IBAN: it.DebtorIBAN, CreditDebitIndicator: "DEBIT", TransactionType: "DOMESTIC", Amount: amt,
		BookingDate: day, ValueDate: day, Instructed: amt, Status: "BOOK",
		CounterParty: CounterParty{IBAN: it.CreditorIBAN, Name: it.CreditorName},
		References: TxReferences{AccountServicer: it.EntryRef, EndToEndIdentification: it.EndToEndID,
			Receiver: it.Unstructured},
		AdditionalTransactionInformation: it.InstructionID,
	}
	if p, n, bank, err := account.CZFromIBAN(it.CreditorIBAN); err == nil {
		tx.CounterParty.AccountNo, tx.CounterParty.BankCode = account.FormatCZ(p, n), bank
	} else {
		tx.TransactionType = "FOREIGN"
	}
	for _, ref := range it.References {
		switch ref[:2] {
		case "VS":
			tx.References.Variable = ref[3:]
		case "KS":
			tx.References.Constant = ref[3:]
		case "SS":
			tx.References.Specific = ref[3:]
		}
	}
	return tx
}

// Credits configures the incoming payments the simulator invents on every
// consented account: one every Every of simulated time from when the
// simulator (or its state file) was created. Content is a pure function of
// Seed, the IBAN and the slot number.
type Credits struct {
	Every time.Duration // 0: none (the default)
	Seed  uint64
	// MinMinor, MaxMinor bound the amount (minor units); defaults 100.00
	// and 50,000.00.
	MinMinor, MaxMinor int64
}

// credit is an incoming payment: invented (not stored) or injected
// (stored in the state).
type credit struct {
	IBAN        string    `json:"iban"`
	At          time.Time `json:"at"`
	AmountMinor int64     `json:"amountMinor"`
	Currency    string    `json:"currency"`
	EntryRef    string    `json:"entryReference"`
	FromIBAN    string    `json:"fromIban,omitempty"`
	Name        string    `json:"name"`
	Message     string    `json:"message,omitempty"`
	VS          string    `json:"vs,omitempty"`
	KS          string    `json:"ks,omitempty"`
	SS          string    `json:"ss,omitempty"`
	EndToEndID  string    `json:"endToEndId,omitempty"`
}

var creditPayers = []struct{ name, iban string }{
	{"Stavebniny Novák s.r.o.", "CZ6508000000192000145399"},
	{"Pekárna U Dvořáků", "CZ5508000000001234567899"},
	{"Město Kolín", "CZ6203000000001000000005"},
	{"Elektro Svoboda a.s.", "CZ6508000000192000145399"},
	{"Jana Procházková", "CZ5508000000001234567899"},
	{"Autodoprava Kučera s.r.o.", "CZ6203000000001000000005"},
	{"Vinařství Mikulov s.r.o.", "CZ6508000000192000145399"},
}

var creditMessages = []string{"Úhrada faktury %d", "Platba za objednávku %d", "Záloha %d", "Faktura %d", ""}

func inventedCredit(cr Credits, acct Account, k int64, at time.Time) credit {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", acct.IBAN, k)
	rng := rand.New(rand.NewPCG(cr.Seed, h.Sum64()))
	lo, hi := cr.MinMinor, cr.MaxMinor
	if lo <= 0 {
		lo = 10000
	}
	if hi < lo {
		hi = max(lo, 5000000)
	}
	payer := creditPayers[rng.IntN(len(creditPayers))]
	inv := 2026000 + rng.IntN(9000)
	msg := creditMessages[rng.IntN(len(creditMessages))]
	if strings.Contains(msg, "%d") {
		msg = fmt.Sprintf(msg, inv)
	}
	return credit{IBAN: acct.IBAN, At: at, AmountMinor: lo + rng.Int64N(hi-lo+1), Currency: acct.Currency,
		EntryRef: fmt.Sprintf("KB-C%09d", h.Sum64()%1_000_000_000), FromIBAN: payer.iban, Name: payer.name,
		Message: msg, VS: strconv.Itoa(inv), KS: "0308"}
}

func creditTransaction(acct Account, c credit) Transaction {
	exp, _ := money.Exponent(c.Currency)
	amt := TxAmount{Value: json.Number(money.FormatMinor(c.AmountMinor, exp)), Currency: c.Currency}
	day := pragueDate(c.At)
	tx := Transaction{
		LastUpdated: c.At.UTC().Format("2006-01-02T15:04:05.000Z"), AccountType: "KB", EntryReference: c.EntryRef,
		IBAN: acct.IBAN, CreditDebitIndicator: "CREDIT", TransactionType: "DOMESTIC", Amount: amt,
		BookingDate: day, ValueDate: day, Instructed: amt, Status: "BOOK",
		CounterParty: CounterParty{IBAN: c.FromIBAN, Name: c.Name},
		References: TxReferences{AccountServicer: c.EntryRef, EndToEndIdentification: c.EndToEndID,
			Variable: c.VS, Constant: c.KS, Specific: c.SS, Receiver: c.Message},
	}
	if p, n, bank, err := account.CZFromIBAN(c.FromIBAN); err == nil {
		tx.CounterParty.AccountNo, tx.CounterParty.BankCode = account.FormatCZ(p, n), bank
	} else if c.FromIBAN != "" {
		tx.TransactionType = "FOREIGN"
	}
	return tx
}

// Credit is an incoming payment injected through the control API.
type Credit struct {
	IBAN       string `json:"iban"`   // the credited account (consented by some client)
	Amount     string `json:"amount"` // positive decimal in the account currency ("123.45")
	Name       string `json:"name"`   // the payer
	FromIBAN   string `json:"fromIban,omitempty"`
	Message    string `json:"message,omitempty"`
	VS         string `json:"vs,omitempty"`
	KS         string `json:"ks,omitempty"`
	SS         string `json:"ss,omitempty"`
	EndToEndID string `json:"endToEndId,omitempty"`
}

// InjectCredit books an incoming payment at the simulated now and returns
// its ADAA transaction.
func (s *Server) InjectCredit(c Credit) (Transaction, error) {
	var acct Account
	found := false
	for _, cl := range s.c.clients {
		if a, ok := cl.account(c.IBAN); ok {
			acct, found = a, true
			break
		}
	}
	if !found {
		return Transaction{}, fmt.Errorf("%w: no consented account %q", ErrNotFound, c.IBAN)
	}
	amt, err := money.Parse(c.Amount, acct.Currency)
	if err != nil {
		return Transaction{}, fmt.Errorf("kbsim: credit amount: %w", err)
	}
	if strings.TrimSpace(c.Name) == "" {
		return Transaction{}, fmt.Errorf("kbsim: credit: name is required")
	}
	for _, sym := range []string{c.VS, c.KS, c.SS} {
		if sym != "" && (len(sym) > 10 || strings.Trim(sym, "0123456789") != "") {
			return Transaction{}, fmt.Errorf("kbsim: credit: symbol %q is not 1-10 digits", sym)
		}
	}
	if c.FromIBAN != "" {
		if err := account.ValidateIBAN(c.FromIBAN); err != nil {
			return Transaction{}, fmt.Errorf("kbsim: credit: fromIban: %v", err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cr := credit{IBAN: acct.IBAN, At: s.nowLocked(), AmountMinor: amt.Minor, Currency: acct.Currency,
		EntryRef: fmt.Sprintf("KB-%010d", s.st.NextSeq), FromIBAN: c.FromIBAN, Name: c.Name, Message: c.Message,
		VS: c.VS, KS: c.KS, SS: c.SS, EndToEndID: c.EndToEndID}
	s.st.NextSeq++
	s.st.Credits = append(s.st.Credits, cr)
	return creditTransaction(acct, cr), s.persistLocked()
}
