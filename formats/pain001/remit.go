package pain001

import (
	"strings"
	"unicode/utf8"

	"erpconnector/formats"
)

// readRemittance reads RmtInf.
//
// Ustrd: several occurrences are joined with Options.UstrdSeparator (one
// space by default); the joined text must fit the 140 characters every
// target format carries, otherwise it is a problem rather than a silent cut.
//
// Czech symbols are read in both forms Czech bank guides use [INF, no public
// bank XML sample]:
//   - Strd/CdtrRefInf/Ref "VS:123", "KS:0308", "SS:456" (one Strd each), or a
//     plain Ref with Tp/CdOrPrtry/(Cd|Prtry) "VS", "KS" or "SS";
//   - a leading run "/VS/123/SS/456/KS/0308" in an Ustrd; whatever follows the
//     run stays the unstructured text (Options.IgnoreUstrdSymbols turns this off).
//
// A symbol given twice with different values is a problem. Any other
// creditor reference becomes Remittance.Reference with its type code; only one
// such reference can be carried.
func (r *Reader) readRemittance(rm *formats.Remittance) {
	s := &r.s
	d := s.depth()
	var texts []string
	nU, nS := 0, 0
	for s.child(d) {
		switch name := s.name(); name {
		case "Ustrd":
			nU++
			s.setIndex(nU)
			v := s.value()
			if !r.checkText(name, v, 140) {
				continue
			}
			if !r.opts.IgnoreUstrdSymbols {
				v = r.ustrdSymbols(rm, v)
			}
			if v != "" {
				texts = append(texts, v)
			}
		case "Strd":
			nS++
			s.setIndex(nS)
			r.readStructured(rm)
		default:
			r.unexpected()
		}
	}
	if len(texts) == 0 {
		return
	}
	sep := " "
	if r.opts.UstrdSeparator != nil {
		sep = *r.opts.UstrdSeparator
	}
	text := strings.Join(texts, sep)
	if n := utf8.RuneCountInString(text); n > 140 {
		r.add(s.childPos("Ustrd"), "Ustrd", "the remittance text is %d characters long after joining %d Ustrd; at most 140 can be passed on", n, len(texts))
		return
	}
	rm.Unstructured = text
}

// readStructured reads one Strd; only CdtrRefInf matters. Referred documents,
// invoicer/invoicee, tax and garnishment details and AddtlRmtInf are detail
// for the creditor's reconciliation that no target API carries.
func (r *Reader) readStructured(rm *formats.Remittance) {
	s := &r.s
	d := s.depth()
	var ref bool
	for s.child(d) {
		switch name := s.name(); name {
		case "CdtrRefInf":
			if ref {
				r.duplicate()
				continue
			}
			ref = true
			r.readCreditorRef(rm)
		case "RfrdDocInf", "RfrdDocAmt", "Invcr", "Invcee", "TaxRmt", "GrnshmtRmt", "AddtlRmtInf":
		default:
			r.unexpected()
		}
	}
}

func (r *Reader) readCreditorRef(rm *formats.Remittance) {
	s := &r.s
	d := s.depth()
	var tp, ref string
	var hasTp, hasRef bool
	var refPos formats.Pos
	for s.child(d) {
		switch name := s.name(); name {
		case "Tp":
			if hasTp {
				r.duplicate()
				continue
			}
			hasTp = true
			tp = r.readRefType()
		case "Ref":
			if hasRef {
				r.duplicate()
				continue
			}
			hasRef = true
			v := s.value()
			refPos = s.pos()
			if r.checkText(name, v, 35) {
				ref = v
			}
		default:
			r.unexpected()
		}
	}
	if ref == "" {
		return
	}
	if kind := strings.ToUpper(tp); kind == "VS" || kind == "KS" || kind == "SS" {
		r.setSymbol(rm, refPos, kind, ref)
		return
	}
	if len(ref) > 3 && ref[2] == ':' {
		if kind := strings.ToUpper(ref[:2]); kind == "VS" || kind == "KS" || kind == "SS" {
			r.setSymbol(rm, refPos, kind, ref[3:])
			return
		}
	}
	if rm.Reference != "" {
		r.add(refPos, "Ref", "a second creditor reference %q; only one (%q) can be passed on", ref, rm.Reference)
		return
	}
	rm.Reference, rm.ReferenceType = ref, tp
}

// readRefType reads Tp: CdOrPrtry/(Cd|Prtry) and Issr; it returns the code.
func (r *Reader) readRefType() string {
	s := &r.s
	d := s.depth()
	var code string
	var seen bool
	for s.child(d) {
		switch name := s.name(); name {
		case "CdOrPrtry":
			if seen {
				r.duplicate()
				continue
			}
			seen = true
			cd, prtry := r.readCodeChoice()
			code = cd + prtry
		case "Issr":
		default:
			r.unexpected()
		}
	}
	return code
}

// symbolMax is the number of digits each Czech symbol may have.
var symbolMax = map[string]int{"VS": 10, "KS": 4, "SS": 10}

// setSymbol validates a symbol and stores it, reporting a conflicting repeat.
// A zero pos means the current element.
func (r *Reader) setSymbol(rm *formats.Remittance, pos formats.Pos, kind, v string) bool {
	at := func() formats.Pos {
		if pos == (formats.Pos{}) {
			return r.s.pos()
		}
		return pos
	}
	if !allDigits(v) {
		r.add(at(), kind, "symbol %q is not digits only", v)
		return false
	}
	if len(v) > symbolMax[kind] {
		r.add(at(), kind, "symbol %q has %d digits, at most %d allowed", v, len(v), symbolMax[kind])
		return false
	}
	var dst *string
	switch kind {
	case "VS":
		dst = &rm.VS
	case "KS":
		dst = &rm.KS
	default:
		dst = &rm.SS
	}
	if *dst != "" && *dst != v {
		r.add(at(), kind, "given twice with different values: %s and %s", *dst, v)
		return false
	}
	*dst = v
	return true
}

// ustrdSymbols takes a leading "/VS/123/SS/456/KS/0308" run off an Ustrd,
// stores the symbols and returns the rest of the text (trimmed). A tag whose
// value is not digits ends the run and stays in the text: "/VS/ABC" is not a
// symbol, so it is left for the creditor to read.
func (r *Reader) ustrdSymbols(rm *formats.Remittance, v string) string {
	rest := v
	found := false
	for {
		rest = strings.TrimLeft(rest, " ")
		if len(rest) < 5 || rest[0] != '/' || rest[3] != '/' {
			break
		}
		kind := rest[1:3]
		if kind != "VS" && kind != "KS" && kind != "SS" {
			break
		}
		n := 4
		for n < len(rest) && isDigit(rest[n]) {
			n++
		}
		if n == 4 || (n < len(rest) && rest[n] != '/' && rest[n] != ' ') {
			break
		}
		r.setSymbol(rm, formats.Pos{}, kind, rest[4:n])
		found = true
		rest = rest[n:]
	}
	if !found {
		return v
	}
	return strings.TrimSpace(rest)
}
