package kbjson

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

// arrayKey is the one top-level key of a BATCHDA body.
const arrayKey = "batchPaymentDataCollectionRequest"

// Reader reads a KB BATCHDA body that an ERP wrote itself (passthrough) as a
// formats.PaymentReader. It streams the payment array: one item is decoded at
// a time. Every item is checked with the encoder's rules, and every problem
// carries the item's JSON path (/batchPaymentDataCollectionRequest/3/amount/
// instructedAmount/value) and line.
//
// Leniencies, all normalisations that the encoder undoes the same way each
// time: null or "" for an optional field means absent; IBANs are normalised
// (spaces removed, upper case); a single reference string is accepted as well
// as an array; symbols may carry leading zeros; "NORM" priority and
// "NOTPROVIDED" end-to-end IDs are the defaults and are not written back; a
// missing instructionIdentification is derived by the encoder.
type Reader struct {
	lr        *lineReader
	dec       *json.Decoder
	chk       *checker
	probs     formats.Problems
	batch     *formats.Batch
	state     int
	seenArray bool
	n         int
}

const (
	stStart = iota
	stObject
	stArray
	stDone
)

// NewReader reads with the default KB rules (Options{}).
func NewReader(r io.Reader) *Reader { return NewReaderOptions(r, Options{}) }

// NewReaderOptions reads with the given KB rules, the same the encoder will
// apply. Invalid options are reported as a problem of the file.
func NewReaderOptions(r io.Reader, opts Options) *Reader {
	lr := newLineReader(r)
	dec := json.NewDecoder(lr)
	dec.UseNumber()
	rd := &Reader{
		lr: lr, dec: dec, chk: newChecker(opts),
		batch: &formats.Batch{ID: "G1", Pos: formats.Pos{Line: 1, Path: "/" + arrayKey}},
	}
	if err := opts.Validate(); err != nil {
		rd.probs.Add(formats.Pos{}, "", "%v", err)
	}
	return rd
}

// Problems are the file's problems; complete after Next returned io.EOF.
func (r *Reader) Problems() *formats.Problems { return &r.probs }

// Next returns the next payment, or io.EOF.
func (r *Reader) Next() (*formats.Payment, error) {
	for {
		switch r.state {
		case stStart:
			tok, err := r.dec.Token()
			if err != nil {
				if err == io.EOF {
					r.probs.Add(formats.Pos{Line: 1}, "", "the file is empty: expected a KB BATCHDA JSON body")
					return r.done()
				}
				return r.fail(err)
			}
			if d, ok := tok.(json.Delim); !ok || d != '{' {
				r.problemHere("", "a KB BATCHDA body must be a JSON object {\"%s\":[...]} (FF01)", arrayKey)
				return r.done()
			}
			r.state = stObject
		case stObject:
			if !r.dec.More() {
				if _, err := r.dec.Token(); err != nil {
					return r.fail(err)
				}
				if !r.seenArray {
					r.problemHere("/"+arrayKey, "missing: the body has no payments (FIELD_MISSING)")
				}
				if tok, err := r.dec.Token(); err != io.EOF {
					if err != nil && !isSyntax(err) {
						return r.fail(err)
					}
					_ = tok
					r.problemHere("", "unexpected data after the JSON object (FF01)")
				}
				return r.done()
			}
			tok, err := r.dec.Token()
			if err != nil {
				return r.fail(err)
			}
			key, _ := tok.(string)
			path := "/" + escapeKey(key)
			line := r.line()
			switch {
			case key == arrayKey && !r.seenArray:
				r.seenArray = true
				tok, err := r.dec.Token()
				if err != nil {
					return r.fail(err)
				}
				if d, ok := tok.(json.Delim); ok && d == '[' {
					r.state = stArray
					continue
				}
				r.probs.Add(formats.Pos{Line: line, Path: path}, arrayKey, "must be an array of payments (FIELD_INVALID)")
				if err := skipAfter(r.dec, tok); err != nil {
					return r.fail(err)
				}
			case key == arrayKey:
				r.probs.Add(formats.Pos{Line: line, Path: path}, arrayKey, "appears twice (FIELD_INVALID)")
				if err := skipValue(r.dec); err != nil {
					return r.fail(err)
				}
			default:
				r.probs.Add(formats.Pos{Line: line, Path: path}, key, "unknown field: a KB BATCHDA body has only %s (FIELD_INVALID)", arrayKey)
				if err := skipValue(r.dec); err != nil {
					return r.fail(err)
				}
			}
		case stArray:
			if r.dec.More() {
				return r.item()
			}
			if _, err := r.dec.Token(); err != nil {
				return r.fail(err)
			}
			if r.n == 0 {
				r.problemHere("/"+arrayKey, "is empty: KB needs at least one payment (FIELD_MISSING)")
			}
			r.state = stObject
		default:
			return nil, io.EOF
		}
	}
}

