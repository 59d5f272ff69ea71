package stmtcsv

import (
	"fmt"
	"io"
	"testing"

	"erpconnector/formats/statement"
)

func BenchmarkWrite100k(b *testing.B) {
	s := sample()
	tmpl := s.Entries[0]
	s.Entries = make([]statement.Entry, 100000)
	sum := s.Opening.Minor
	for i := range s.Entries {
		e := tmpl
		e.ID = fmt.Sprint(i)
		e.Minor = int64(i%5000 + 1)
		if i%3 == 0 {
			e.Minor = -e.Minor
		}
		s.Entries[i] = e
		sum += e.Minor
	}
	s.Closing.Minor = sum
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, s, Options{Header: true}); err != nil {
			b.Fatal(err)
		}
	}
}
