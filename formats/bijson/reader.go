package bijson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"erpconnector/formats"
	"erpconnector/formats/account"
	"erpconnector/formats/money"
)

// Reader reads a BankIntegration POST /payment body that an ERP dropped as
// it is ("passthrough"), streaming the transactions array so that a large
// body is never held in memory whole. It implements formats.PaymentReader.
//
// Mapping to the model (the inverse of Encoder, so that re-encoding gives the
// same transactions):
//
//	paymentId        InstructionID (required: the ERP matches status answers by it)
//	paymentDate      RequestedDate (yyyy-MM-dd)
//	urgency          Priority: 1 or absent NORM, 2 HIGH; anything else is a problem
//	amount, currency Amount: a JSON number or a numeric string, at most 2 decimals
//	type, account    1: CreditorAccount {Number: BBAN, Country: DK}; 3–8: Remittance.FIK;
//	                 11: CreditorAccount {IBAN}; absent: told from the account's shape
//	text             OwnText
//	creditorText,    Remittance.Unstructured = creditorText + "\n" + the message lines
//	creditorMessage  joined by "\n" (the multi-line form Encoder reads back)
//	creditor         Creditor {Name, Street, BuildingNo, PostCode, Town, Country},
//	                 creditor.bic → CreditorAgent.BIC
//
// Re-encoding gives the same transactions for every body the encoder could
// have written with the same options. Two spellings are normalised on the
// way: a DKK payment to a Danish IBAN sent as type 11 comes back as type 1
// with the BBAN (unless Options.DomesticIBANAsIBAN), and an amount is
// written with two decimals (154.0 → 154.00). The trailing "\n" in
// Unstructured when there is no message is deliberate: it tells the encoder
// that creditorText is given, not to be derived from a longer text.
//
// The debtor is not in the body (it is the Authorization header's account):
// it comes from the route and is set on every payment.
//
// The body's requestId is not reused: the encoder derives its own from the
// file hash, so that splitting and resubmission stay deterministic. It is
// available from RequestID and as Batch.MessageID.
//
// The body's options are validated and available from Options, but they are
// not applied by themselves: the route's configured options decide what is
// sent, because a dropped file must not be able to switch off the bank's
// duplicate check (skipDuplicateCheck) or move payment dates behind the
// operator's back.
//
// Unknown keys anywhere are problems: a key this code does not know would be
// silently dropped on the way to the bank.
type Reader struct {
	in     *input
	dec    *json.Decoder
	debtor formats.Account
	batch  *formats.Batch
	ps     formats.Problems
	state  int
	index  int
	keys   map[string]bool

	requestID  string
	options    RequestOptions
	hasOptions bool
}

const (
	stStart = iota
	stKeys
	stTx
	stDone
)

// NewReader returns a reader of the body in r. debtor is the route's debtor
// account; an empty one is reported as one problem and the payments are
// still parsed.
func NewReader(r io.Reader, debtor formats.Account) *Reader {
	in := newInput(r)
	dec := json.NewDecoder(in)
	dec.UseNumber()
	return &Reader{
		in: in, dec: dec, debtor: debtor,
		batch: &formats.Batch{ID: "G1", Pos: formats.Pos{Line: 1}},
		keys:  map[string]bool{},
	}
}

// Problems is the problems found so far; complete after io.EOF.
func (r *Reader) Problems() *formats.Problems { return &r.ps }

// RequestID is the body's requestId, once read.
func (r *Reader) RequestID() string { return r.requestID }

// Options is the body's options object and whether there was one.
func (r *Reader) Options() (RequestOptions, bool) { return r.options, r.hasOptions }

// Next returns the next transaction as a payment, or io.EOF.
func (r *Reader) Next() (*formats.Payment, error) {
	for {
		switch r.state {
		case stDone:
			return nil, io.EOF
		case stStart:
			if r.debtor.IsZero() {
				r.ps.Add(formats.Pos{}, "debtor account", "the route names no debtor account, and a BankIntegration body does not carry one")
			}
			tok, err := r.token()
			if err != nil {
				return r.fail(err)
			}
			if tok != json.Delim('{') {
				r.ps.Add(r.here(), "", "a BankIntegration payment body is a JSON object, not %s", describe(tok))
				r.state = stDone
				continue
			}
			r.state = stKeys
		case stKeys:
			if err := r.key(); err != nil {
				return r.fail(err)
			}
		case stTx:
			p, err := r.element()
			if err != nil {
				return r.fail(err)
			}
			if p != nil {
				return p, nil
			}
		}
	}
}

func (r *Reader) token() (json.Token, error) {
	r.in.mark(r.dec.InputOffset())
	return r.dec.Token()
}