func (r *Reader) done() (*formats.Payment, error) {
	r.state = stDone
	return nil, io.EOF
}

// fail ends the file at a decoding error: a problem at its line for broken
// JSON, the error itself when the underlying reader failed.
func (r *Reader) fail(err error) (*formats.Payment, error) {
	r.state = stDone
	if r.lr.err != nil && errors.Is(err, r.lr.err) {
		return nil, err
	}
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		r.probs.Add(formats.Pos{Line: r.lr.lineAt(se.Offset - 1)}, "", "invalid JSON: %v (FF01)", se)
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		r.probs.Add(formats.Pos{Line: r.lr.lineAt(r.lr.total)}, "", "invalid JSON: unexpected end of file (FF01)")
	default:
		r.probs.Add(formats.Pos{Line: r.lr.lineAt(r.dec.InputOffset())}, "", "invalid JSON: %v (FF01)", err)
	}
	return nil, io.EOF
}

func isSyntax(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se)
}

func (r *Reader) line() int { return r.lr.lineAt(max(r.dec.InputOffset()-1, 0)) }

func (r *Reader) problemHere(path, format string, args ...any) {
	r.probs.Add(formats.Pos{Line: r.line(), Path: path}, "", format, args...)
}

// item decodes one array element and turns it into a payment.
func (r *Reader) item() (*formats.Payment, error) {
	var raw json.RawMessage
	if err := r.dec.Decode(&raw); err != nil {
		return r.fail(err)
	}
	start := r.dec.InputOffset() - int64(len(raw))
	idx := r.n
	r.n++
	ip := itemParser{
		r:     r,
		raw:   raw,
		base:  "/" + arrayKey + "/" + strconv.Itoa(idx),
		line0: r.lr.lineAt(start),
		lines: make(map[string]int),
		strs:  make(map[string]string),
	}
	p := &formats.Payment{Index: idx, Pos: formats.Pos{Line: ip.line0, Path: ip.base}, Batch: r.batch}
	// encoding/json turns invalid UTF-8 into U+FFFD without a word; a
	// Windows-1250 file would lose its diacritics unnoticed.
	if i := invalidUTF8(raw); i >= 0 {
		r.probs.Add(formats.Pos{Line: ip.line0 + bytes.Count(raw[:i], []byte{'\n'}), Path: ip.base}, "",
			"byte %d of the payment is not valid UTF-8: a KB BATCHDA body must be UTF-8 (RF01)", i+1)
		ip.bad = append(ip.bad, "")
	}
	ip.parse(p)
	return p, nil
}

