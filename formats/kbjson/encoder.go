package kbjson

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

// Request line and header names of a BATCHDA submission (spec §5).
const (
	Method                 = "POST"
	Path                   = "/directapi/batchda/v3/batchPayments"
	HeaderExchangeID       = "x-exchange-identification"
	HeaderProcessingMode   = "x-batch-processing-mode"
	HeaderInstructionName  = "x-instruction-name"
	HeaderContentType      = "Content-Type"
	HeaderAccept           = "Accept"
	contentTypeJSON        = "application/json"
	exchangeIDLen          = 14 // S9's limit; COBS allows 18
	instructionNameMaxLen  = 35
	instructionNameHashLen = 6
)

// Source identifies the input file: its content hash and base name.
type Source struct {
	SHA256 [32]byte
	Name   string
}

// Request is one BATCHDA submission, complete except for what needs secrets,
// a clock or randomness (Authorization, x-correlation-id, apiKey), which the
// bank client adds.
type Request struct {
	Method, Path string
	Headers      map[string]string
	Body         []byte // exact JSON bytes to send
	Payments     []int  // formats.Payment.Index of each item, in body order
	DebtorIBAN   string
	Currency     string
	Count        int
	Total        money.Amount
}

// ExchangeID is the request's x-exchange-identification.
func (r *Request) ExchangeID() string { return r.Headers[HeaderExchangeID] }

// Encoder turns payments into BATCHDA requests: one debtor account and one
// currency per request, at most MaxItems items, groups in order of first
// appearance, items in file order.
//
// Memory: each accepted payment is kept as its encoded JSON item (~0.5 KB) in
// one buffer per group until Requests. Encoding on the fly would need the
// group membership of the whole file first (a request may only be cut once
// the file is read) and the daemon stores every request body before
// submitting anyway, so the whole batch is in memory at some point either way.
type Encoder struct {
	src    Source
	opts   Options
	optErr error
	told   bool
	chk    *checker
	groups []*group
	byKey  map[string]*group
	d      itemData // reused between Add calls
}

type group struct {
	debtorIBAN, currency string
	buf                  []byte // items back to back
	ends                 []int  // end offset of each item in buf
	payments             []int
	totals               []int64 // minor-unit total of each chunk of MaxItems
}

// NewEncoder prepares an encoder for one file. Invalid options or a missing
// file hash make every Add report a problem and Requests return nothing.
func NewEncoder(src Source, opts Options) *Encoder {
	e := &Encoder{src: src, opts: opts, chk: newChecker(opts), byKey: make(map[string]*group)}
	e.optErr = opts.Validate()
	if e.optErr == nil && src.SHA256 == ([32]byte{}) {
		e.optErr = fmt.Errorf("%w: the source file's SHA-256 is not set; request and payment IDs would repeat across files", ErrOptions)
	}
	return e
}

// Add checks p against the KB rules and, when it passes, queues it. The
// problems are positioned at p.Pos and name the KB field. A payment with
// problems is not queued: the file must not be submitted at all then.
func (e *Encoder) Add(p *formats.Payment) []formats.Problem {
	if e.optErr != nil {
		if e.told {
			return nil
		}
		e.told = true
		return []formats.Problem{{Pos: p.Pos, Msg: e.optErr.Error()}}
	}
	d := &e.d
	*d = itemData{}
	fps := e.chk.check(p, d)
	if d.instrID == "" && len(fps) == 0 {
		d.instrID = e.generatedID(p.Index)
	}
	if e.opts.EndToEndFromInstruction && d.e2e == "" {
		d.e2e = d.instrID
	}
	if d.instrID != "" {
		if msg := e.chk.claimID(d.instrID, p.Pos); msg != "" {
			fps = append(fps, fieldProblem{pInstrID, msg})
		}
	}
	if len(fps) > 0 {
		return toProblems(p.Pos, fps)
	}
	key := d.debtorIBAN + "/" + d.amount.Currency
	g := e.byKey[key]
	if g == nil {
		g = &group{debtorIBAN: d.debtorIBAN, currency: d.amount.Currency}
		e.byKey[key] = g
		e.groups = append(e.groups, g)
	}
	if len(g.payments)%e.opts.maxItems() == 0 {
		g.totals = append(g.totals, 0)
	}
	last := &g.totals[len(g.totals)-1]
	t, err := money.Add(money.Amount{Minor: *last, Currency: d.amount.Currency}, d.amount)
	if err != nil {
		return toProblems(p.Pos, []fieldProblem{{pValue, "the request's total amount would overflow; lower MaxItems"}})
	}
	*last = t.Minor
	g.buf = appendItem(g.buf, d)
	g.ends = append(g.ends, len(g.buf))
	g.payments = append(g.payments, p.Index)
	return nil
}

func toProblems(pos formats.Pos, fps []fieldProblem) []formats.Problem {
	out := make([]formats.Problem, len(fps))
	for i, fp := range fps {
		out[i] = formats.Problem{Pos: pos, Field: field(fp.path), Msg: fp.msg}
	}
	return out
}