func (r *Reader) more() bool {
	r.in.mark(r.dec.InputOffset())
	return r.dec.More()
}

// value decodes the next value whole and returns it with its line.
func (r *Reader) value() (json.RawMessage, int, error) {
	r.in.mark(r.dec.InputOffset())
	var raw json.RawMessage
	if err := r.dec.Decode(&raw); err != nil {
		return nil, 0, err
	}
	return raw, r.in.lineAt(r.dec.InputOffset() - int64(len(raw))), nil
}

func (r *Reader) here() formats.Pos { return formats.Pos{Line: r.in.lineAt(r.dec.InputOffset())} }

// fail turns a decoder error into a problem and ends the file, or returns
// the underlying reader's I/O error.
func (r *Reader) fail(err error) (*formats.Payment, error) {
	r.state = stDone
	if r.in.ioErr != nil {
		return nil, fmt.Errorf("reading the BankIntegration body: %w", r.in.ioErr)
	}
	pos := r.here()
	var se *json.SyntaxError
	switch {
	case r.in.tooBig || errors.Is(err, errValueTooLarge):
		r.ps.Add(pos, "", "a value is larger than %d bytes; the file cannot be read further", MaxValueBytes)
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		r.ps.Add(pos, "", "the file ends before the JSON body is complete")
	case errors.As(err, &se):
		r.ps.Add(formats.Pos{Line: r.in.lineAt(se.Offset)}, "", "invalid JSON: %v", se)
	default:
		r.ps.Add(pos, "", "invalid JSON: %v", err)
	}
	return nil, io.EOF
}

// key handles one top-level key and its value, or the end of the object.
func (r *Reader) key() error {
	if !r.more() {
		if _, err := r.token(); err != nil { // the closing '}'
			return err
		}
		if tok, err := r.token(); err == nil {
			r.ps.Add(r.here(), "", "data after the JSON object: %s", describe(tok))
		} else if !errors.Is(err, io.EOF) {
			return err
		}
		if !r.keys["transactions"] {
			r.ps.Add(formats.Pos{Line: 1, Path: "/transactions"}, "transactions", "the body has no transactions")
		}
		r.state = stDone
		return nil
	}
	tok, err := r.token()
	if err != nil {
		return err
	}
	k, _ := tok.(string) // object keys are always strings
	pos := formats.Pos{Line: r.in.lineAt(r.dec.InputOffset()), Path: "/" + k}
	if r.keys[k] {
		r.ps.Add(pos, k, "the key appears twice")
		_, _, err := r.value()
		return err
	}
	r.keys[k] = true
	switch k {
	case "transactions":
		tok, err := r.token()
		if err != nil {
			return err
		}
		if tok != json.Delim('[') {
			r.ps.Add(pos, k, "must be an array, not %s", describe(tok))
			return r.skipRest(tok)
		}
		r.state = stTx
		return nil
	case "requestId":
		raw, line, err := r.value()
		if err != nil {
			return err
		}
		pos.Line = line
		if err := json.Unmarshal(raw, &r.requestID); err != nil || r.requestID == "" {
			r.ps.Add(pos, k, "must be a non-empty string")
		}
		r.batch.MessageID = r.requestID
		return nil
	case "options":
		raw, line, err := r.value()
		if err != nil {
			return err
		}
		pos.Line = line
		r.readOptions(raw, pos)
		return nil
	}
	r.ps.Add(pos, k, "unknown key")
	_, _, err = r.value()
	return err
}

