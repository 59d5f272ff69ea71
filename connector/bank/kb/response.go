package kb

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode/utf8"

	"erpconnector/formats/kbjson"
	"erpconnector/formats/money"
)

// Instruction statuses a successful import may carry (spec §5.4).
const (
	StatusAccepted           = "ACTC" // every item imported
	StatusAcceptedWithChange = "ACWC" // imported partially (see rejected counts)
)

// Sign states of signInfo.state that S9 accepts (spec §5.4).
const (
	SignOpen   = "OPEN" // waits for a person to sign it in internet banking
	SignClose  = "CLOSE"
	SignReject = "REJECT"
	SignNone   = "NONE"
)

// SignInfo is the batch's authorisation state in the banking channel.
type SignInfo struct{ State, SignID string }

// Response is a BATCHDA success answer (spec §5.4), read exactly: amounts are
// decimals straight from the JSON text, never a float.
type Response struct {
	TransactionIdentification      string // KB's batch ID: persist it
	BatchDigest                    string
	TransactionCreditCount         int
	RejectedTransactionCreditCount int
	TransactionDebitCount          int
	RejectedTransactionDebitCount  int
	TotalCreditAmount              money.Dec // in Sent.Total's currency
	TotalDebitAmount               money.Dec
	BatchProcessingMode            string
	SignInfo                       SignInfo
	InstructionStatus              string
	ExchangeIdentification         string
	StatusChangeInfo               string
	CorrelationID                  string // the x-correlation-id we sent, for KB support
	HTTPStatus                     int    // the 2xx KB answered (200 or 201: unknown which, spec §11.1)
	Raw                            []byte // the body as received, for the audit trail
}

// Partial reports whether KB imported the batch only in part (ACWC or any
// rejected item): the caller reports partial acceptance; it is not an error.
func (r *Response) Partial() bool {
	return r.InstructionStatus == StatusAcceptedWithChange ||
		r.RejectedTransactionDebitCount > 0 || r.RejectedTransactionCreditCount > 0
}

// Rejected is the number of items KB refused at import.
func (r *Response) Rejected() int {
	return r.RejectedTransactionDebitCount + r.RejectedTransactionCreditCount
}

// Limits S9 applies to the identifiers (spec §5.4).
const (
	maxTransactionIDLen = 10
	maxBatchDigestLen   = 50
	maxCount            = 1 << 30
)

// ParseResponse reads a 2xx BATCHDA body and checks it against what was sent
// the way S9 does (spec §5.4): debit+credit counts equal the items sent,
// rejected counts within them, totalDebitAmount equal to Sent.Total exactly
// (see checkTotals for partial imports), batchProcessingMode and
// exchangeIdentification echo the headers, instructionStatus ACTC or ACWC,
// signInfo.state one of OPEN, REJECT, CLOSE, NONE.
//
// It returns the Response, or the Response (never nil) and a *MismatchError
// naming every check that failed. It is exported so that a caller that
// stored a raw answer before a crash can judge it again.
func ParseResponse(body []byte, sent Sent) (*Response, error) {
	r := &Response{Raw: body}
	var why []string
	fields, err := topLevel(body)
	if err != nil {
		return r, &MismatchError{Response: r, Why: "the answer is not the BATCHDA JSON object: " + err.Error()}
	}
	p := fieldParser{fields: fields, allCounts: true}
	r.TransactionIdentification = p.str("transactionIdentification", true)
	r.BatchDigest = p.str("batchDigest", true)
	r.TransactionCreditCount = p.count("transactionCreditCount")
	r.RejectedTransactionCreditCount = p.count("rejectedTransactionCreditCount")
	r.TransactionDebitCount = p.count("transactionDebitCount")
	r.RejectedTransactionDebitCount = p.count("rejectedTransactionDebitCount")
	credit, creditOK := p.amount("totalCreditAmount")
	debit, debitOK := p.amount("totalDebitAmount")
	r.TotalCreditAmount, r.TotalDebitAmount = credit, debit
	r.BatchProcessingMode = p.str("batchProcessingMode", true)
	r.InstructionStatus = p.str("instructionStatus", true)
	r.ExchangeIdentification = p.str("exchangeIdentification", true)
	r.StatusChangeInfo = p.str("statusChangeInfo", false)
	r.SignInfo = p.signInfo()
	why = append(why, p.problems...)

	if n := utf8.RuneCountInString(r.TransactionIdentification); n > maxTransactionIDLen {
		why = append(why, fmt.Sprintf("transactionIdentification has %d characters; at most %d", n, maxTransactionIDLen))
	}
	if n := utf8.RuneCountInString(r.BatchDigest); n > maxBatchDigestLen {
		why = append(why, fmt.Sprintf("batchDigest has %d characters; at most %d", n, maxBatchDigestLen))
	}
	if p.allCounts {
		if got := r.TransactionDebitCount + r.TransactionCreditCount; got != sent.Count {
			why = append(why, fmt.Sprintf("debit+credit count %d+%d, but %d items were sent",
				r.TransactionDebitCount, r.TransactionCreditCount, sent.Count))
		}
		if r.RejectedTransactionDebitCount > r.TransactionDebitCount {
			why = append(why, fmt.Sprintf("rejectedTransactionDebitCount %d exceeds transactionDebitCount %d",
				r.RejectedTransactionDebitCount, r.TransactionDebitCount))
		}
		if r.RejectedTransactionCreditCount > r.TransactionCreditCount {
			why = append(why, fmt.Sprintf("rejectedTransactionCreditCount %d exceeds transactionCreditCount %d",
				r.RejectedTransactionCreditCount, r.TransactionCreditCount))
		}
	}
	if debitOK && creditOK && p.allCounts {
		why = append(why, checkTotals(r, sent)...)
	}
	if r.BatchProcessingMode != "" && r.BatchProcessingMode != sent.header(kbjson.HeaderProcessingMode) {
		why = append(why, fmt.Sprintf("batchProcessingMode %q, but %s was %q",
			r.BatchProcessingMode, kbjson.HeaderProcessingMode, sent.header(kbjson.HeaderProcessingMode)))
	}
	if r.ExchangeIdentification != "" && r.ExchangeIdentification != sent.header(kbjson.HeaderExchangeID) {
		why = append(why, fmt.Sprintf("exchangeIdentification %q, but %s was %q",
			r.ExchangeIdentification, kbjson.HeaderExchangeID, sent.header(kbjson.HeaderExchangeID)))
	}
	if s := r.InstructionStatus; s != "" && s != StatusAccepted && s != StatusAcceptedWithChange {
		why = append(why, fmt.Sprintf("instructionStatus %q is neither ACTC nor ACWC", s))
	}
	switch s := r.SignInfo.State; s {
	case SignOpen, SignClose, SignReject, SignNone, "":
	default:
		why = append(why, fmt.Sprintf("signInfo.state %q is not OPEN, REJECT, CLOSE or NONE", s))
	}
	if len(why) > 0 {
		return r, &MismatchError{Response: r, Why: strings.Join(why, "; ")}
	}
	return r, nil
}

