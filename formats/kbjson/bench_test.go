package kbjson

import (
	"bytes"
	"io"
	"testing"
)

// BenchmarkEncode100k encodes a file of 100 000 payments (two debtors, two
// currencies) into requests; MB/s is of request body output.
func BenchmarkEncode100k(b *testing.B) {
	ps := manyPayments(b, 100_000, []string{"19-2000145399", "2198370339"}, []string{"CZK", "EUR"})
	src := testSource("bench")
	var out int64
	for _, r := range encodeAll(b, src, Options{}, ps) {
		out += int64(len(r.Body))
	}
	b.SetBytes(out)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		e := NewEncoder(src, Options{})
		for _, p := range ps {
			if probs := e.Add(p); probs != nil {
				b.Fatal(probs)
			}
		}
		if n := len(e.Requests()); n != 1000 {
			b.Fatalf("%d requests", n)
		}
	}
}

// BenchmarkRead10k reads a passthrough body of 10 000 items; MB/s is of input.
func BenchmarkRead10k(b *testing.B) {
	ps := manyPayments(b, 10_000, []string{"19-2000145399"}, []string{"CZK"})
	reqs := encodeAll(b, testSource("bench"), Options{MaxItems: 10_000}, ps)
	body := reqs[0].Body
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		r := NewReader(bytes.NewReader(body))
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			n++
		}
		if n != 10_000 || r.Problems().Len() != 0 {
			b.Fatalf("%d payments, %d problems", n, r.Problems().Len())
		}
	}
}
