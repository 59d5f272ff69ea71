package pain001

import (
	"encoding/xml"
	"io"
	"strings"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

// Options adjusts how the reader interprets conventions that differ between
// Czech bank guides. The zero value is the default.
type Options struct {
	// IgnoreUstrdSymbols keeps RmtInf/Ustrd exactly as written instead of
	// taking Czech payment symbols from a leading "/VS/…/SS/…/KS/…" run.
	IgnoreUstrdSymbols bool
	// UstrdSeparator joins several RmtInf/Ustrd occurrences; nil means one
	// space. ERPs that split one long text at fixed widths want "".
	UstrdSeparator *string
}

// Reader reads one pain.001.001.03 or .09 document as a stream of payments.
// It holds only the current PmtInf header and the current transaction, so
// memory does not grow with the number of payments.
type Reader struct {
	s       scanner
	probs   formats.Problems
	opts    Options
	version string

	started, done bool
	index         int // next Payment.Index

	// group header
	seenGrpHdr bool
	msgID      string
	grpCount   counter
	nPmtInf    int

	blk *block // the PmtInf being read, nil between blocks
}

// counter checks a declared NbOfTxs and CtrlSum against the content.
type counter struct {
	nbPos, sumPos formats.Pos
	nb            int64
	hasNb         bool
	ctrl          money.Dec
	hasCtrl       bool
	count         int64
	sum           money.Sum
	sumBroken     bool // an amount could not be read: the sum is not comparable
}

func (c *counter) add(d money.Dec, ok bool) {
	c.count++
	if !ok {
		c.sumBroken = true
		return
	}
	c.sum.Add(d)
}

// NewReader reads a pain.001 document from r with default Options.
func NewReader(r io.Reader) *Reader { return NewReaderOptions(r, Options{}) }

// NewReaderOptions reads a pain.001 document from r.
func NewReaderOptions(r io.Reader, opts Options) *Reader {
	rd := &Reader{opts: opts}
	in := newInput(r)
	rd.s.in = in
	rd.s.probs = &rd.probs
	rd.s.path = make([]byte, 0, 256)
	return rd
}

// Problems is every problem found so far; complete after Next returned io.EOF.
func (r *Reader) Problems() *formats.Problems { return &r.probs }

// Version is "pain.001.001.03" or "pain.001.001.09" once the root element has
// been read, else "".
func (r *Reader) Version() string { return r.version }

var _ formats.PaymentReader = (*Reader)(nil)

// Depths of the fixed top of the document.
const (
	depthDocument = 1
	depthInitn    = 2 // CstmrCdtTrfInitn
	depthPmtInf   = 3
)

// Next returns the next payment, or io.EOF at the end of the document or when
// the XML cannot be read further. Any other error is an I/O error.
func (r *Reader) Next() (*formats.Payment, error) {
	if !r.started {
		r.started = true
		r.begin()
	}
	for !r.done {
		if r.blk != nil {
			if p := r.nextInBlock(); p != nil {
				return p, nil
			}
			continue
		}
		r.nextTop()
	}
	if r.s.ioErr != nil {
		return nil, r.s.ioErr
	}
	return nil, io.EOF
}

// begin reads up to and including CstmrCdtTrfInitn and decides the version.
func (r *Reader) begin() {
	s := &r.s
	if enc := s.in.byteOrderMark(); enc != "" {
		r.add(formats.Pos{Line: 1}, "encoding", "the file is %s (byte order mark); export it as UTF-8", enc)
		r.done = true
		return
	}
	s.dec = xml.NewDecoder(s.in)
	s.dec.Strict = true
	s.dec.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
		e, name, err := lookupEncoding(label)
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(name, "utf-8") {
			return in, nil // the decoder itself then rejects invalid UTF-8
		}
		s.charset = name
		return e.NewDecoder().Reader(in), nil
	}
	var root xml.StartElement
	for {
		t := s.tok()
		if t == nil {
			if s.eof {
				r.add(formats.Pos{Line: s.line()}, "", "the file has no root element: it is empty or not XML")
			}
			r.done = true
			return
		}
		if st, ok := t.(xml.StartElement); ok {
			root = st
			break
		}
		if cd, ok := t.(xml.CharData); ok && len(strings.TrimSpace(string(cd))) > 0 {
			s.stop(formats.Pos{Line: s.line()}, "", "text before the root element: this is not an XML document")
			r.done = true
			return
		}
	}
	s.prefix = root.Name.Space
	for _, a := range root.Attr {
		if (s.prefix == "" && a.Name.Space == "" && a.Name.Local == "xmlns") ||
			(s.prefix != "" && a.Name.Space == "xmlns" && a.Name.Local == s.prefix) {
			s.ns = a.Value
		}
	}
	if root.Name.Local != "Document" {
		s.stop(s.pos(), "", "the root element is <%s>, not <Document>: this is not an ISO 20022 pain.001 file", rawName(root.Name))
		r.done = true
		return
	}
	if s.prefix != "" && s.ns == "" {
		s.stop(s.pos(), "Document", "name space prefix %q is not declared", s.prefix)
		r.done = true
		return
	}
	v, refusal := versionOf(s.ns)
	if refusal != "" {
		s.stop(s.pos(), "xmlns", "%s", refusal)
		r.done = true
		return
	}
	r.version = v
	s.version = v
	for s.child(depthDocument) {
		if s.name() == "CstmrCdtTrfInitn" {
			return
		}
		r.unexpected()
	}
	r.endDocument(false)
}

