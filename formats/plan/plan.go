// Package plan turns a stream of parsed payments into the exact bank requests
// to send: every payment is validated (bank-neutral rules, then the target
// bank's own), and only a file without a single problem yields requests. It is
// the step both `erpconnector convert` and the daemon run, so what convert
// prints is what the daemon would send.
package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"erpconnector/formats"
	"erpconnector/formats/bijson"
	"erpconnector/formats/kbjson"
	"erpconnector/formats/money"
	"erpconnector/formats/validate"
)

// Bank names a target bank API.
type Bank string

const (
	KB              Bank = "kb"
	BankIntegration Bank = "bankintegration"
)

// ParseBank accepts the names the CLI and configuration use.
func ParseBank(s string) (Bank, error) {
	switch s {
	case "kb":
		return KB, nil
	case "bankintegration", "bi":
		return BankIntegration, nil
	}
	return "", fmt.Errorf("unknown bank %q: kb or bankintegration", s)
}

// Source identifies the input file.
type Source struct {
	SHA256 [32]byte
	Name   string
}

// Options configures one planning run.
type Options struct {
	Bank     Bank
	Validate validate.Rules
	KB       kbjson.Options
	BI       bijson.Options
}

// Request is one bank call, ready to send but for the headers that carry
// secrets or clocks, which the bank client adds.
type Request struct {
	Bank     Bank              `json:"bank"`
	Method   string            `json:"method"`
	Path     string            `json:"path"`
	Headers  map[string]string `json:"headers"`
	Body     json.RawMessage   `json:"body"`
	Payments []int             `json:"-"` // file payment indexes, in body order

	// ID is the request's deterministic identity: KB x-exchange-identification,
	// BankIntegration requestId.
	ID string `json:"-"`
	// BI holds what the BankIntegration Authorization header is computed from.
	BI *bijson.Request `json:"-"`
}

// Result is a planned file.
type Result struct {
	Requests []Request
	Problems formats.Problems
	Count    int                     // payments read
	Totals   map[string]money.Amount // per currency
}

// TotalList returns the totals in currency order, for stable reporting.
func (r *Result) TotalList() []money.Amount {
	out := make([]money.Amount, 0, len(r.Totals))
	for _, a := range r.Totals {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}

// encoder is what both bank encoders provide.
type encoder interface {
	Add(p *formats.Payment) []formats.Problem
}

// Run reads every payment from rd, validates and encodes it. each, when not
// nil, sees every payment after validation (the daemon stores them). Requests
// are returned only when the file has no problem at all.
func Run(rd formats.PaymentReader, src Source, opts Options, each func(*formats.Payment) error) (*Result, error) {
	res := &Result{Totals: map[string]money.Amount{}}
	var enc encoder
	var kbEnc *kbjson.Encoder
	var biEnc *bijson.Encoder
	if opts.KB.NotBefore.IsZero() {
		opts.KB.NotBefore = opts.Validate.Today
	}
	switch opts.Bank {
	case KB:
		kbEnc = kbjson.NewEncoder(kbjson.Source{SHA256: src.SHA256, Name: src.Name}, opts.KB)
		enc = kbEnc
	case BankIntegration:
		biEnc = bijson.NewEncoder(bijson.Source{SHA256: src.SHA256, Name: src.Name}, opts.BI)
		enc = biEnc
	default:
		return nil, fmt.Errorf("unknown bank %q", opts.Bank)
	}
	seen := map[string]bool{} // debtor problems already reported for a batch
	for {
		before := rd.Problems().Len()
		p, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading payments: %w", err)
		}
		res.Count++
		if !p.Amount.IsZero() {
			t := res.Totals[p.Amount.Currency]
			t.Currency = p.Amount.Currency
			if sum, err := money.Add(t, p.Amount); err != nil {
				res.Problems.Add(p.Pos, "amount", "the file's total in %s overflows", p.Amount.Currency)
			} else {
				res.Totals[p.Amount.Currency] = sum
			}
		}
		readerFound := rd.Problems().Len() > before
		rules := opts.Validate
		// A field the reader could not parse is left zero; do not also call it "missing".
		rules.ReaderHadProblems = readerFound || rd.Problems().Len() > 0
		if rules.DefaultCountry == "" {
			rules.DefaultCountry = defaultCountry(opts.Bank)
		}
		found := validate.Payment(p, rules)
		for _, pr := range found {
			// The debtor comes from the batch header: say what is wrong with
			// it once per batch, not once per payment.
			if strings.HasPrefix(pr.Field, "debtor") && p.Batch != nil {
				k := fmt.Sprintf("%p|%s|%s", p.Batch, pr.Field, pr.Msg)
				if seen[k] {
					continue
				}
				seen[k] = true
			}
			res.Problems.Append(pr)
		}
		// The bank's own rules are checked on payments that are otherwise
		// sound; on a broken payment they would only repeat, in the bank's
		// words, what the reader or the validator already said.
		if !readerFound && len(found) == 0 {
			res.Problems.Append(enc.Add(p)...)
		}
		if each != nil {
			if err := each(p); err != nil {
				return nil, err
			}
		}
	}
	// Reader problems come first in the report: they are usually the cause.
	var all formats.Problems
	all.Merge(rd.Problems())
	all.Merge(&res.Problems)
	res.Problems = all
	if res.Count == 0 && all.Len() == 0 {
		res.Problems.Add(formats.Pos{Line: 1}, "", "the file contains no payments")
	}
	if res.Problems.Len() > 0 {
		return res, nil
	}
	switch {
	case kbEnc != nil:
		for _, r := range kbEnc.Requests() {
			res.Requests = append(res.Requests, Request{
				Bank: KB, Method: r.Method, Path: r.Path, Headers: r.Headers, Body: r.Body,
				Payments: r.Payments, ID: r.Headers["x-exchange-identification"],
			})
		}
	case biEnc != nil:
		for _, r := range biEnc.Requests() {
			r := r
			res.Requests = append(res.Requests, Request{
				Bank: BankIntegration, Method: r.Method, Path: r.Path, Headers: r.Headers, Body: r.Body,
				Payments: r.Payments, ID: r.RequestID, BI: &r,
			})
		}
	}
	return res, nil
}

// defaultCountry is the country of a domestic account number that does not
// say: the bank's own country.
func defaultCountry(b Bank) string {
	if b == KB {
		return "CZ"
	}
	return "DK"
}
