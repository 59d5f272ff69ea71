package pain001

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"

	"erpconnector/formats"
)

// scanner is the token layer: a RawToken loop that keeps its own element
// stack. RawToken is used instead of Token because Token translates every name
// space and keeps a second stack; the price is that this layer must check
// that end tags match and resolve the one name space that matters (the root's)
// itself. It also builds the element path for problems incrementally in one
// byte buffer, so a path string is only allocated when it is needed.
//
// "The current element" is the top of the stack. After an end tag it stays on
// the stack (closed) until the next token is read, so that callers can report
// problems against an element they have just finished.
type scanner struct {
	dec   *xml.Decoder
	in    *input
	probs *formats.Problems

	prefix string // the root element's name space prefix; ours
	ns     string // the root element's name space URI

	path   []byte
	marks  []int      // len(path) before each open element
	names  []xml.Name // open elements, raw (prefix:local)
	lines  []int      // start line of each open element
	closed bool       // the top element has ended; pop before the next token

	start xml.StartElement // the last start element read
	text  []byte           // reusable buffer for element text

	version  string // for hints about .03/.09 mix-ups
	hadChild bool   // the last value() met a child element

	charset string // the declared encoding when it is not UTF-8
	fatal   bool   // the XML cannot be read further
	ioErr   error  // a read error of the underlying reader: not a problem
	eof     bool   // clean end of input
}

// depth is the number of open elements, the current one included.
func (s *scanner) depth() int {
	if s.closed {
		return len(s.names) - 1
	}
	return len(s.names)
}

// name is the local name of the current element.
func (s *scanner) name() string { return s.names[len(s.names)-1].Local }

// pos is the current element's path and start line.
func (s *scanner) pos() formats.Pos {
	if len(s.lines) == 0 {
		if s.dec == nil {
			return formats.Pos{}
		}
		line, _ := s.dec.InputPos()
		return formats.Pos{Line: line, Path: string(s.path)}
	}
	return formats.Pos{Line: s.lines[len(s.lines)-1], Path: string(s.path)}
}

// parentPos is the path and start line of the current element's parent.
func (s *scanner) parentPos() formats.Pos {
	n := len(s.names)
	if n < 2 {
		return s.pos()
	}
	return formats.Pos{Line: s.lines[n-2], Path: string(s.path[:s.marks[n-1]])}
}

// childPos names a child of the current element that is not there, for
// "missing" problems: the path where it should be and the parent's line.
func (s *scanner) childPos(child string) formats.Pos {
	p := s.pos()
	p.Path += "/" + child
	return p
}

// line is the decoder's current line.
func (s *scanner) line() int {
	if s.dec == nil {
		return 1
	}
	l, _ := s.dec.InputPos()
	return l
}

// setIndex appends a 1-based index to the current element's path segment.
func (s *scanner) setIndex(n int) {
	s.path = append(s.path, '[')
	s.path = strconv.AppendInt(s.path, int64(n), 10)
	s.path = append(s.path, ']')
}

func (s *scanner) pop() {
	n := len(s.names) - 1
	s.path = s.path[:s.marks[n]]
	s.marks, s.names, s.lines = s.marks[:n], s.names[:n], s.lines[:n]
	s.closed = false
}

// stop records a problem that ends reading.
func (s *scanner) stop(pos formats.Pos, field, format string, args ...any) {
	if s.fatal {
		return
	}
	s.fatal = true
	s.probs.Add(pos, field, format, args...)
}

// tok returns the next start element, end element or text, or nil when the
// input cannot be read further (s.fatal, s.ioErr or s.eof is then set).
func (s *scanner) tok() xml.Token {
	for {
		if s.closed {
			s.pop()
		}
		if s.fatal || s.eof || s.ioErr != nil {
			return nil
		}
		s.in.resetCount()
		tok, err := s.dec.RawToken()
		if err != nil {
			s.fail(err)
			return nil
		}
		// Return tok, not t: re-boxing the concrete value would allocate a
		// second time per token.
		switch t := tok.(type) {
		case xml.StartElement:
			if len(s.names) >= MaxDepth {
				s.stop(formats.Pos{Line: s.line(), Path: string(s.path)}, "", "elements nested deeper than %d levels; this is not a payment file", MaxDepth)
				return nil
			}
			s.marks = append(s.marks, len(s.path))
			s.path = append(s.path, '/')
			s.path = append(s.path, t.Name.Local...)
			s.names = append(s.names, t.Name)
			s.lines = append(s.lines, s.line())
			s.start = t
			if len(s.names) > 1 {
				s.checkNamespaceDecl(t)
			}
			return tok
		case xml.EndElement:
			if len(s.names) == 0 {
				s.stop(formats.Pos{Line: s.line()}, "", "closing tag </%s> without an opening tag", rawName(t.Name))
				return nil
			}
			if top := s.names[len(s.names)-1]; top != t.Name {
				s.stop(formats.Pos{Line: s.line(), Path: string(s.path)}, "", "element <%s> is closed by </%s>: the XML is malformed", rawName(top), rawName(t.Name))
				return nil
			}
			s.closed = true
			return tok
		case xml.CharData:
			return tok
		case xml.Directive:
			s.stop(formats.Pos{Line: s.line(), Path: string(s.path)}, "", "DTD not allowed: the file contains <!%s>; DOCTYPE and entity declarations are refused", clip(string(t), 40))
			return nil
		}
		// Comments and processing instructions carry no payment data. The XML
		// declaration was already acted on by the decoder (CharsetReader).
	}
}