// nextTop reads the next child of CstmrCdtTrfInitn (GrpHdr, PmtInf,
// SplmtryData) and, at its end, finishes the document.
func (r *Reader) nextTop() {
	s := &r.s
	if !s.child(depthInitn) {
		if !s.fatal {
			r.endInitn()
		}
		r.endDocument(true)
		return
	}
	switch s.name() {
	case "GrpHdr":
		if r.seenGrpHdr {
			r.duplicate()
			return
		}
		if r.nPmtInf > 0 {
			r.add(s.pos(), "GrpHdr", "must come before the first PmtInf")
		}
		r.seenGrpHdr = true
		r.readGrpHdr()
	case "PmtInf":
		r.nPmtInf++
		s.setIndex(r.nPmtInf)
		r.startBlock()
	case "SplmtryData":
		// Supplementary data is bilateral extension; nothing in it can be
		// carried, and ISO says it must not change the message's meaning.
	default:
		r.unexpected()
	}
}

// endInitn runs the group-level checks once CstmrCdtTrfInitn has ended.
func (r *Reader) endInitn() {
	s := &r.s
	if !r.seenGrpHdr {
		r.add(s.childPos("GrpHdr"), "GrpHdr", "mandatory element missing")
	}
	if r.nPmtInf == 0 {
		r.add(s.childPos("PmtInf"), "PmtInf", "mandatory element missing: the file has no payments")
	}
	r.checkCounter(&r.grpCount, "the file")
}

// endDocument reads what follows CstmrCdtTrfInitn: the end of Document and
// of the input. Anything else there is a problem.
func (r *Reader) endDocument(sawInitn bool) {
	s := &r.s
	if !sawInitn && !s.fatal {
		r.add(s.childPos("CstmrCdtTrfInitn"), "CstmrCdtTrfInitn", "mandatory element missing")
	}
	for s.child(depthDocument) {
		r.unexpected()
	}
	// After the root: only white space, comments and processing instructions.
	for !s.fatal {
		t := s.tok()
		if t == nil {
			break
		}
		switch t := t.(type) {
		case xml.StartElement:
			s.stop(s.pos(), "", "a second root element <%s> after </Document>", rawName(t.Name))
		case xml.CharData:
			if len(strings.TrimSpace(string(t))) > 0 {
				s.stop(formats.Pos{Line: s.line()}, "", "text after </Document>")
			}
		}
	}
	r.done = true
}

