package pain001

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// MaxTokenBytes bounds one XML token (a text, a tag, a comment). encoding/xml
// buffers a whole token before returning it, so without this bound a hostile
// file with one endless text node would exhaust memory.
const MaxTokenBytes = 1 << 20

// MaxDepth bounds element nesting. A real pain.001 is about 12 levels deep.
const MaxDepth = 64

// errTokenTooLarge is returned by input when one token exceeds MaxTokenBytes.
var errTokenTooLarge = errors.New("token too large")

// input is the byte source under the XML decoder. It buffers like bufio, skips
// a UTF-8 byte order mark, and counts the bytes read since the last token so
// that one token can never grow beyond MaxTokenBytes.
type input struct {
	src   io.Reader
	buf   []byte
	r, w  int
	err   error
	count int // bytes handed out since resetCount
	limit int
}

const inputBufSize = 64 << 10

func newInput(src io.Reader) *input {
	return &input{src: src, buf: make([]byte, inputBufSize), limit: MaxTokenBytes}
}

func (in *input) fill() {
	if in.err != nil {
		return
	}
	if in.r > 0 {
		n := copy(in.buf, in.buf[in.r:in.w])
		in.r, in.w = 0, n
	}
	if in.w == len(in.buf) {
		return // full of unread bytes
	}
	for tries := 0; tries < 100; tries++ {
		n, err := in.src.Read(in.buf[in.w:])
		in.w += n
		if err != nil {
			in.err = err
			return
		}
		if n > 0 {
			return
		}
	}
	in.err = io.ErrNoProgress // a reader that keeps returning 0, nil
}

// peek returns up to n buffered bytes without consuming them.
func (in *input) peek(n int) []byte {
	for in.w-in.r < n && in.err == nil {
		in.fill()
	}
	return in.buf[in.r:min(in.w, in.r+n)]
}

func (in *input) ReadByte() (byte, error) {
	if in.r == in.w {
		in.fill()
		if in.r == in.w {
			return 0, in.err
		}
	}
	in.count++
	if in.count > in.limit {
		return 0, errTokenTooLarge
	}
	b := in.buf[in.r]
	in.r++
	return b, nil
}

// Read serves a CharsetReader that wraps the input.
func (in *input) Read(p []byte) (int, error) {
	if in.r == in.w {
		in.fill()
		if in.r == in.w {
			return 0, in.err
		}
	}
	n := copy(p, in.buf[in.r:in.w])
	in.r += n
	in.count += n
	if in.count > in.limit+len(in.buf) {
		// Decoded text reaches the decoder only through a read-ahead buffer, so
		// the raw count may run one buffer ahead of the token it belongs to.
		return n, errTokenTooLarge
	}
	return n, nil
}

func (in *input) resetCount() { in.count = 0 }

// byteOrderMark inspects the first bytes: it skips a UTF-8 BOM and reports
// UTF-16/32 marks, which this byte-oriented reader does not accept.
func (in *input) byteOrderMark() (utf16 string) {
	b := in.peek(4)
	switch {
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		in.r += 3
	case len(b) >= 4 && (string(b) == "\x00\x00\xFE\xFF" || string(b) == "\xFF\xFE\x00\x00"):
		return "UTF-32"
	case len(b) >= 2 && (b[0] == 0xFE && b[1] == 0xFF || b[0] == 0xFF && b[1] == 0xFE):
		return "UTF-16"
	}
	return ""
}

// charsetError is what charsetReader returns for a declared encoding it cannot
// decode; Reader turns it into a problem naming the encoding.
type charsetError struct {
	label string
	why   string
}

func (e *charsetError) Error() string { return fmt.Sprintf("encoding %q %s", e.label, e.why) }

// lookupEncoding resolves an XML encoding label. IANA names come first so that
// "ISO-8859-1" means exactly Latin-1; WHATWG (htmlindex) would silently read it
// as windows-1252. htmlindex then catches aliases IANA does not list.
func lookupEncoding(label string) (encoding.Encoding, string, error) {
	l := strings.ToLower(strings.TrimSpace(label))
	if strings.HasPrefix(l, "utf-16") || strings.HasPrefix(l, "utf-32") || l == "ucs-2" || l == "iso-10646-ucs-2" {
		return nil, "", &charsetError{label, "is a multi-byte encoding this reader does not accept; export as UTF-8"}
	}
	e, err := ianaindex.IANA.Encoding(label)
	if err != nil || e == nil {
		e, err = htmlindex.Get(label)
	}
	if err != nil || e == nil {
		return nil, "", &charsetError{label, "is not a known character encoding"}
	}
	name, _ := ianaindex.IANA.Name(e)
	if name == "" {
		name, _ = htmlindex.Name(e)
	}
	return e, name, nil
}
