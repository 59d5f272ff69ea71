// Package xmlw writes indented XML straight to a buffered writer, so that a
// document of any length (a pain.002 for 100,000 payments, a camt.053 of a
// year) is written without building a tree. The first write error sticks and
// turns every later call into a no-op; Flush reports it.
package xmlw

import (
	"bufio"
	"encoding/xml"
	"io"
)

// Writer is the streaming writer. Element names are the caller's constants;
// text is escaped.
type Writer struct {
	w       *bufio.Writer
	depth   int
	scratch []byte
	err     error
}

// New writes to w through a 64 KiB buffer.
func New(w io.Writer) *Writer { return &Writer{w: bufio.NewWriterSize(w, 64<<10)} }

// Raw writes s as it is.
func (x *Writer) Raw(s string) {
	if x.err == nil {
		_, x.err = x.w.WriteString(s)
	}
}

// RawBytes writes b as it is.
func (x *Writer) RawBytes(b []byte) {
	if x.err == nil {
		_, x.err = x.w.Write(b)
	}
}

const spaces = "                                                            "

// Indent writes two spaces per open element.
func (x *Writer) Indent() { x.Raw(spaces[:min(2*x.depth, len(spaces))]) }

// Enter counts an element the caller opened by hand (the root with its
// namespace), so that what follows is indented under it.
func (x *Writer) Enter() { x.depth++ }

// Text writes s escaped. Callers clean text first, so the escaper never has
// to replace a character XML 1.0 cannot carry.
func (x *Writer) Text(s string) {
	if x.err != nil {
		return
	}
	if Plain(s) {
		_, x.err = x.w.WriteString(s)
		return
	}
	x.scratch = append(x.scratch[:0], s...)
	x.err = xml.EscapeText(x.w, x.scratch)
}

// Open writes <name> on its own line and indents what follows.
func (x *Writer) Open(name string) {
	x.Indent()
	x.Raw("<")
	x.Raw(name)
	x.Raw(">\n")
	x.depth++
}

// Close writes </name>.
func (x *Writer) Close(name string) {
	x.depth--
	x.Indent()
	x.Raw("</")
	x.Raw(name)
	x.Raw(">\n")
}

// Leaf writes <name>text</name> with text escaped.
func (x *Writer) Leaf(name, text string) {
	x.Indent()
	x.Raw("<")
	x.Raw(name)
	x.Raw(">")
	x.Text(text)
	x.Raw("</")
	x.Raw(name)
	x.Raw(">\n")
}

// RawLeaf writes <name>b</name> with b as it is (digits, dates).
func (x *Writer) RawLeaf(name string, b []byte) {
	x.Indent()
	x.Raw("<")
	x.Raw(name)
	x.Raw(">")
	x.RawBytes(b)
	x.Raw("</")
	x.Raw(name)
	x.Raw(">\n")
}

// Flush writes what is buffered and returns the first error met.
func (x *Writer) Flush() error {
	if x.err == nil {
		x.err = x.w.Flush()
	}
	return x.err
}

// Plain reports whether s is printable ASCII that needs no escaping: the
// common case of IDs, codes and dates, written without the escaper.
func Plain(s string) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7F, c == '&', c == '<', c == '>', c == '"', c == '\'':
			return false
		}
	}
	return true
}