// invalidUTF8 is the offset of the first byte that is not UTF-8, or -1.
func invalidUTF8(b []byte) int {
	if utf8.Valid(b) {
		return -1
	}
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// skipValue consumes the next value whatever it is.
func skipValue(dec *json.Decoder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	return skipAfter(dec, tok)
}

// skipAfter consumes the rest of a value whose first token was tok.
func skipAfter(dec *json.Decoder, tok json.Token) error {
	d, ok := tok.(json.Delim)
	if !ok || d == '}' || d == ']' {
		return nil
	}
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
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

// escapeKey escapes a key for a JSON Pointer (RFC 6901).
func escapeKey(k string) string {
	if !strings.ContainsAny(k, "~/") {
		return k
	}
	return strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
}

// itemParser walks one item against itemSchema, recording the line of every
// path it meets and the text of every supported leaf.
type itemParser struct {
	r       *Reader
	raw     []byte
	dec     *json.Decoder
	base    string
	line0   int
	cntOff  int // raw[:cntOff] has been counted into cntLine
	cntLine int
	lines   map[string]int // item path -> line
	strs    map[string]string
	refs    []refTok
	bad     []string // paths with a problem found while reading
}

type refTok struct{ text, path string }

func (ip *itemParser) lineNow() int {
	off := int(ip.dec.InputOffset()) - 1
	if off > ip.cntOff {
		ip.cntLine += bytes.Count(ip.raw[ip.cntOff:off], []byte{'\n'})
		ip.cntOff = off
	}
	return ip.line0 + ip.cntLine
}

// lineOf is the line of path, or of its nearest ancestor present in the item.
func (ip *itemParser) lineOf(path string) int {
	for {
		if l, ok := ip.lines[path]; ok {
			return l
		}
		i := strings.LastIndexByte(path, '/')
		if i < 0 {
			return ip.line0
		}
		path = path[:i]
	}
}

func (ip *itemParser) pointer(path string) string {
	if path == "" {
		return ip.base
	}
	return ip.base + "/" + path
}

func (ip *itemParser) problem(path, format string, args ...any) {
	ip.bad = append(ip.bad, path)
	ip.r.probs.Add(formats.Pos{Line: ip.lineOf(path), Path: ip.pointer(path)}, field(path), format, args...)
}

func join(path, key string) string {
	if path == "" {
		return escapeKey(key)
	}
	return path + "/" + escapeKey(key)
}

func (ip *itemParser) parse(p *formats.Payment) {
	ip.dec = json.NewDecoder(bytes.NewReader(ip.raw))
	ip.dec.UseNumber()
	if !ip.value(itemSchema, "") {
		return
	}
	ip.build(p)
	var d itemData
	fps := ip.r.chk.check(p, &d)
	if d.instrID != "" {
		if msg := ip.r.chk.claimID(d.instrID, p.Pos); msg != "" {
			fps = append(fps, fieldProblem{pInstrID, msg})
		}
	}
	for _, fp := range fps {
		if !ip.related(fp.path) {
			ip.problem(fp.path, "%s", fp.msg)
		}
	}
}

// related reports whether a problem was already found at path, above it or
// below it, so that one mistake is reported once.
func (ip *itemParser) related(path string) bool {
	for _, b := range ip.bad {
		if b == path || strings.HasPrefix(path, b+"/") || strings.HasPrefix(b, path+"/") {
			return true
		}
	}
	return false
}

// value reads the value at path against n. It returns false when the item
// itself is not an object.
func (ip *itemParser) value(n *node, path string) bool {
	tok, err := ip.dec.Token()
	if err != nil { // cannot happen: the outer decoder validated the item
		ip.problem(path, "invalid JSON: %v (FF01)", err)
		return false
	}
	ip.lines[path] = ip.lineNow()
	if tok == nil {
		return path != "" || ip.notObject(path)
	}
	switch n.kind {
	case kUnsupported:
		ip.problem(path, "not supported: %s", n.why)
		skipAfter(ip.dec, tok)
	case kObject:
		if d, ok := tok.(json.Delim); !ok || d != '{' {
			skipAfter(ip.dec, tok)
			if path == "" {
				return ip.notObject(path)
			}
			ip.problem(path, "must be an object (FIELD_INVALID)")
			return true
		}
		seen := make(map[string]bool, len(n.fields))
		for ip.dec.More() {
			kt, _ := ip.dec.Token()
			k, _ := kt.(string)
			kp := join(path, k)
			child := n.fields[k]
			switch {
			case seen[k]:
				ip.lines[kp] = ip.lineNow()
				ip.problem(kp, "appears twice in the same object (FIELD_INVALID)")
				skipValue(ip.dec)
			case child == nil:
				ip.lines[kp] = ip.lineNow()
				ip.problem(kp, "unknown field: not part of a KB BATCHDA payment item (FIELD_INVALID)")
				skipValue(ip.dec)
			default:
				seen[k] = true
				ip.value(child, kp)
			}
		}
		ip.dec.Token() // '}'
	case kString:
		s, ok := tok.(string)
		if !ok {
			skipAfter(ip.dec, tok)
			ip.problem(path, "must be a string (FIELD_INVALID)")
		} else if s != "" {
			ip.strs[path] = s
		}
	case kNumber:
		v, ok := tok.(json.Number)
		if !ok {
			skipAfter(ip.dec, tok)
			ip.problem(path, "must be a JSON number (FIELD_INVALID)")
		} else {
			ip.strs[path] = string(v)
		}
	case kRefs:
		switch t := tok.(type) {
		case string:
			ip.refs = append(ip.refs, refTok{t, path})
		case json.Delim:
			if t != '[' {
				skipAfter(ip.dec, tok)
				ip.problem(path, "must be a string or an array of strings (FIELD_INVALID)")
				break
			}
			for i := 0; ip.dec.More(); i++ {
				ep := path + "/" + strconv.Itoa(i)
				et, _ := ip.dec.Token()
				ip.lines[ep] = ip.lineNow()
				if s, ok := et.(string); ok {
					ip.refs = append(ip.refs, refTok{s, ep})
				} else if et != nil {
					skipAfter(ip.dec, et)
					ip.problem(ep, "must be a string (FIELD_INVALID)")
				}
			}
			ip.dec.Token() // ']'
		default:
			ip.problem(path, "must be a string or an array of strings (FIELD_INVALID)")
		}
	}
	return true
}

func (ip *itemParser) notObject(path string) bool {
	ip.problem(path, "a payment must be a JSON object (FIELD_INVALID)")
	return false
}

// build fills the payment from the leaves read. Problems found here are about
// the JSON form (types, syntax of values); the KB rules come after, in check.
func (ip *itemParser) build(p *formats.Payment) {
	s := ip.strs
	p.InstructionID = s[pInstrID]
	p.EndToEndID = s[pE2E]

	switch v := s[pPriority]; v {
	case "", "NORM":
	case "HIGH":
		p.Priority = formats.PriorityHigh
	case "INST":
		p.Priority = formats.PriorityInstant
	default:
		ip.problem(pPriority, "%q must be NORM, HIGH or INST (FIELD_INVALID)", v)
	}

	value, hasValue := s[pValue]
	ccy, hasCcy := s[pCurrency]
	if hasValue || hasCcy {
		ccyOK := false
		switch _, known := money.Exponent(ccy); {
		case !hasCcy && ip.related(pCurrency):
		case !hasCcy:
			ip.problem(pCurrency, "missing: the amount needs its currency (FIELD_MISSING)")
		case !isCurrencyCode(ccy) || !known:
			ip.problem(pCurrency, "%q is not an ISO 4217 currency code (AM11)", ccy)
		default:
			ccyOK = true
		}
		if !hasValue && !ip.related(pValue) {
			ip.problem(pValue, "missing (FIELD_MISSING)")
		} else if hasValue && ccyOK {
			a, err := money.Parse(value, ccy)
			if err != nil {
				ip.problem(pValue, "%s", amountMsg(value, ccy, err))
			} else {
				p.Amount = a
			}
		}
	}

	if v, ok := s[pDate]; ok {
		d, err := formats.ParseDate("2006-01-02", v)
		if err != nil {
			ip.problem(pDate, "%q is not a date in the form YYYY-MM-DD (DT01)", v)
		} else {
			p.RequestedDate = d
		}
	}
	p.ChargeBearer = s[pCharge]
	p.DebtorAccount = formats.Account{IBAN: account.NormalizeIBAN(s["debtorAccount/identification/iban"]), Currency: s[pDebtorCcy]}
	p.CreditorAccount = formats.Account{IBAN: account.NormalizeIBAN(s["creditorAccount/identification/iban"]), Currency: s[pCreditorCcy]}
	p.Creditor = formats.Party{
		Name:       s["creditor/name"],
		Street:     s["creditor/postalAddress/streetName"],
		BuildingNo: s["creditor/postalAddress/buildingNumber"],
		PostCode:   s["creditor/postalAddress/postCode"],
		Town:       s["creditor/postalAddress/townName"],
		Country:    s["creditor/postalAddress/country"],
	}
	if l := s["creditor/postalAddress/addressLine"]; l != "" {
		p.Creditor.AddressLines = []string{l}
	}
	p.Remittance.Unstructured = s[pUnstr]
	ip.symbols(&p.Remittance)
}

// symbols reads "VS:2026001"-style references (pattern ^(VS|KS|SS):[0-9]{1,10}$,
// at most one of each).
func (ip *itemParser) symbols(rm *formats.Remittance) {
	for _, ref := range ip.refs {
		kind, digits, ok := strings.Cut(ref.text, ":")
		if !ok || (kind != "VS" && kind != "KS" && kind != "SS") || !isDigits(digits) || len(digits) > maxSymbol {
			ip.problem(ref.path, "%q must be VS:, KS: or SS: followed by 1 to 10 digits (FIELD_INVALID)", ref.text)
			continue
		}
		slot := map[string]*string{"VS": &rm.VS, "KS": &rm.KS, "SS": &rm.SS}[kind]
		if *slot != "" {
			ip.problem(ref.path, "%s is given twice (FIELD_INVALID)", kind)
			continue
		}
		*slot = digits
	}
}

// amountMsg explains a rejected amount in KB's terms.
func amountMsg(value, ccy string, err error) string {
	switch {
	case errors.Is(err, money.ErrNotPositive):
		return fmt.Sprintf("%s must be greater than zero (AM12)", value)
	case errors.Is(err, money.ErrPrecision):
		exp, _ := money.Exponent(ccy)
		return fmt.Sprintf("%s has more decimal places than %s allows (%d) (AM12)", value, ccy, exp)
	case errors.Is(err, money.ErrOverflow):
		return fmt.Sprintf("%s is too large (AM12)", value)
	}
	return fmt.Sprintf("%s is not a plain decimal number such as 12500.00 (AM12)", value)
}
