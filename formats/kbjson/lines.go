package kbjson

import (
	"bufio"
	"bytes"
	"io"
)

// lineReader sits between the input and json.Decoder and turns the decoder's
// byte offsets into line numbers. The decoder reads ahead, so the bytes it has
// taken but not yet passed are kept until a line number is asked for; queries
// must not go backwards, which holds because the reader asks in file order.
type lineReader struct {
	r       *bufio.Reader
	started bool
	pending []byte // bytes from base on, not yet counted
	base    int64
	line    int   // line number at base
	total   int64 // bytes handed to the decoder
	err     error // first error of the underlying reader other than io.EOF
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReader(r), line: 1}
}

func (l *lineReader) Read(p []byte) (int, error) {
	if !l.started {
		l.started = true
		// A UTF-8 byte order mark, as Windows tools write, is not JSON.
		if bom, _ := l.r.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
			l.r.Discard(3)
		}
	}
	n, err := l.r.Read(p)
	l.pending = append(l.pending, p[:n]...)
	l.total += int64(n)
	if err != nil && err != io.EOF && l.err == nil {
		l.err = err
	}
	return n, err
}

// lineAt is the 1-based line of the byte at offset off of the decoder's input.
func (l *lineReader) lineAt(off int64) int {
	if off <= l.base {
		return l.line
	}
	n := min(off-l.base, int64(len(l.pending)))
	l.line += bytes.Count(l.pending[:n], []byte{'\n'})
	l.pending = l.pending[n:]
	l.base += n
	return l.line
}
