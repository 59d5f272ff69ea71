package mt940

import (
	"fmt"
	"io"
	"testing"

	"erpconnector/formats"
	"erpconnector/formats/statement"
)

// bigStatement has n entries of realistic size.
func bigStatement(n int) *statement.Statement {
	s := dkStatement()
	tmpl := s.Entries[0]
	s.Entries = make([]statement.Entry, n)
	sum := s.Opening.Minor
	for i := range s.Entries {
		e := tmpl
		e.ID = fmt.Sprintf("BI-%08d", i)
		e.EndToEndID = fmt.Sprintf("E2E-%d", i)
		e.Minor = int64(i%5000 + 1)
		if i%3 == 0 {
			e.Minor = -e.Minor
		}
		e.Counterparty = formats.Party{Name: "Ærø Købmandshandel & Søn"}
		s.Entries[i] = e
		sum += e.Minor
	}
	s.Closing.Minor = sum
	return s
}

func BenchmarkWrite100k(b *testing.B) {
	s := bigStatement(100000)
	for _, d := range []Dialect{DK, CZ} {
		b.Run(d.String(), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Write(io.Discard, s, Options{Dialect: d}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
