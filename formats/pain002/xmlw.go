package pain002

import (
	"bufio"
	"encoding/xml"
	"io"
)

// xw writes indented XML straight to a buffered writer, so that a report of
// any size is written without building a tree. The first write error sticks
// and turns every later call into a no-op; Write reports it at the end.
type xw struct {
	w       *bufio.Writer
	depth   int
	scratch []byte
	err     error
}

func newXW(w io.Writer) *xw { return &xw{w: bufio.NewWriterSize(w, 64<<10)} }

func (x *xw) raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

// spaces is enough indentation for the deepest element we write (depth 9).
const spaces = "                                        "

func (x *xw) indent() { x.raw(spaces[:min(2*x.depth, len(spaces))]) }

// text writes s escaped by encoding/xml, which also replaces anything XML
// 1.0 cannot carry with U+FFFD (callers clean first, so that never happens).
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

// amount writes <name Ccy="CCY">decimal</name>.
func (x *xw) amount(name, ccy, dec string) {
	x.indent()
	x.raw("<")
	x.raw(name)
	x.raw(` Ccy="`)
	x.text(ccy)
	x.raw(`">`)
	x.raw(dec)
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
