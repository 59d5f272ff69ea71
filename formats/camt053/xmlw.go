package camt053

import (
	"bufio"
	"encoding/xml"
	"io"
	"strconv"

	"erpconnector/formats"
)

// xw writes indented XML straight to a buffered writer, so that a statement
// of any length is written without building a tree. The first write error
// sticks and turns every later call into a no-op; Write reports it at the end.
type xw struct {
	w       *bufio.Writer
	depth   int
	scratch []byte
	num     []byte // dates and amounts are formatted here, allocation-free
	err     error
}

func newXW(w io.Writer) *xw { return &xw{w: bufio.NewWriterSize(w, 64<<10)} }

func (x *xw) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

// spaces covers the deepest element we write (Document/…/Strd/CdtrRefInf/Tp/CdOrPrtry/Cd, depth 11).
const spaces = "                                                "

func (x *xw) indent() { x.raw(spaces[:min(2*x.depth, len(spaces))]) }

// text writes s escaped. Callers pass only cleaned text (see clean), so the
// escaper never has to replace a character XML 1.0 cannot carry.
func (x *xw) text(s string) {
	if x.err != nil {
		return
	}
	if plain(s) {
		_, x.err = x.w.WriteString(s)
		return
	}
	x.scratch = append(x.scratch[:0], s...)
	x.err = xml.EscapeText(x.w, x.scratch)
}

func (x *xw) open(name string) {
	x.indent()
	x.raw("<")
	x.raw(name)
	x.raw(">\n")
	x.depth++
}

func (x *xw) close(name string) {
	x.depth--
	x.indent()
	x.raw("</")
	x.raw(name)
	x.raw(">\n")
}

// leaf writes <name>text</name>; names are our constants, text is escaped.
func (x *xw) leaf(name, text string) {
	x.indent()
	x.raw("<")
	x.raw(name)
	x.raw(">")
	x.text(text)
	x.raw("</")
	x.raw(name)
	x.raw(">\n")
}

func (x *xw) flush() error {
	if x.err == nil {
		x.err = x.w.Flush()
	}
	return x.err
}

// plain reports whether s is printable ASCII that needs no escaping: the
// common case of IDs, codes and dates, written without the escaper.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7F, c == '&', c == '<', c == '>', c == '"', c == '\'':
			return false
		}
	}
	return true
}

// appendDecimal appends m minor units with exp decimal places, as
// money.FormatMinor writes them, without allocating.
func appendDecimal(dst []byte, m uint64, exp int) []byte {
	var digits [24]byte
	d := strconv.AppendUint(digits[:0], m, 10)
	if exp == 0 {
		return append(dst, d...)
	}
	for len(d) <= exp { // at least one digit before the point
		d = append([]byte{'0'}, d...)
	}
	dst = append(dst, d[:len(d)-exp]...)
	dst = append(dst, '.')
	return append(dst, d[len(d)-exp:]...)
}

// appendDate appends d as YYYY-MM-DD (checked to be a real date).
func appendDate(dst []byte, d formats.Date) []byte {
	dst = appendPadded(dst, d.Year, 4)
	dst = append(dst, '-')
	dst = appendPadded(dst, int(d.Month), 2)
	dst = append(dst, '-')
	return appendPadded(dst, d.Day, 2)
}

func appendPadded(dst []byte, v, width int) []byte {
	var buf [8]byte
	s := strconv.AppendInt(buf[:0], int64(v), 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// dateLeaf writes <name>YYYY-MM-DD</name>.
func (x *xw) dateLeaf(name string, d formats.Date) {
	x.num = appendDate(x.num[:0], d)
	x.rawLeaf(name, x.num)
}

// decimalLeaf writes <name Ccy="CCY">decimal</name>, or <name>decimal</name>
// when ccy is "" (the DecimalNumber sums).
func (x *xw) decimalLeaf(name, ccy string, m uint64, exp int) {
	x.num = appendDecimal(x.num[:0], m, exp)
	if ccy == "" {
		x.rawLeaf(name, x.num)
		return
	}
	x.indent()
	x.raw("<")
	x.raw(name)
	x.raw(` Ccy="`)
	x.raw(ccy)
	x.raw(`">`)
	x.rawBytes(x.num)
	x.raw("</")
	x.raw(name)
	x.raw(">\n")
}

func (x *xw) rawLeaf(name string, b []byte) {
	x.indent()
	x.raw("<")
	x.raw(name)
	x.raw(">")
	x.rawBytes(b)
	x.raw("</")
	x.raw(name)
	x.raw(">\n")
}

func (x *xw) rawBytes(b []byte) {
	if x.err == nil {
		_, x.err = x.w.Write(b)
	}
}
