package bijson

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// MaxValueBytes bounds one transaction (or any other top-level value but the
// transactions array): json.Decoder buffers a whole value before decoding
// it, so without a bound one endless string would exhaust memory. A real
// transaction is well under 2 KiB.
const MaxValueBytes = 1 << 20

// maxRead bounds one Read handed to the decoder, so that a limit is never
// overshot by more than the decoder needs.
const maxRead = 64 << 10

var errValueTooLarge = errors.New("value too large")

// input sits under the json.Decoder: it skips a UTF-8 byte order mark,
// records where the newlines are (so that a decoder offset can be turned
// into a line number), enforces MaxValueBytes from a mark, and keeps the
// underlying reader's own error apart from the decoder's syntax errors.
type input struct {
	r      *bufio.Reader
	bomOK  bool
	off    int64   // bytes handed to the decoder so far (after the BOM)
	nl     []int64 // offsets of newlines not yet passed by lineAt
	head   int
	base   int   // newlines before nl[head]
	limit  int64 // no byte at or past this offset is handed out
	ioErr  error // the underlying reader's first error other than io.EOF
	tooBig bool
}

func newInput(r io.Reader) *input {
	return &input{r: bufio.NewReaderSize(r, maxRead), limit: MaxValueBytes}
}

func (in *input) Read(p []byte) (int, error) {
	if !in.bomOK {
		in.bomOK = true
		if b, err := in.r.Peek(3); err == nil && bytes.Equal(b, []byte("\xef\xbb\xbf")) {
			in.r.Discard(3)
		}
	}
	if len(p) > maxRead {
		p = p[:maxRead]
	}
	if in.off >= in.limit {
		in.tooBig = true
		return 0, errValueTooLarge
	}
	p = p[:min(int64(len(p)), in.limit-in.off)]
	n, err := in.r.Read(p)
	for i, c := range p[:n] {
		if c == '\n' {
			in.nl = append(in.nl, in.off+int64(i))
		}
	}
	in.off += int64(n)
	if err != nil && err != io.EOF && in.ioErr == nil {
		in.ioErr = err
	}
	return n, err
}

// lineAt is the 1-based line of the byte at off. Calls must not go back:
// the newlines before an earlier query are forgotten.
func (in *input) lineAt(off int64) int {
	for in.head < len(in.nl) && in.nl[in.head] < off {
		in.head++
		in.base++
	}
	if in.head > 1024 && in.head*2 > len(in.nl) {
		in.nl = append(in.nl[:0], in.nl[in.head:]...)
		in.head = 0
	}
	return in.base + 1
}

// mark allows the next token or value to take MaxValueBytes from off.
func (in *input) mark(off int64) { in.limit = off + MaxValueBytes }