// checkCounter compares a declared NbOfTxs/CtrlSum with what was read.
func (r *Reader) checkCounter(c *counter, what string) {
	if r.s.fatal {
		return // a truncated file was not read to its end: counts would lie
	}
	if c.hasNb && c.nb != c.count {
		r.add(c.nbPos, "NbOfTxs", "says %d but %s has %d transactions (CdtTrfTxInf)", c.nb, what, c.count)
	}
	if c.hasCtrl && !c.sumBroken {
		if err := c.sum.Err(); err != nil {
			r.add(c.sumPos, "CtrlSum", "the amounts of %s cannot be added up: %v", what, err)
		} else if !c.sum.Equal(c.ctrl) {
			r.add(c.sumPos, "CtrlSum", "says %s but the amounts of %s add up to %s", c.ctrl.String(), what, c.sum.String())
		}
	}
}

// readCount reads NbOfTxs into c.
func (r *Reader) readCount(c *counter) {
	s := &r.s
	c.nbPos = s.pos()
	v := s.value()
	n, err := parseCount(v)
	if err != nil {
		r.add(c.nbPos, "NbOfTxs", "%v", err)
		return
	}
	c.nb, c.hasNb = n, true
}

// readCtrlSum reads CtrlSum (DecimalNumber: ≤17 fraction, ≤18 total digits).
func (r *Reader) readCtrlSum(c *counter) {
	s := &r.s
	c.sumPos = s.pos()
	v := s.value()
	d, err := money.ParseDec(v)
	switch {
	case err != nil:
		r.add(c.sumPos, "CtrlSum", "%q is not a decimal number: %v", v, err)
		return
	case d.Neg:
		r.add(c.sumPos, "CtrlSum", "%q is negative", v)
		return
	case digitCount(v) > 18:
		r.add(c.sumPos, "CtrlSum", "%q has more than 18 digits", v)
		return
	}
	c.ctrl, c.hasCtrl = d, true
}

func digitCount(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			n++
		}
	}
	return n
}

// add records a problem unless the XML already broke: after that, values
// read as empty and elements as missing only because reading stopped.
func (r *Reader) add(pos formats.Pos, field, format string, args ...any) {
	if r.s.fatal {
		return
	}
	r.probs.Add(pos, field, format, args...)
}

// unexpected reports the current element as not allowed where it is.
func (r *Reader) unexpected() {
	s := &r.s
	name := s.name()
	parent := "the document"
	if n := len(s.names); n >= 2 {
		parent = "<" + s.names[n-2].Local + ">"
	}
	if hint := versionHint(r.version, name); hint != "" {
		r.add(s.pos(), name, "unexpected element in %s: %s", parent, hint)
		return
	}
	r.add(s.pos(), name, "unexpected element in %s; it is not part of %s here", parent, r.versionOrPain())
}

func (r *Reader) versionOrPain() string {
	if r.version == "" {
		return "pain.001"
	}
	return r.version
}

// versionHint explains the classic .03/.09 mix-ups.
func versionHint(version, name string) string {
	switch {
	case version == V03 && name == "BICFI":
		return "BICFI is the pain.001.001.09 element; pain.001.001.03 uses BIC"
	case version == V09 && name == "BIC":
		return "BIC is the pain.001.001.03 element; pain.001.001.09 uses BICFI"
	case version == V03 && (name == "Dt" || name == "DtTm"):
		return "in pain.001.001.03 ReqdExctnDt holds the date itself, not Dt/DtTm (that is .09)"
	case version == V03 && (name == "UETR" || name == "LEI"):
		return name + " exists only in pain.001.001.09"
	}
	return ""
}

// duplicate reports an element that may occur only once.
func (r *Reader) duplicate() {
	r.add(r.s.pos(), r.s.name(), "occurs more than once; only one is allowed")
}

// once marks bit in *seen; false (with a problem) if it was already set.
func (r *Reader) once(seen *uint64, bit uint64) bool {
	if *seen&bit != 0 {
		r.duplicate()
		return false
	}
	*seen |= bit
	return true
}

// refuse reports an element that would change the money movement but that
// the canonical model cannot carry to the bank.
func (r *Reader) refuse(why string) {
	r.add(r.s.pos(), r.s.name(), "is not supported: %s", why)
}
