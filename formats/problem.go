package formats

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with an input file, precise enough for the person
// who fixes the ERP export: where, which field, what is wrong.
type Problem struct {
	Pos   Pos
	Field string // the field as the format names it ("IBAN", "amount", "VS", "NbOfTxs")
	Msg   string
}

// Format renders "FILE:LINE: field: problem" or "FILE:/Document/...: field: problem".
func (p Problem) Format(file string) string {
	var b strings.Builder
	b.WriteString(file)
	if w := p.Pos.String(); w != "0" && w != "" {
		b.WriteByte(':')
		b.WriteString(w)
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

func (p Problem) String() string { return p.Format("") }

// MaxProblems bounds the problems kept for one file so that a broken file of a
// million lines cannot exhaust memory; the rest are counted.
const MaxProblems = 1000

// Problems collects the problems of one file. The zero value is ready to use.
type Problems struct {
	list    []Problem
	dropped int
}

// Add records a problem.
func (ps *Problems) Add(pos Pos, field, format string, args ...any) {
	if len(ps.list) >= MaxProblems {
		ps.dropped++
		return
	}
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	ps.list = append(ps.list, Problem{Pos: pos, Field: field, Msg: msg})
}

// Append records problems found elsewhere.
func (ps *Problems) Append(more ...Problem) {
	for _, p := range more {
		ps.Add(p.Pos, p.Field, "%s", p.Msg)
	}
}

// List is the problems kept, in the order found.
func (ps *Problems) List() []Problem { return ps.list }

// Dropped is how many problems were found beyond MaxProblems.
func (ps *Problems) Dropped() int { return ps.dropped }

// Len is the number of problems found, kept or not.
func (ps *Problems) Len() int { return len(ps.list) + ps.dropped }

// PaymentReader is what every input format's reader provides. Next returns
// the next payment, or io.EOF at the end. Payments are returned even when they
// have problems, with unparseable fields left at their zero value, so that one
// pass finds every problem in the file. A problem never stops Next except where
// the file cannot be read further (broken XML); then Next returns io.EOF. Any
// other error is an I/O error of the underlying reader. Problems are complete
// only after io.EOF; a file with any problem must not be submitted.
type PaymentReader interface {
	Next() (*Payment, error)
	Problems() *Problems
}

// Merge appends every problem of o, keeping its count of dropped problems.
func (ps *Problems) Merge(o *Problems) {
	ps.Append(o.list...)
	ps.dropped += o.dropped
}
