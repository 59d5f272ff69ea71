package csvpay

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/transform"

	"erpconnector/formats"
)

// Reader reads one CSV file, row by row. It implements formats.PaymentReader.
type Reader struct {
	c   *compiled
	raw *bufio.Reader
	cr  *csv.Reader

	problems formats.Problems
	batch    *formats.Batch

	started, done bool
	lineOffset    int // physical lines dropped by skip_rows
	lastLine      int // last file line read, for end-of-file problems

	cols      [numFields]int // 0-based column of each field, -1 when unmapped
	labels    [numFields]string
	byColumn  map[int][]field // for naming the field of a broken CSV cell
	width     int             // expected columns per row; 0 until known
	widthFrom string

	footer  []row // look-ahead for skip_footer_rows
	rows    int   // data rows read, footer included
	payment int   // payments returned
}

type row struct {
	rec  []string
	line int
}

// NewReader returns a reader of the CSV file r laid out as m says. It fails
// (wrapping ErrMapping) when m.Check reports problems; it reads nothing until
// the first call to Next.
func NewReader(r io.Reader, m *Mapping) (*Reader, error) {
	if m == nil {
		return nil, fmt.Errorf("%w: no mapping", ErrMapping)
	}
	if errs := m.Check(); len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrMapping, errors.Join(errs...))
	}
	c, err := compile(m)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMapping, err)
	}
	rd := &Reader{
		c:     c,
		raw:   bufio.NewReaderSize(r, 64<<10),
		batch: &formats.Batch{ID: "CSV"},
	}
	for f := range numFields {
		rd.cols[f] = -1
		if col, ok := m.Columns[fieldNames[f]]; ok {
			rd.labels[f] = fieldNames[f] + " (column " + col.String() + ")"
			if col.Index > 0 {
				rd.cols[f] = col.Index - 1
			}
		} else {
			rd.labels[f] = fieldNames[f]
		}
	}
	return rd, nil
}

// Problems returns the problems found so far; they are complete after Next
// has returned io.EOF.
func (r *Reader) Problems() *formats.Problems { return &r.problems }

// Next returns the next payment or io.EOF. Any other error is an I/O error of
// the underlying reader.
func (r *Reader) Next() (*formats.Payment, error) {
	if !r.started {
		r.started = true
		if err := r.start(); err != nil {
			r.done = true
			return nil, err
		}
	}
	for !r.done {
		rec, line, err := r.readRow()
		if err == io.EOF {
			r.done = true
			r.checkFooter()
			if r.rows <= r.c.m.SkipFooterRows {
				r.addf(max(r.lastLine, 1), "", "the file has no payment rows")
			}
			break
		}
		if err != nil {
			r.done = true
			return nil, err
		}
		r.rows++
		if n := r.c.m.SkipFooterRows; n > 0 {
			r.footer = append(r.footer, row{rec: append([]string(nil), rec...), line: line})
			if len(r.footer) <= n {
				continue
			}
			next := r.footer[0]
			copy(r.footer, r.footer[1:])
			r.footer = r.footer[:n]
			rec, line = next.rec, next.line
		}
		return r.build(rec, line), nil
	}
	return nil, io.EOF
}

func (r *Reader) addf(line int, fieldLabel, format string, args ...any) {
	r.problems.Add(formats.Pos{Line: line}, fieldLabel, format, args...)
}

// start checks the byte-order mark, decodes, skips the preamble and reads
// the header. Problems that make the file unreadable set r.done.
func (r *Reader) start() error {
	head, err := r.raw.Peek(3)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return fmt.Errorf("reading CSV: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		if r.c.enc.enc == nil {
			_, _ = r.raw.Discard(3)
		} else {
			// Declared and actual encodings disagree (field-lessons.md §4); the text would be garbled.
			r.addf(1, "", "the file starts with a UTF-8 byte order mark but the mapping says encoding = %q", r.c.enc.name)
		}
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		r.addf(1, "", "the file is UTF-16; export it as UTF-8 or as the 8-bit code page the mapping names")
		r.done = true
		return nil
	}
	var text io.Reader = r.raw
	if r.c.enc.enc != nil {
		text = transform.NewReader(r.raw, r.c.enc.enc.NewDecoder())
	}
	br := bufio.NewReaderSize(text, 64<<10)
	for range r.c.m.SkipRows {
		if err := skipLine(br); err == io.EOF {
			break
		} else if err != nil {
			return fmt.Errorf("reading CSV: %w", err)
		}
		r.lineOffset++
	}
	r.lastLine = r.lineOffset
	r.cr = csv.NewReader(br)
	r.cr.Comma = r.c.delim
	r.cr.FieldsPerRecord = -1
	r.cr.ReuseRecord = true
	r.cr.LazyQuotes = false
	if r.c.m.Header {
		return r.readHeader()
	}
	r.indexColumns()
	return nil
}

func skipLine(br *bufio.Reader) error {
	for {
		_, err := br.ReadSlice('\n')
		if err != bufio.ErrBufferFull {
			return err
		}
	}
}

// readRow returns the next non-blank row with its file line, turning CSV
// syntax errors into problems.
func (r *Reader) readRow() ([]string, int, error) {
	for {
		rec, err := r.cr.Read()
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			r.lastLine = r.lineOffset + pe.Line
			label := fmt.Sprintf("column %d", len(rec)+1)
			if fs := r.byColumn[len(rec)]; len(fs) > 0 {
				label = r.labels[fs[0]]
			}
			r.addf(r.lineOffset+pe.StartLine, label, "%s", parseErrorMsg(pe, r.lineOffset))
			continue
		case err == io.EOF:
			return nil, 0, io.EOF
		case err != nil:
			return nil, 0, fmt.Errorf("reading CSV line %d: %w", r.lastLine+1, err)
		}
		if len(rec) > 0 {
			r.lastLine = r.lineOffset + r.fieldLine(len(rec)-1)
		}
		if isBlank(rec) {
			continue
		}
		return rec, r.lineOffset + r.fieldLine(0), nil
	}
}

func (r *Reader) fieldLine(i int) int {
	l, _ := r.cr.FieldPos(i)
	return l
}

// parseErrorMsg explains a CSV syntax error; the problem's position is the
// line where the row starts, so a quote left open names where it broke.
func parseErrorMsg(pe *csv.ParseError, lineOffset int) string {
	msg := pe.Err.Error() + quoteHint(pe.Err)
	if pe.Line != pe.StartLine {
		msg += fmt.Sprintf("; the row starts here and breaks on line %d", lineOffset+pe.Line)
	}
	return msg
}

func quoteHint(err error) string {
	if errors.Is(err, csv.ErrBareQuote) || errors.Is(err, csv.ErrQuote) {
		return ` (a value containing " must be quoted, with each " doubled)`
	}
	return ""
}

func isBlank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// checkFooter makes sure the rows dropped as footer are footers: without a
// marker, a file whose ERP left the total row out would lose its last payment.
func (r *Reader) checkFooter() {
	marker := strings.TrimSpace(r.c.m.FooterMarker)
	if marker == "" {
		return
	}
	for _, f := range r.footer {
		first := ""
		for _, cell := range f.rec {
			if first = strings.TrimSpace(cell); first != "" {
				break
			}
		}
		if !strings.HasPrefix(strings.ToLower(first), strings.ToLower(marker)) {
			r.addf(f.line, "row", "should be the footer starting with %q (skip_footer_rows = %d) but starts with %q; it was not read as a payment",
				marker, r.c.m.SkipFooterRows, first)
		}
	}
}
