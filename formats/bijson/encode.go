package bijson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"erpconnector/formats"
	"erpconnector/formats/account"
	"erpconnector/formats/money"
)

// Source identifies the file the payments came from.
type Source struct {
	SHA256 [32]byte // content hash: the root of every generated ID
	Name   string   // for people only; no ID depends on it
}

// Request is one POST /payment, complete except for its Authorization
// header, which needs the clock and the secrets and is built at send time
// with PaymentAuthorization(creds, r.RequestID, r.Hash, now).
type Request struct {
	Method, Path  string            // "POST", "/payment"
	Headers       map[string]string // Content-Type only
	Body          []byte            // exact JSON, deterministic
	RequestID     string
	DebtorAccount string      // 14-digit BBAN: the header account
	Payments      []int       // formats.Payment.Index per transaction, in body order
	Hash          []HashInput // per transaction, in body order
}

// Transaction types as C2 sends them [CODE]. Other values are [UNK].
const (
	TypeDomestic = 1  // 14-digit BBAN
	TypeFIK01    = 3  // +01<+creditor<
	TypeFIK04    = 4  // +04<id+creditor<
	TypeFIK15    = 5  // +15<id+creditor<
	TypeFIK71    = 6  // +71<id+creditor<
	TypeFIK73    = 7  // +73<+creditor<
	TypeFIK75    = 8  // +75<id+creditor<
	TypeIBAN     = 11 // IBAN, creditor.bic
)

// fikTypes maps a FIK card type to the transaction type; message says
// whether the card carries a message to the creditor ([INF] from the card
// descriptions: +71 and the reference giro cards do not).
var fikTypes = map[string]struct {
	typ     int
	message bool
}{
	"01": {TypeFIK01, true}, "04": {TypeFIK04, false}, "15": {TypeFIK15, false},
	"71": {TypeFIK71, false}, "73": {TypeFIK73, true}, "75": {TypeFIK75, true},
}

// txJSON is one transaction, fields in the order of the docs' schema and
// example (S3): the order of the struct is the order of the body.
type txJSON struct {
	PaymentID       string       `json:"paymentId"`
	PaymentDate     string       `json:"paymentDate"`
	Urgency         int          `json:"urgency"`
	Amount          json.Number  `json:"amount"`
	Type            int          `json:"type"`
	Currency        string       `json:"currency"`
	Account         string       `json:"account"`
	Text            string       `json:"text,omitempty"`
	CreditorText    string       `json:"creditorText,omitempty"`
	CreditorMessage []string     `json:"creditorMessage,omitempty"`
	Creditor        creditorJSON `json:"creditor"`
}

type creditorJSON struct {
	Name       string `json:"name"`
	StreetName string `json:"streetName,omitempty"`
	StreetNbr  string `json:"streetNbr,omitempty"`
	PostalCode string `json:"postalCode,omitempty"`
	City       string `json:"city,omitempty"`
	Country    string `json:"country,omitempty"`
	BIC        string `json:"bic,omitempty"`
}

type bodyJSON struct {
	RequestID    string         `json:"requestId"`
	Transactions []txJSON       `json:"transactions"`
	Options      RequestOptions `json:"options"`
}

// Encoder turns payments into BankIntegration payment requests. Payments are
// grouped by debtor account in order of first appearance (a request debits
// one account: the header account) and each group is cut into requests of at
// most MaxTransactions, in file order. The split, the IDs and the bodies
// depend only on the payments, the options and the file hash.
type Encoder struct {
	src    Source
	opts   Options
	groups []*group
	debtor map[string]*group
	ids    map[string]formats.Pos // paymentId → where it was first used
}

type group struct {
	bban string
	txs  []encoded
}

type encoded struct {
	index int
	tx    txJSON
}

// NewEncoder returns an encoder for the payments of one file. Zero numeric
// options take their defaults; see DefaultOptions for the booleans. src.SHA256
// must be the file's hash: every generated ID depends on it, and an all-zero
// hash would give every file the same IDs, so it panics.
func NewEncoder(src Source, opts Options) *Encoder {
	if src.SHA256 == ([32]byte{}) {
		panic("bijson.NewEncoder: Source.SHA256 is not set")
	}
	return &Encoder{src: src, opts: opts.withDefaults(), debtor: map[string]*group{}, ids: map[string]formats.Pos{}}
}

