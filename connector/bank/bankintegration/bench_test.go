package bankintegration

import (
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParseStatement reads a 1,000-entry statement.
func BenchmarkParseStatement(b *testing.B) {
	var sb strings.Builder
	sb.WriteString(`{"account":"52470021527478","requestId":"R","currency":"DKK","from":"2015-05-01T00:00:00","to":"2015-05-31T00:00:00","entries":[`)
	bal := int64(1000000)
	for i := 0; i < 1000; i++ {
		amt := int64(-(i%97 + 1) * 101)
		if i%3 == 0 {
			amt = -amt * 2
		}
		bal += amt
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"id":"%010d","sequence":%d,"date":{"booking":"2015-05-21T00:00:00","value":"2015-05-21T00:00:00"},"amount":%d.%02d,"balance":%d.%02d,"text":"Overførsel","creditor":{"name":"Lev ApS"},"creditorAccount":"80790000820049","transactionCodes":{"domain":"PMNT","family":"ICDT","subFamily":"DMCT"}}`,
			i+1, i+1, amt/100, abs(amt%100), bal/100, bal%100)
	}
	sb.WriteString(`]}`)
	body := []byte(sb.String())
	if _, err := ParseStatement(body); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := ParseStatement(body); err != nil {
			b.Fatal(err)
		}
	}
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