func rawName(n xml.Name) string {
	if n.Space != "" {
		return n.Space + ":" + n.Local
	}
	return n.Local
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// fail turns a decoder error into a problem (or an I/O error).
func (s *scanner) fail(err error) {
	pos := formats.Pos{Line: s.line(), Path: string(s.path)}
	var syn *xml.SyntaxError
	var cs *charsetError
	switch {
	case err == io.EOF:
		if len(s.names) > 0 && !(len(s.names) == 1 && s.closed) {
			s.stop(pos, "", "the file ends inside <%s>: the XML is truncated (unexpected end of file)", s.name())
			return
		}
		s.eof = true
	case errors.Is(err, errTokenTooLarge):
		s.stop(pos, "", "a single XML token (text, tag or comment) is longer than %d bytes; refusing to read further", MaxTokenBytes)
	case errors.As(err, &cs):
		s.stop(pos, "encoding", "%s", cs.Error())
	case errors.As(err, &syn):
		pos.Line = syn.Line
		if syn.Msg == "unexpected EOF" {
			s.stop(pos, "", "the XML is truncated (unexpected end of file)")
			return
		}
		s.stop(pos, "", "XML syntax error: %s", syn.Msg)
	case s.in.err != nil && s.in.err != io.EOF && errors.Is(err, s.in.err):
		s.ioErr = err
		s.fatal = true
	default:
		s.stop(pos, "", "XML error: %v", err)
	}
}

// checkNamespaceDecl refuses a redeclaration of our name space prefix to some
// other URI below the root: the elements would then not be pain.001 elements.
func (s *scanner) checkNamespaceDecl(t xml.StartElement) {
	for _, a := range t.Attr {
		decl := (s.prefix == "" && a.Name.Space == "" && a.Name.Local == "xmlns") ||
			(s.prefix != "" && a.Name.Space == "xmlns" && a.Name.Local == s.prefix)
		if decl && a.Value != s.ns {
			s.probs.Add(s.pos(), t.Name.Local, "redeclares the name space to %q; every element must be in %s", a.Value, s.ns)
		}
	}
}

// ours reports whether the current element is in the document's name space.
func (s *scanner) ours() bool { return s.start.Name.Space == s.prefix }

// child advances to the next child element of the element at depth d (the
// current element when the loop starts) and returns true with that child
// current; it returns false when the element at depth d has ended. A child
// the caller did not read is skipped here, which is how elements are ignored.
// Text directly inside an element that has only child elements is a problem.
func (s *scanner) child(d int) bool {
	for {
		t := s.tok()
		if t == nil {
			return false
		}
		switch t := t.(type) {
		case xml.StartElement:
			if len(s.names) == d+1 {
				if !s.ours() {
					s.probs.Add(s.pos(), rawName(t.Name), "element is not in the pain.001 name space %s", s.ns)
					continue
				}
				return true
			}
		case xml.EndElement:
			if len(s.names) == d {
				return false
			}
		case xml.CharData:
			if len(s.names) == d && len(bytes.TrimSpace(t)) > 0 {
				s.probs.Add(s.pos(), s.name(), "unexpected text %q: this element holds only other elements", clip(string(bytes.TrimSpace(t)), 40))
			}
		}
	}
}

// value reads the text of the current element up to its end tag and returns
// it without leading and trailing white space (pretty-printers add it; no
// pain.001 value means it). A child element inside is a problem.
func (s *scanner) value() string {
	d := s.depth()
	s.text = s.text[:0]
	s.hadChild = false
	for {
		t := s.tok()
		if t == nil {
			return ""
		}
		switch t := t.(type) {
		case xml.StartElement:
			if len(s.names) == d+1 {
				s.hadChild = true
				msg := "unexpected element inside <%s>, which holds a value"
				if hint := versionHint(s.version, t.Name.Local); hint != "" {
					msg += ": " + hint
				}
				s.probs.Add(s.pos(), t.Name.Local, msg, s.names[d-1].Local)
			}
		case xml.EndElement:
			if len(s.names) == d {
				v := string(bytes.TrimSpace(s.text))
				if s.charset != "" && bytes.ContainsRune(s.text, '\uFFFD') {
					s.probs.Add(s.pos(), s.name(), "contains a byte that is not a character in the declared encoding %s", s.charset)
				}
				return v
			}
		case xml.CharData:
			if len(s.names) == d {
				s.text = append(s.text, t...)
			}
		}
	}
}

// attr returns an unqualified attribute of the current element.
func (s *scanner) attr(local string) (string, bool) {
	for _, a := range s.start.Attr {
		if a.Name.Space == "" && a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}
