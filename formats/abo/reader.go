package abo

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"erpconnector/formats"
)

var _ formats.PaymentReader = (*Reader)(nil)

// Options configure a Reader.
type Options struct {
	// Encoding of the file; the zero value is Windows-1250.
	Encoding Encoding
	// NoUTF8Check turns off the problem raised when a file read as
	// Windows-1250 or CP852 contains UTF-8 encoded Czech letters (see
	// utf8Letter). Only for a bank whose real files trip it.
	NoUTF8Check bool
}

// maxLineBytes bounds one line. KPC records are at most a few hundred bytes
// (a 140-character message plus the numeric fields); the bound keeps a
// corrupt file without line ends from being read into memory whole.
const maxLineBytes = 4096

// maxTokens is how many space-separated fields before the message a line
// may have and still be reported field by field (a single-order item has 6).
const maxTokens = 8

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// Reader reads payments from a KPC file. It implements formats.PaymentReader
// and holds only the current line and the open group, so memory does not
// grow with the file.
type Reader struct {
	opts  Options
	br    *bufio.Reader
	probs formats.Problems

	line int   // number of the line being handled, 1-based
	eof  bool  // the underlying reader is exhausted
	done bool  // Next returns io.EOF from now on
	err  error // sticky I/O error

	started      bool // a non-blank record was seen
	records      int  // non-blank records seen
	sawUHL1      bool
	interval     interval
	accFiles     int
	acc          *accFile // open accounting file, nil outside
	grp          *group   // open group, nil outside
	afterEnd     bool     // the last record was "5 +"
	groups       int
	index        int
	total        int64 // haléře of all payments returned so far
	totalBad     bool
	utf8Reported bool

	tok [maxTokens]string
}

// interval is the UHL1 accounting-file interval that record-1 sequence
// numbers must fall into.
type interval struct {
	ok         bool
	start, end int
	line       int
}

type accFile struct {
	line     int
	bank     string // bank code of the payer's bank, "" when unreadable
	priority formats.Priority
}

type itemForm int

const (
	formUnknown itemForm = iota
	formBulk             // payer in the group header
	formSingle           // payer in each item
)

type group struct {
	batch    *formats.Batch
	line     int
	form     itemForm
	debtor   formats.Account // bulk form only
	date     formats.Date
	declared int64
	sum      int64
	sumOK    bool // declared sum read and every item amount read without overflow
	items    int
}

// NewReader returns a Reader of r. It reads r line by line as Next is called.
func NewReader(r io.Reader, opts Options) *Reader {
	return &Reader{opts: opts, br: bufio.NewReaderSize(r, maxLineBytes)}
}

// Problems are the problems found so far; complete after Next returned io.EOF.
func (r *Reader) Problems() *formats.Problems { return &r.probs }

// Next returns the next payment order, or io.EOF after the last one. Payments
// with problems are returned too, with unreadable fields left at their zero
// value. Any other error comes from the underlying reader.
func (r *Reader) Next() (*formats.Payment, error) {
	for {
		if r.err != nil {
			return nil, r.err
		}
		if r.done {
			return nil, io.EOF
		}
		raw, tooLong, ok, err := r.readLine()
		if err != nil {
			r.err = fmt.Errorf("abo: reading line %d: %w", r.line+1, err)
			return nil, r.err
		}
		if !ok {
			r.finish()
			r.done = true
			return nil, io.EOF
		}
		if p := r.handle(raw, tooLong); p != nil {
			return p, nil
		}
	}
}

// readLine returns the next line with its line end, or ok=false at the end.
// The slice is valid until the next call.
func (r *Reader) readLine() (raw []byte, tooLong, ok bool, err error) {
	if r.eof {
		return nil, false, false, nil
	}
	raw, err = r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		tooLong, raw = true, nil
		for err == bufio.ErrBufferFull {
			_, err = r.br.ReadSlice('\n')
		}
	}
	if err == io.EOF {
		r.eof, err = true, nil
		if len(raw) == 0 && !tooLong {
			return nil, false, false, nil
		}
	}
	if err != nil {
		return nil, false, false, err
	}
	if len(raw) > maxLineBytes { // a caller's larger bufio.Reader is reused as is
		tooLong = true
	}
	r.line++
	return raw, tooLong, true, nil
}

func (r *Reader) add(line int, field, format string, args ...any) {
	r.probs.Add(formats.Pos{Line: line}, field, format, args...)
}