// skipRest skips the rest of a value whose first token was tok.
func (r *Reader) skipRest(tok json.Token) error {
	d, ok := tok.(json.Delim)
	if !ok || d == '}' || d == ']' {
		return nil
	}
	for depth := 1; depth > 0; {
		tok, err := r.token()
		if err != nil {
			return err
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

// element returns the next transaction, or nil at the end of the array or
// for an element that is not an object (reported).
func (r *Reader) element() (*formats.Payment, error) {
	if !r.more() {
		if _, err := r.token(); err != nil { // the closing ']'
			return nil, err
		}
		if r.index == 0 {
			r.ps.Add(formats.Pos{Line: r.in.lineAt(r.dec.InputOffset()), Path: "/transactions"}, "transactions", "the body has no transactions")
		}
		r.state = stKeys
		return nil, nil
	}
	raw, line, err := r.value()
	if err != nil {
		return nil, err
	}
	i := r.index
	r.index++
	return r.transaction(raw, line, i), nil
}

// member is one key of an object with its raw value and line.
type member struct {
	key  string
	raw  json.RawMessage
	pos  formats.Pos
	null bool
}

// object splits an already validated JSON object into its members, each
// with its own line, reporting duplicate keys. It reports and returns false
// when raw is not an object.
func (r *Reader) object(raw json.RawMessage, line int, path, field string) ([]member, bool) {
	if len(raw) == 0 || raw[0] != '{' {
		r.ps.Add(formats.Pos{Line: line, Path: path}, field, "must be an object, not %s", describeRaw(raw))
		return nil, false
	}
	var ms []member
	var seen map[string]bool // only for objects with many keys
	for i := 1; ; {
		i = skipSpace(raw, i)
		if i >= len(raw) || raw[i] != '"' {
			return ms, true // '}' (the decoder has validated the rest)
		}
		kEnd := endString(raw, i)
		k := unquote(raw[i:kEnd])
		pos := formats.Pos{Line: line + bytes.Count(raw[:kEnd], []byte("\n")), Path: path + "/" + k}
		i = skipSpace(raw, skipSpace(raw, kEnd)+1) // past ':'
		vEnd := endValue(raw, i)
		v := raw[i:vEnd]
		i = skipSpace(raw, vEnd)
		if i < len(raw) && raw[i] == ',' {
			i++
		}
		dup := false
		if seen == nil && len(ms) >= 16 {
			seen = map[string]bool{}
			for _, m := range ms {
				seen[m.key] = true
			}
		}
		if seen != nil {
			dup, seen[k] = seen[k], true
		} else {
			for _, m := range ms {
				dup = dup || m.key == k
			}
		}
		if dup {
			r.ps.Add(pos, k, "the key appears twice")
			continue
		}
		ms = append(ms, member{key: k, raw: v, pos: pos, null: string(v) == "null"})
	}
}

// The scanners below walk JSON the decoder has already validated; they only
// find where things end.

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// endString returns the index after the string starting at b[i] == '"'.
func endString(b []byte, i int) int {
	for i++; i < len(b) && b[i] != '"'; i++ {
		if b[i] == '\\' {
			i++
		}
	}
	return min(i+1, len(b))
}

// endValue returns the index after the value starting at b[i].
func endValue(b []byte, i int) int {
	if i >= len(b) {
		return len(b)
	}
	switch b[i] {
	case '"':
		return endString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				i = endString(b, i)
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return len(b)
	}
	for i < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[i])) {
		i++
	}
	return i
}

// unquote returns the text of a JSON string literal.
func unquote(q []byte) string {
	if len(q) >= 2 && bytes.IndexByte(q, '\\') < 0 {
		return string(q[1 : len(q)-1])
	}
	var s string
	json.Unmarshal(q, &s)
	return s
}

// str reads a string member; null counts as absent. Line breaks are refused:
// every BankIntegration text is one line (creditorMessage has its lines).
// So is invalid UTF-8, which JSON decoding would silently replace.
func (r *Reader) str(m member) string {
	if m.null {
		return ""
	}
	if len(m.raw) == 0 || m.raw[0] != '"' {
		r.ps.Add(m.pos, m.key, "must be a string, not %s", describeRaw(m.raw))
		return ""
	}
	if !utf8.Valid(m.raw) {
		r.ps.Add(m.pos, m.key, "is not valid UTF-8")
		return ""
	}
	s := unquote(m.raw)
	if strings.ContainsAny(s, "\r\n") {
		r.ps.Add(m.pos, m.key, "contains a line break")
		return ""
	}
	return s
}

// nonEmpty reads a required string member: an empty string is a problem
// (an absent or null one is reported as missing by the caller).
func (r *Reader) nonEmpty(m member) string {
	s := r.str(m)
	if s == "" && string(m.raw) == `""` {
		r.ps.Add(m.pos, m.key, "is empty")
	}
	return s
}

// integer reads a small non-negative JSON integer member.
func (r *Reader) integer(m member) (int, bool) {
	s := string(m.raw)
	if !allDigits(s) || len(s) > 6 {
		r.ps.Add(m.pos, m.key, "must be a whole number, not %s", describeRaw(m.raw))
		return 0, false
	}
	n, _ := strconv.Atoi(s)
	return n, true
}

// required keys of a transaction: what C2 refuses to send without.
var requiredTx = []string{"paymentId", "paymentDate", "amount", "currency", "account", "creditor"}

func (r *Reader) transaction(raw json.RawMessage, line, i int) *formats.Payment {
	path := "/transactions/" + strconv.Itoa(i)
	ms, ok := r.object(raw, line, path, "transactions")
	if !ok {
		return nil
	}
	p := &formats.Payment{Index: i, Pos: formats.Pos{Line: line, Path: path}, Batch: r.batch, DebtorAccount: r.debtor}
	have := map[string]member{}
	var ctext string
	var msg []string
	for _, m := range ms {
		if !m.null {
			have[m.key] = m
		}
		switch m.key {
		case "paymentId":
			p.InstructionID = r.nonEmpty(m)
		case "paymentDate":
			if s := r.nonEmpty(m); s != "" {
				d, err := formats.ParseDate("2006-01-02", s)
				if err != nil {
					r.ps.Add(m.pos, m.key, "%v", err)
				}
				p.RequestedDate = d
			}
		case "urgency":
			if m.null {
				continue
			}
			switch u, ok := r.integer(m); {
			case !ok:
			case u == UrgencyNormal:
				p.Priority = formats.PriorityNormal
			case u == UrgencySameDay:
				p.Priority = formats.PriorityHigh
			default:
				r.ps.Add(m.pos, m.key, "urgency %d is not known (1 normal, 2 same day)", u)
			}
		case "amount", "currency", "account", "type":
			// read below, together
		case "text":
			p.OwnText = r.str(m)
		case "creditorText":
			ctext = r.str(m)
		case "creditorMessage":
			msg = r.message(m)
		case "creditor":
			if !m.null {
				r.creditor(m, p)
			}
		default:
			r.ps.Add(m.pos, m.key, "unknown key")
		}
	}
	for _, k := range requiredTx {
		if _, ok := have[k]; !ok {
			r.ps.Add(formats.Pos{Line: line, Path: path + "/" + k}, k, "is missing")
		}
	}
	r.amount(have, p)
	r.account(have, p)
	if ctext != "" || len(msg) > 0 {
		p.Remittance.Unstructured = ctext + "\n" + strings.Join(msg, "\n")
	}
	return p
}

func (r *Reader) message(m member) []string {
	if m.null {
		return nil
	}
	var lines []string
	if err := json.Unmarshal(m.raw, &lines); err != nil {
		r.ps.Add(m.pos, m.key, "must be an array of strings, not %s", describeRaw(m.raw))
		return nil
	}
	if !utf8.Valid(m.raw) {
		r.ps.Add(m.pos, m.key, "is not valid UTF-8")
		return nil
	}
	for i, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			r.ps.Add(formats.Pos{Line: m.pos.Line, Path: m.pos.Path + "/" + strconv.Itoa(i)}, m.key, "line %d contains a line break", i+1)
			return nil
		}
	}
	return lines
}