// generatedID is the instruction ID of a payment the ERP gave none:
// "EC" + 20 hex digits of the file hash + "-" + the payment's index, at most
// 35 characters for any index below 10^12. It is stable for the same file
// content and tells a person which payment it is.
func (e *Encoder) generatedID(index int) string {
	return "EC" + hex.EncodeToString(e.src.SHA256[:10]) + "-" + strconv.Itoa(index)
}

// Requests cuts the queued payments into requests. It is deterministic and
// may be called more than once.
func (e *Encoder) Requests() []Request {
	if e.optErr != nil {
		return nil
	}
	max := e.opts.maxItems()
	n := 0
	for _, g := range e.groups {
		n += (len(g.payments) + max - 1) / max
	}
	reqs := make([]Request, 0, n)
	for _, g := range e.groups {
		for lo := 0; lo < len(g.payments); lo += max {
			hi := min(lo+max, len(g.payments))
			reqs = append(reqs, e.request(g, lo, hi, len(reqs)+1, n))
		}
	}
	return reqs
}

const (
	bodyPrefix = `{"batchPaymentDataCollectionRequest":[`
	bodySuffix = `]}`
)

func (e *Encoder) request(g *group, lo, hi, num, of int) Request {
	start := 0
	if lo > 0 {
		start = g.ends[lo-1]
	}
	body := make([]byte, 0, len(bodyPrefix)+g.ends[hi-1]-start+(hi-lo)+len(bodySuffix))
	body = append(body, bodyPrefix...)
	prev := start
	for i := lo; i < hi; i++ {
		if i > lo {
			body = append(body, ',')
		}
		body = append(body, g.buf[prev:g.ends[i]]...)
		prev = g.ends[i]
	}
	body = append(body, bodySuffix...)
	total := g.totals[lo/e.opts.maxItems()]
	payments := make([]int, hi-lo)
	copy(payments, g.payments[lo:hi])
	return Request{
		Method: Method,
		Path:   Path,
		Headers: map[string]string{
			HeaderContentType:     contentTypeJSON,
			HeaderAccept:          contentTypeJSON,
			HeaderExchangeID:      e.exchangeID(num),
			HeaderProcessingMode:  e.opts.mode(),
			HeaderInstructionName: e.instructionName(num, of),
		},
		Body:       body,
		Payments:   payments,
		DebtorIBAN: g.debtorIBAN,
		Currency:   g.currency,
		Count:      hi - lo,
		Total:      money.Amount{Minor: total, Currency: g.currency},
	}
}

// exchangeID is x-exchange-identification: the first 14 hex digits of
// SHA-256(file SHA-256 || num as 4 bytes big endian). Distinct for every
// request of a file and, with overwhelming probability, across files; the
// same file content always gives the same IDs, so a resubmission of the same
// batch is recognisable in internet banking.
func (e *Encoder) exchangeID(num int) string {
	var buf [36]byte
	copy(buf[:32], e.src.SHA256[:])
	binary.BigEndian.PutUint32(buf[32:], uint32(num))
	sum := sha256.Sum256(buf[:])
	return hex.EncodeToString(sum[:])[:exchangeIDLen]
}

// instructionName is x-instruction-name (≤35): the file name in KB-safe
// ASCII, the first 6 hex digits of the file hash, and "num/of" when the file
// needs several requests, e.g. "platby-cerven.kpc 3fa2c1 2/3". The signer
// sees it in internet banking: the same name twice is the same file twice.
func (e *Encoder) instructionName(num, of int) string {
	suffix := " " + hex.EncodeToString(e.src.SHA256[:])[:instructionNameHashLen]
	if of > 1 {
		suffix += " " + strconv.Itoa(num) + "/" + strconv.Itoa(of)
	}
	name := safeName(e.src.Name)
	if name == "" {
		name = "erpconnector"
	}
	if room := instructionNameMaxLen - len(suffix); len(name) > room {
		name = strings.TrimRight(name[:room], " ")
	}
	return name + suffix
}

// safeName reduces a file name to the SWIFT x set KB accepts everywhere:
// Czech and Slovak letters lose their diacritics, anything else outside the
// set becomes '-', runs of spaces and dashes collapse.
func safeName(s string) string {
	var b strings.Builder
	last := byte(0)
	for _, r := range s {
		c := byte('-')
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			c = byte(r)
		case r < 0x80 && strings.IndexByte(swiftPunct, byte(r)) >= 0:
			c = byte(r)
		default:
			if a, ok := asciiFold[r]; ok {
				c = a
			}
		}
		if (c == '-' || c == ' ') && c == last {
			continue
		}
		b.WriteByte(c)
		last = c
	}
	return strings.Trim(b.String(), " -")
}

var asciiFold = func() map[rune]byte {
	const from, to = czechLetters, "aacdeeillnoorrstuuyzAACDEEILLNOORRSTUUYZ"
	m := make(map[rune]byte, len(to))
	i := 0
	for _, r := range from {
		m[r] = to[i]
		i++
	}
	return m
}()