// handle processes one line and returns a payment if the line was an item.
func (r *Reader) handle(raw []byte, tooLong bool) *formats.Payment {
	if r.line == 1 {
		raw = r.checkBOM(raw)
		if r.done {
			return nil
		}
	}
	if tooLong {
		r.started = true
		r.add(r.line, "line", "the line is longer than %d bytes; a KPC record is at most a few hundred (is this a KPC file?)", maxLineBytes)
		return nil
	}
	raw = bytes.TrimSuffix(raw, []byte{'\n'})
	raw = bytes.TrimSuffix(raw, []byte{'\r'})
	s := r.decodeLine(raw)
	r.checkControl(s)
	rec := strings.TrimRight(s, " ")
	if rec == "" {
		return nil
	}
	r.records++
	if !r.started {
		r.started = true
		if !strings.HasPrefix(rec, "UHL1") {
			r.add(r.line, "UHL1", "the file must start with a UHL1 header, found %q", clip(rec))
		}
	}
	if strings.HasPrefix(rec, "UHL1") {
		r.afterEnd = false
		r.readUHL1(rec)
		return nil
	}
	toks, total, tail := r.split(rec)
	first := ""
	if len(toks) > 0 {
		first = toks[0]
	}
	if r.afterEnd {
		r.afterEnd = false
		if first != "1" {
			r.add(r.line, "record 5", "only blank lines or a new accounting file (\"1 …\") may follow \"5 +\", found %q", clip(rec))
			return nil
		}
	}
	// A Czech account number has at least two digits, so an item never
	// starts with a one-character token: the record type is unambiguous.
	switch first {
	case "1":
		r.accHeader(toks, total, tail, rec)
	case "2":
		r.groupHeader(toks, total, tail, rec)
	case "3", "3+":
		r.groupEnd(toks, total, tail, rec)
	case "5", "5+":
		r.accEnd(toks, total, tail, rec)
	default:
		return r.item(toks, total, tail)
	}
	return nil
}

// checkBOM strips a UTF-8 byte-order mark and reports one that contradicts
// the configured encoding. A UTF-16 file cannot be read at all.
func (r *Reader) checkBOM(raw []byte) []byte {
	switch {
	case bytes.HasPrefix(raw, bomUTF8):
		if r.opts.Encoding != UTF8 {
			r.utf8Reported = true
			r.add(1, "encoding", "the file starts with a UTF-8 byte-order mark, but it is read as %s: set the folder's encoding to utf-8", r.opts.Encoding)
		}
		return raw[len(bomUTF8):]
	case bytes.HasPrefix(raw, bomUTF16LE), bytes.HasPrefix(raw, bomUTF16BE):
		r.started = true
		r.done = true
		r.add(1, "encoding", "the file is UTF-16 (it starts with a UTF-16 byte-order mark); a KPC file must be windows-1250, cp852 or utf-8")
	}
	return raw
}

// checkControl reports the first control character of a line: it would pass
// into a payee's message, and CR alone means a file with old Mac line ends.
func (r *Reader) checkControl(s string) {
	col := 0
	for _, c := range s {
		col++
		if c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) {
			r.add(r.line, "line", "control character U+%04X at column %d", c, col)
			return
		}
	}
}

// split cuts a record into space-separated tokens up to the message, which
// starts with the first token beginning "AV:" or "NP:". Runs of spaces count
// as one separator, so an empty SS written as two spaces is simply absent.
// At most maxTokens tokens are kept; total counts them all.
func (r *Reader) split(s string) (toks []string, total int, tail string) {
	n, i := 0, 0
	for i < len(s) {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i == len(s) {
			break
		}
		if strings.HasPrefix(s[i:], "AV:") || strings.HasPrefix(s[i:], "NP:") {
			tail = s[i:]
			break
		}
		j := i
		for j < len(s) && s[j] != ' ' {
			j++
		}
		if n < maxTokens {
			r.tok[n] = s[i:j]
			n++
		}
		total++
		i = j
	}
	return r.tok[:n], total, tail
}

// clip shortens a record for quoting in a message.
func clip(s string) string {
	const max = 60
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

// finish reports what the end of the file leaves open.
func (r *Reader) finish() {
	if !r.started {
		r.add(1, "UHL1", "the file is empty; a KPC file starts with a UHL1 header")
		return
	}
	end := fmt.Sprintf("the file ends at line %d", r.line)
	if r.grp != nil {
		r.closeGroup(end)
	}
	switch {
	case r.acc != nil:
		r.add(r.acc.line, "record 5", "the accounting file is not closed by \"5 +\" (%s)", end)
		r.acc = nil
	case r.accFiles == 0:
		r.add(r.line, "record 1", "the file has no accounting file header (\"1 …\"), so it holds no payments")
	}
}