func (r *Reader) creditor(m member, p *formats.Payment) {
	ms, ok := r.object(m.raw, m.pos.Line, m.pos.Path, m.key)
	if !ok {
		return
	}
	for _, c := range ms {
		field := "creditor." + c.key
		c.key = field
		switch field {
		case "creditor.name":
			p.Creditor.Name = r.str(c)
		case "creditor.streetName":
			p.Creditor.Street = r.str(c)
		case "creditor.streetNbr":
			p.Creditor.BuildingNo = r.str(c)
		case "creditor.postalCode":
			p.Creditor.PostCode = r.str(c)
		case "creditor.city":
			p.Creditor.Town = r.str(c)
		case "creditor.country":
			p.Creditor.Country = r.str(c)
		case "creditor.bic":
			p.CreditorAgent.BIC = r.str(c)
		default:
			r.ps.Add(c.pos, field, "unknown key")
		}
	}
}

// amount reads amount in currency: a JSON number or a numeric string with at
// most 2 decimals (BankIntegration's limit), exact in the currency (so
// "1000.00" JPY is 1000 yen, "1000.50" JPY is a problem).
func (r *Reader) amount(have map[string]member, p *formats.Payment) {
	cm, okC := have["currency"]
	am, okA := have["amount"]
	var ccy string
	if okC {
		ccy = r.nonEmpty(cm)
		if _, known := money.Exponent(ccy); !known && ccy != "" {
			r.ps.Add(cm.pos, cm.key, "%q is not an ISO 4217 currency code", ccy)
			return
		}
	}
	if !okA {
		return
	}
	text := string(am.raw)
	if am.raw[0] == '"' {
		if json.Unmarshal(am.raw, &text) != nil {
			text = ""
		}
	} else if am.raw[0] != '-' && (am.raw[0] < '0' || am.raw[0] > '9') {
		r.ps.Add(am.pos, am.key, "must be a number or a numeric string, not %s", describeRaw(am.raw))
		return
	}
	if ccy == "" {
		return
	}
	d, err := money.ParseDec(text)
	if err != nil {
		r.ps.Add(am.pos, am.key, "%q is not a plain decimal number", text)
		return
	}
	if d.Scale > 2 {
		r.ps.Add(am.pos, am.key, "%s has %d decimal places; BankIntegration takes at most 2", text, d.Scale)
		return
	}
	// "1000.00" and "154.0" carry zeros money.Parse would call ambiguous for
	// a currency with fewer decimals; here they are just JSON's spelling.
	t := text
	if strings.Contains(t, ".") {
		t = strings.TrimSuffix(strings.TrimRight(t, "0"), ".")
	}
	a, err := money.Parse(t, ccy)
	switch {
	case errors.Is(err, money.ErrNotPositive):
		r.ps.Add(am.pos, am.key, "%s: the amount must be greater than zero", text)
	case errors.Is(err, money.ErrPrecision):
		r.ps.Add(am.pos, am.key, "%s has more decimal places than %s allows", text, ccy)
	case errors.Is(err, money.ErrOverflow):
		r.ps.Add(am.pos, am.key, "%s is too large", text)
	case err != nil:
		r.ps.Add(am.pos, am.key, "%q is not a plain decimal number", text)
	default:
		p.Amount = a
	}
}

