package csvpay

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// readHeader reads the header row and resolves header names to positions. A
// header that cannot be read, or that lacks a mapped column, ends the file:
// every row would be misread.
func (r *Reader) readHeader() error {
	var rec []string
	for {
		var err error
		rec, err = r.cr.Read()
		var pe *csv.ParseError
		switch {
		case errors.As(err, &pe):
			r.addf(r.lineOffset+pe.StartLine, "header", "%s", parseErrorMsg(pe, r.lineOffset))
			r.done = true
			return nil
		case err == io.EOF:
			r.addf(max(r.lineOffset, 1), "header", "the file is empty: no header row")
			r.done = true
			return nil
		case err != nil:
			return fmt.Errorf("reading CSV header: %w", err)
		}
		if !isBlank(rec) {
			break
		}
	}
	line := r.lineOffset + r.fieldLine(0)
	r.lastLine = line
	names := make([]string, len(rec))
	for i, h := range rec {
		names[i] = strings.TrimSpace(h)
	}
	r.width, r.widthFrom = len(names), "the header"
	for f := range numFields {
		col, ok := r.c.m.Columns[fieldNames[f]]
		if !ok || col.Name == "" {
			continue
		}
		idx, err := findColumn(names, strings.TrimSpace(col.Name))
		if err != nil {
			r.addf(line, r.labels[f], "%v", err)
			r.done = true
			continue
		}
		r.cols[f] = idx
	}
	r.indexColumns()
	return nil
}

// findColumn matches exactly first, then ignoring case, and refuses a name
// that matches twice.
func findColumn(names []string, want string) (int, error) {
	for _, eq := range []func(a, b string) bool{
		func(a, b string) bool { return a == b },
		strings.EqualFold,
	} {
		found := -1
		for i, n := range names {
			if !eq(n, want) {
				continue
			}
			if found >= 0 {
				return 0, fmt.Errorf("the header has %q twice (columns %d and %d)", want, found+1, i+1)
			}
			found = i
		}
		if found >= 0 {
			return found, nil
		}
	}
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return 0, fmt.Errorf("the header has no column %q (it has %s)", want, strings.Join(quoted, ", "))
}

// indexColumns records which fields each column feeds, to name the field of a
// cell that breaks the CSV syntax.
func (r *Reader) indexColumns() {
	r.byColumn = make(map[int][]field)
	for f := range numFields {
		if c := r.cols[f]; c >= 0 {
			r.byColumn[c] = append(r.byColumn[c], field(f))
		}
	}
}