// Add encodes one payment and returns its problems, each at the payment's
// position. A payment with problems is left out of Requests; a file with any
// problem must not be submitted at all.
func (e *Encoder) Add(p *formats.Payment) []formats.Problem {
	var ps []formats.Problem
	bad := func(field, format string, args ...any) {
		ps = append(ps, formats.Problem{Pos: p.Pos, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	var tx txJSON

	bban, err := debtorBBAN(p.DebtorAccount)
	if err != nil {
		bad("debtor account", "%v", err)
	}

	tx.PaymentID = e.paymentID(p, bad)

	tx.Currency = p.Amount.Currency
	if amt, err := amount2(p.Amount); err != nil {
		bad("amount", "%v", err)
	} else {
		tx.Amount = json.Number(amt)
	}

	if d := p.RequestedDate; d.IsZero() {
		bad("paymentDate", "the requested execution date is missing")
	} else if d.Year < 1 || d.Year > 9999 || formats.DateOf(d.Time()) != d {
		bad("paymentDate", "%04d-%02d-%02d is not a date", d.Year, int(d.Month), d.Day)
	} else {
		tx.PaymentDate = d.String()
	}

	switch p.Priority {
	case formats.PriorityHigh:
		tx.Urgency = e.opts.UrgencyHigh
	case formats.PriorityInstant:
		if e.opts.UrgencyInstant <= 0 {
			bad("urgency", "instant payment (INST) requested; BankIntegration's urgency for instant payments is unknown and none is configured")
		}
		tx.Urgency = e.opts.UrgencyInstant
	default:
		tx.Urgency = e.opts.Urgency
	}

	e.creditorAccount(p, &tx, bad)
	e.texts(p, &tx, bad)
	e.creditor(p, &tx, bad)

	if len(ps) > 0 {
		return ps
	}
	if tx.PaymentID != "" {
		e.ids[tx.PaymentID] = p.Pos
	}
	g := e.debtor[bban]
	if g == nil {
		g = &group{bban: bban}
		e.debtor[bban] = g
		e.groups = append(e.groups, g)
	}
	g.txs = append(g.txs, encoded{index: p.Index, tx: tx})
	return nil
}

// paymentID is the ERP's InstructionID, else its EndToEndID (unless it is
// the ISO 20022 "NOTPROVIDED" placeholder), else a generated ID.
func (e *Encoder) paymentID(p *formats.Payment, bad func(string, string, ...any)) string {
	id, from := p.InstructionID, "instruction ID"
	if id == "" && p.EndToEndID != "NOTPROVIDED" {
		id, from = p.EndToEndID, "end-to-end ID"
	}
	if id == "" {
		id = PaymentID(e.src.SHA256, p.Index)
	} else if err := checkERPID(id); err != nil {
		bad("paymentId", "the %s %v", from, err)
		return ""
	}
	if first, dup := e.ids[id]; dup {
		bad("paymentId", "%q is already the ID of the payment at %s; BankIntegration would reject the second as a duplicate", id, first)
		return ""
	}
	return id
}

// debtorBBAN is the header account of the payment: a Danish (DK, FO, GL)
// IBAN's BBAN or a Danish 14-digit account number.
func debtorBBAN(a formats.Account) (string, error) {
	if a.IsZero() {
		return "", fmt.Errorf("the debtor account is missing")
	}
	if a.IBAN != "" {
		iban := account.NormalizeIBAN(a.IBAN)
		if !danish(account.IBANCountry(iban)) {
			return "", fmt.Errorf("BankIntegration debits Danish accounts only: debtor account %s is not a Danish account", iban)
		}
		return account.DKFromIBAN(iban)
	}
	if !danishNumber(a) {
		return "", fmt.Errorf("BankIntegration debits Danish accounts only: debtor account %s is not a Danish account", a)
	}
	return account.ParseDK(a.Number)
}

func danish(country string) bool { return country == "DK" || country == "FO" || country == "GL" }

// danishNumber reports whether a domestic number is to be read as Danish:
// the file says so, or it names no country and no bank code and is the
// 14-digit reg. no. + account no. form, which no other supported country uses.
func danishNumber(a formats.Account) bool {
	if a.BankCode != "" {
		return false
	}
	return danish(a.Country) || a.Country == "" && isBBAN(a.Number)
}

// amount2 writes an amount with exactly 2 decimals from its minor units.
// Currencies without decimals get ".00"; a 3-decimal currency amount must
// end in 0.
func amount2(a money.Amount) (string, error) {
	exp, ok := money.Exponent(a.Currency)
	if !ok {
		return "", fmt.Errorf("currency %q is not an ISO 4217 currency", a.Currency)
	}
	if a.Minor <= 0 {
		return "", fmt.Errorf("%s: must be greater than zero", a)
	}
	v := a.Minor
	for i := exp; i < 2; i++ {
		if v > math.MaxInt64/10 {
			return "", fmt.Errorf("%s is too large", a)
		}
		v *= 10
	}
	for i := exp; i > 2; i-- {
		if v%10 != 0 {
			return "", fmt.Errorf("%s has %d decimal places; BankIntegration takes at most 2", a, exp)
		}
		v /= 10
	}
	return money.FormatMinor(v, 2), nil
}

// creditorAccount sets type, account and, for IBAN transfers, creditor.bic.
func (e *Encoder) creditorAccount(p *formats.Payment, tx *txJSON, bad func(string, string, ...any)) {
	ccy := p.Amount.Currency
	if f := p.Remittance.FIK; f != nil {
		ft, ok := fikTypes[f.Type]
		if err := account.ValidateFIK(*f); err != nil || !ok {
			bad("account", "%v", err)
			return
		}
		if ccy != "DKK" {
			bad("currency", "FIK payments are in DKK only, not %s", ccy)
		}
		tx.Type, tx.Account = ft.typ, f.String()
		return
	}
	a := p.CreditorAccount
	switch {
	case a.IBAN != "":
		iban := account.NormalizeIBAN(a.IBAN)
		if err := account.ValidateIBAN(iban); err != nil {
			bad("account", "creditor %v", err)
			return
		}
		if danish(account.IBANCountry(iban)) && ccy == "DKK" && !e.opts.DomesticIBANAsIBAN {
			bban, err := account.DKFromIBAN(iban)
			if err != nil {
				bad("account", "creditor %v", err)
				return
			}
			tx.Type, tx.Account = TypeDomestic, bban
			return
		}
		e.ibanTransfer(p, tx, iban, bad)
	case a.Number != "" && danishNumber(a):
		bban, err := account.ParseDK(a.Number)
		if err != nil {
			bad("account", "creditor %v", err)
			return
		}
		if ccy == "DKK" {
			tx.Type, tx.Account = TypeDomestic, bban
			return
		}
		if a.Country != "" && a.Country != "DK" {
			bad("account", "a %s payment to the %s account %s needs the creditor's IBAN", ccy, a.Country, a.Number)
			return
		}
		iban, err := account.DKIBAN(bban)
		if err != nil {
			bad("account", "creditor %v", err)
			return
		}
		e.ibanTransfer(p, tx, iban, bad)
	case a.Number != "":
		bad("account", "creditor account %s is neither a Danish account, an IBAN nor a FIK; BankIntegration cannot pay it", a)
	default:
		bad("account", "the creditor account is missing")
	}
}

// ibanTransfer makes a type 11 transaction: a foreign transfer, or a
// non-DKK one. C2 always sends creditor.bic with it.
func (e *Encoder) ibanTransfer(p *formats.Payment, tx *txJSON, iban string, bad func(string, string, ...any)) {
	tx.Type, tx.Account = TypeIBAN, iban
	bic := p.CreditorAgent.BIC
	switch {
	case bic != "":
		if err := account.ValidateBIC(bic); err != nil {
			bad("creditor.bic", "%v", err)
			return
		}
		tx.Creditor.BIC = bic
	case e.opts.RequireBICForIBAN:
		bad("creditor.bic", "a transfer to IBAN %s (type 11) needs the creditor's BIC", iban)
	}
}

// texts sets text, creditorText and creditorMessage.
func (e *Encoder) texts(p *formats.Payment, tx *txJSON, bad func(string, string, ...any)) {
	l := e.opts.Limits
	if t, err := cleanLine(p.OwnText); err != nil {
		bad("text", "%v", err)
	} else if n := runes(t); n > l.Text {
		bad("text", "%q has %d characters; at most %d are allowed", t, n, l.Text)
	} else {
		tx.Text = t
	}

	r := &p.Remittance
	for _, s := range []struct{ name, v string }{{"VS", r.VS}, {"KS", r.KS}, {"SS", r.SS}} {
		if s.v != "" {
			bad(s.name, "Czech payment symbols cannot be sent to BankIntegration")
		}
	}
	u := r.Unstructured
	if r.FIK != nil {
		// The FIK line is the reference; a Reference field beside it repeats it.
		if !fikTypes[r.FIK.Type].message && !blank(u) {
			if e.opts.DropFIKMessage {
				return
			}
			bad("creditorMessage", "FIK +%s payments carry no message; the remittance text %q would not reach the creditor", r.FIK.Type, u)
			return
		}
	} else if r.Reference != "" {
		ref, err := cleanLine(r.Reference)
		if err != nil {
			bad("creditorText", "reference %v", err)
			return
		}
		if n := runes(ref); n > l.CreditorText {
			bad("creditorText", "reference %q has %d characters; at most %d are allowed", ref, n, l.CreditorText)
			return
		}
		// The reference goes on the creditor's statement, all the free text
		// into the message.
		tx.CreditorText = ref
		msg, err := messageLines(strings.ReplaceAll(strings.ReplaceAll(u, "\r\n", "\n"), "\r", "\n"), l)
		if err != nil {
			bad("creditorMessage", "%v", err)
			return
		}
		tx.CreditorMessage = msg
		return
	}
	ctext, msg, field, err := remittance(u, l)
	if err != nil {
		bad(field, "%v", err)
		return
	}
	tx.CreditorText, tx.CreditorMessage = ctext, msg
}

func blank(s string) bool {
	for _, r := range s {
		if r != ' ' && r != '\t' && r != '\n' && r != '\r' {
			return false
		}
	}
	return true
}

// creditor fills the creditor object. The name is required (C2 refuses to
// send without one). Unstructured address lines, when the structured fields
// are empty, go to streetName and city (two lines at most).
func (e *Encoder) creditor(p *formats.Payment, tx *txJSON, bad func(string, string, ...any)) {
	c, l := &p.Creditor, e.opts.Limits
	field := func(name, v string, limit int) string {
		t, err := cleanLine(v)
		if err != nil {
			bad(name, "%v", err)
			return ""
		}
		if n := runes(t); n > limit {
			bad(name, "%q has %d characters; at most %d are allowed", t, n, limit)
			return ""
		}
		if t == "" && name == "creditor.name" {
			bad(name, "the creditor's name is missing")
		}
		return t
	}
	out := &tx.Creditor
	out.Name = field("creditor.name", c.Name, l.Name)
	out.StreetName = field("creditor.streetName", c.Street, l.Address)
	out.StreetNbr = field("creditor.streetNbr", c.BuildingNo, l.Address)
	out.PostalCode = field("creditor.postalCode", c.PostCode, l.Address)
	out.City = field("creditor.city", c.Town, l.Address)
	if lines := c.AddressLines; len(lines) > 0 && c.Street == "" && c.BuildingNo == "" && c.PostCode == "" && c.Town == "" {
		if len(lines) > 2 {
			bad("creditor.address", "%d unstructured address lines; BankIntegration takes 2 (street, then postcode and city)", len(lines))
		} else {
			out.StreetName = field("creditor.streetName", lines[0], l.Address)
			if len(lines) == 2 {
				out.City = field("creditor.city", lines[1], l.Address)
			}
		}
	}
	if c.Country != "" && !e.opts.OmitCreditorCountry {
		if len(c.Country) != 2 || c.Country[0] < 'A' || c.Country[0] > 'Z' || c.Country[1] < 'A' || c.Country[1] > 'Z' {
			bad("creditor.country", "%q is not an ISO 3166 alpha-2 country code", c.Country)
		} else {
			out.Country = c.Country
		}
	}
}

// Requests returns the payment requests for every payment added without
// problems, grouped by debtor in order of first appearance and split into
// chunks of MaxTransactions in file order. Request n (1-based, counted over
// the whole file) has requestId RequestID(file hash, n). Calling it again
// gives the same requests.
func (e *Encoder) Requests() []Request {
	var out []Request
	n := 0
	for _, g := range e.groups {
		for start := 0; start < len(g.txs); start += e.opts.MaxTransactions {
			chunk := g.txs[start:min(start+e.opts.MaxTransactions, len(g.txs))]
			n++
			out = append(out, e.request(g.bban, RequestID(e.src.SHA256, n), chunk))
		}
	}
	return out
}

func (e *Encoder) request(bban, requestID string, chunk []encoded) Request {
	r := Request{
		Method:        "POST",
		Path:          "/payment",
		Headers:       map[string]string{"Content-Type": "application/json"},
		RequestID:     requestID,
		DebtorAccount: bban,
		Payments:      make([]int, len(chunk)),
		Hash:          make([]HashInput, len(chunk)),
	}
	body := bodyJSON{RequestID: requestID, Transactions: make([]txJSON, len(chunk)), Options: e.opts.RequestOptions}
	for i, c := range chunk {
		body.Transactions[i] = c.tx
		r.Payments[i] = c.index
		r.Hash[i] = HashInput{
			PaymentID:       c.tx.PaymentID,
			Currency:        c.tx.Currency,
			PaymentDate:     c.tx.PaymentDate[:4] + c.tx.PaymentDate[5:7] + c.tx.PaymentDate[8:],
			Amount:          string(c.tx.Amount),
			CreditorAccount: c.tx.Account,
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // "<" in FIK strings is sent as "<", not \u003c
	if err := enc.Encode(body); err != nil {
		// Only strings, ints, bools and validated json.Numbers are encoded.
		panic("bijson: encoding a request body: " + err.Error())
	}
	r.Body = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	return r
}
