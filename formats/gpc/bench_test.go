package gpc

import (
	"fmt"
	"io"
	"testing"

	"erpconnector/formats/statement"
)

func bigStatement(n int) *statement.Statement {
	s := czStatement()
	tmpl := s.Entries[0]
	s.Entries = make([]statement.Entry, n)
	sum := s.Opening.Minor
	for i := range s.Entries {
		e := tmpl
		e.ID = fmt.Sprint(1000000 + i)
		e.Minor = int64(i%5000 + 1)
		if i%3 == 0 {
			e.Minor = -e.Minor
		}
		s.Entries[i] = e
		sum += e.Minor
	}
	s.Closing.Minor = sum
	return s
}

func BenchmarkWrite100k(b *testing.B) {
	s := bigStatement(100000)
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, s, Options{InternalAccountFormat: true}); err != nil {
			b.Fatal(err)
		}
	}
}