// fikOfType maps a FIK transaction type to its card type.
var fikOfType = map[int]string{TypeFIK01: "01", TypeFIK04: "04", TypeFIK15: "15", TypeFIK71: "71", TypeFIK73: "73", TypeFIK75: "75"}

// account maps type + account to the creditor account or the FIK.
func (r *Reader) account(have map[string]member, p *formats.Payment) {
	am, ok := have["account"]
	if !ok {
		return
	}
	acct := r.nonEmpty(am)
	if acct == "" {
		return
	}
	typ := 0
	if tm, ok := have["type"]; ok {
		t, ok := r.integer(tm)
		if !ok {
			return
		}
		if _, fik := fikOfType[t]; !fik && t != TypeDomestic && t != TypeIBAN {
			r.ps.Add(tm.pos, tm.key, "type %d is not supported (1 domestic, 3–8 FIK, 11 IBAN)", t)
			return
		}
		typ = t
	}
	bad := func(format string, args ...any) { r.ps.Add(am.pos, am.key, format, args...) }
	switch {
	case strings.HasPrefix(acct, "+"):
		f, err := account.ParseFIK(acct)
		if err != nil {
			bad("%v", err)
			return
		}
		if typ != 0 && fikOfType[typ] != f.Type {
			bad("type %d does not go with the FIK +%s line %s", typ, f.Type, acct)
			return
		}
		p.Remittance.FIK = &f
	case isBBAN(acct):
		bban, err := account.ParseDK(acct)
		if err != nil {
			bad("%v", err)
			return
		}
		if typ != 0 && typ != TypeDomestic {
			bad("type %d does not go with the Danish account %s (type 1)", typ, acct)
			return
		}
		p.CreditorAccount = formats.Account{Number: bban, Country: "DK"}
	default:
		iban := account.NormalizeIBAN(acct)
		if err := account.ValidateIBAN(iban); err != nil {
			bad("%q is neither a 14-digit Danish account, a FIK line nor an IBAN: %v", acct, err)
			return
		}
		if typ != 0 && typ != TypeIBAN {
			bad("type %d does not go with the IBAN %s (type 11)", typ, iban)
			return
		}
		p.CreditorAccount = formats.Account{IBAN: iban}
	}
}

func (r *Reader) readOptions(raw json.RawMessage, pos formats.Pos) {
	ms, ok := r.object(raw, pos.Line, pos.Path, "options")
	if !ok {
		return
	}
	r.hasOptions = true
	o := &r.options
	for _, m := range ms {
		var dst *bool
		switch m.key {
		case "waitForBankResponse":
			dst = &o.WaitForBankResponse
		case "checkPaymentStatus":
			dst = &o.CheckPaymentStatus
		case "moveToNextBankDate":
			dst = &o.MoveToNextBankDate
		case "useIban":
			dst = &o.UseIban
		case "skipDuplicateCheck":
			dst = &o.SkipDuplicateCheck
		default:
			r.ps.Add(m.pos, m.key, "unknown option")
			continue
		}
		if json.Unmarshal(m.raw, dst) != nil || m.null {
			r.ps.Add(m.pos, m.key, "must be true or false, not %s", describeRaw(m.raw))
		}
	}
}

// describe names a token for a message.
func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			return "an object"
		case '[':
			return "an array"
		}
		return fmt.Sprintf("%q", string(t))
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

func describeRaw(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch c := raw[0]; {
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '"':
		return "a string"
	case c == 't' || c == 'f':
		return "a boolean"
	case c == 'n':
		return "null"
	}
	return "a number"
}