// checkTotals compares the totals with what was sent, exactly.
//
// With nothing rejected, totalDebitAmount must equal Sent.Total. When KB
// rejected items at import, the spec does not say whether the total covers
// all items or only the imported ones (kbsim: only the imported ones), so any
// total between 0 and Sent.Total is accepted, and it must be positive while
// at least one debit item was imported. This never lets a total above what
// was sent pass. We send only debit orders, so a credit total must be zero
// while the credit count is zero.
func checkTotals(r *Response, sent Sent) []string {
	var why []string
	want := sent.Total.Dec()
	debit, credit := r.TotalDebitAmount, r.TotalCreditAmount
	if debit.Neg || credit.Neg {
		why = append(why, "negative total amount")
	}
	if r.Rejected() == 0 {
		if cmpDec(debit, want) != 0 {
			why = append(why, fmt.Sprintf("totalDebitAmount %s, but %s was sent", debit, sent.Total))
		}
	} else {
		switch {
		case cmpDec(debit, want) > 0:
			why = append(why, fmt.Sprintf("totalDebitAmount %s exceeds the %s sent", debit, sent.Total))
		case r.TransactionDebitCount > r.RejectedTransactionDebitCount && debit.Units == 0:
			why = append(why, fmt.Sprintf("totalDebitAmount is zero although %d debit item(s) were imported",
				r.TransactionDebitCount-r.RejectedTransactionDebitCount))
		}
	}
	if r.TransactionCreditCount == 0 && credit.Units != 0 {
		why = append(why, fmt.Sprintf("totalCreditAmount %s without any credit item", credit))
	}
	return why
}

// cmpDec compares two exact decimals of any scale.
func cmpDec(a, b money.Dec) int {
	s := max(a.Scale, b.Scale)
	return scaled(a, s).Cmp(scaled(b, s))
}

func scaled(d money.Dec, scale int) *big.Int {
	v := new(big.Int).SetUint64(d.Units)
	v.Mul(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-d.Scale)), nil))
	if d.Neg {
		v.Neg(v)
	}
	return v
}

// topLevel splits the body into its top-level fields, refusing what a
// plain json.Unmarshal would let through silently: duplicate keys (which
// value did KB mean?), trailing data, anything but an object.
func topLevel(body []byte) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("starts with %v, not an object", tok)
	}
	fields := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		if _, dup := fields[key]; dup {
			return nil, fmt.Errorf("key %q appears twice", key)
		}
		fields[key] = v
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("data after the object")
	}
	return fields, nil
}

