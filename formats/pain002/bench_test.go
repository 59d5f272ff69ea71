package pain002

import (
	"fmt"
	"io"
	"testing"

	"erpconnector/formats"
	"erpconnector/formats/money"
	"erpconnector/formats/status"
	"erpconnector/formats/status/statustest"
)

// bigReport is a file of n payments in batches of 1000, in mixed states.
func bigReport(n int) *status.Report {
	r := statustest.Base(status.Pending)
	states := []status.State{status.Booked, status.Pending, status.AwaitingAuthorisation, status.Rejected}
	r.Payments = make([]status.Payment, n)
	for i := range r.Payments {
		r.Payments[i] = status.Payment{
			Index:           i,
			BatchID:         fmt.Sprintf("PMT-%04d", i/1000),
			InstructionID:   fmt.Sprintf("INV-%08d", i),
			EndToEndID:      fmt.Sprintf("E2E-%08d", i),
			Amount:          money.Amount{Minor: int64(i%100000 + 1), Currency: "CZK"},
			RequestedDate:   formats.Date{Year: 2026, Month: 6, Day: 15},
			CreditorName:    "Dodavatel č. " + fmt.Sprint(i),
			CreditorAccount: "CZ6508000000192000145399",
			State:           states[i%len(states)],
			BankReference:   fmt.Sprintf("KB%09d", i),
			Updated:         statustest.Updated,
		}
		if r.Payments[i].State == status.Rejected {
			r.Payments[i].Reason = status.Reason{Code: "AC04", Text: "Closed account number"}
		}
	}
	r.State = status.Summarise(r.Payments)
	return r
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// BenchmarkWrite100k writes a 100,000-payment status report.
func BenchmarkWrite100k(b *testing.B) {
	r := bigReport(100_000)
	for _, v := range []Version{V03, V10} {
		b.Run(v.String(), func(b *testing.B) {
			var c countWriter
			if err := Write(&c, r, v); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(c.n)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				if err := Write(io.Discard, r, v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
