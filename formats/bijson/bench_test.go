package bijson

import (
	"bytes"
	"io"
	"strconv"
	"testing"

	"erpconnector/formats"
)

// benchPayments are n payments of mixed kinds, as a large ERP run has them.
func benchPayments(n int) []*formats.Payment {
	ps := make([]*formats.Payment, n)
	for i := range ps {
		p := basePayment()
		p.Index, p.InstructionID = i, "INV-"+strconv.Itoa(i)
		switch i % 3 {
		case 1:
			p.CreditorAccount = formats.Account{}
			p.Remittance.FIK = &formats.FIK{Type: "71", PaymentID: "000100017156728", Creditor: "81234567"}
		case 2:
			p.Remittance.Unstructured = "Faktura 2025-0012 og 2025-0013 samt kreditnota 2025-0002, tak for samarbejdet"
			p.Creditor = formats.Party{Name: "Peter Hansen", Street: "Per Gøgls Vej", BuildingNo: "54", PostCode: "1234", Town: "Gødstrup"}
		}
		ps[i] = p
	}
	return ps
}

// BenchmarkEncode100k encodes 100,000 payments into 200 requests.
func BenchmarkEncode100k(b *testing.B) {
	ps := benchPayments(100_000)
	b.ReportAllocs()
	var size int
	for b.Loop() {
		e := NewEncoder(testSource, DefaultOptions("MyERP"))
		for _, p := range ps {
			if probs := e.Add(p); probs != nil {
				b.Fatal(probs)
			}
		}
		size = 0
		for _, r := range e.Requests() {
			size += len(r.Body)
		}
	}
	b.ReportMetric(float64(size), "body-bytes")
}

// BenchmarkRead100k reads a 100,000-transaction passthrough body.
func BenchmarkRead100k(b *testing.B) {
	e := NewEncoder(testSource, Options{MaxTransactions: 100_000})
	for _, p := range benchPayments(100_000) {
		e.Add(p)
	}
	body := e.Requests()[0].Body
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(bytes.NewReader(body), routeDebtor)
		n := 0
		for {
			_, err := r.Next()
			if err == io.EOF {
				break
			}
			n++
		}
		if n != 100_000 || r.Problems().Len() != 0 {
			b.Fatalf("%d payments, %v", n, r.Problems().List()[:1])
		}
	}
}