// fieldParser reads typed fields, collecting every problem.
type fieldParser struct {
	fields    map[string]json.RawMessage
	problems  []string
	allCounts bool // every count was present and well-formed
}

func (p *fieldParser) fail(format string, args ...any) {
	p.problems = append(p.problems, fmt.Sprintf(format, args...))
}

// raw returns the field unless it is absent or null.
func (p *fieldParser) raw(key string) (json.RawMessage, bool) {
	v, ok := p.fields[key]
	if !ok || string(v) == "null" {
		return nil, false
	}
	return v, true
}

func (p *fieldParser) str(key string, required bool) string {
	v, ok := p.raw(key)
	if !ok {
		if required {
			p.fail("%s is missing", key)
		}
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		p.fail("%s is not a string", key)
		return ""
	}
	if required && s == "" {
		p.fail("%s is empty", key)
	}
	return s
}

// count reads a non-negative JSON integer ("2", not "2.0" or "2e0").
func (p *fieldParser) count(key string) int {
	v, ok := p.raw(key)
	if !ok {
		p.fail("%s is missing", key)
		p.allCounts = false
		return 0
	}
	n, err := strconv.ParseUint(string(v), 10, 64)
	if err != nil || n > maxCount {
		p.fail("%s is not a whole number of items: %s", key, clip(string(v)))
		p.allCounts = false
		return 0
	}
	return int(n)
}

// amount reads a JSON number exactly.
func (p *fieldParser) amount(key string) (money.Dec, bool) {
	v, ok := p.raw(key)
	if !ok {
		p.fail("%s is missing", key)
		return money.Dec{}, false
	}
	d, err := decimalFromJSON(string(v))
	if err != nil {
		p.fail("%s is not an exact decimal number: %v", key, err)
		return money.Dec{}, false
	}
	return d, true
}

func (p *fieldParser) signInfo() SignInfo {
	v, ok := p.raw("signInfo")
	if !ok {
		p.fail("signInfo is missing")
		return SignInfo{}
	}
	fields, err := topLevel(v)
	if err != nil {
		p.fail("signInfo is not an object: %v", err)
		return SignInfo{}
	}
	sub := fieldParser{fields: fields}
	out := SignInfo{State: sub.str("state", false)}
	// COBS's status call spells it signID; keys are otherwise exact.
	if _, ok := sub.raw("signID"); ok {
		out.SignID = sub.str("signID", false)
	} else {
		out.SignID = sub.str("signId", false)
	}
	for _, msg := range sub.problems {
		p.fail("signInfo.%s", msg)
	}
	if out.State == "" {
		p.fail("signInfo.state is missing")
	}
	return out
}

// maxExponent bounds a JSON number's exponent: an amount needs no more, and
// a huge one must not make us build a huge string.
const maxExponent = 64

// decimalFromJSON turns a JSON number literal into an exact decimal. An
// exponent is applied by moving the point in the digit string, never through
// a float. A quoted string is refused: §5.4 says number.
func decimalFromJSON(lit string) (money.Dec, error) {
	if !isJSONNumber(lit) {
		return money.Dec{}, fmt.Errorf("%s is not a JSON number", clip(lit))
	}
	neg := strings.HasPrefix(lit, "-")
	lit = strings.TrimPrefix(lit, "-")
	mant, exp := lit, 0
	if i := strings.IndexAny(lit, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(lit[i+1:], "+"))
		if err != nil || e > maxExponent || e < -maxExponent {
			return money.Dec{}, fmt.Errorf("%s: exponent out of range", clip(lit))
		}
		mant, exp = lit[:i], e
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := intPart + frac
	point := len(intPart) + exp // position of the point within digits
	switch {
	case point <= 0:
		digits = strings.Repeat("0", 1-point) + digits
		point = 1
	case point > len(digits):
		digits += strings.Repeat("0", point-len(digits))
	}
	ip, fp := digits[:point], digits[point:]
	if len(fp) > 18 { // more places than money.Dec keeps: only trailing zeros may go
		fp = strings.TrimRight(fp, "0")
	}
	s := ip
	if fp != "" {
		s += "." + fp
	}
	if neg {
		s = "-" + s
	}
	d, err := money.ParseDec(s)
	if err == nil && d.Units > math.MaxInt64 {
		// money.Dec.String cannot write more; no amount needs it.
		return money.Dec{}, fmt.Errorf("%s: %w", clip(s), money.ErrOverflow)
	}
	return d, err
}

// isJSONNumber checks RFC 8259's number grammar.
func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	start := i
	if n := digits(); n == 0 || (n > 1 && s[start] == '0') {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(s)
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
