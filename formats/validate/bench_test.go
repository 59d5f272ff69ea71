package validate

import "testing"

func BenchmarkPayment(b *testing.B) {
	r := rules()
	for b.Loop() {
		p := czPayment()
		if ps := Payment(p, r); len(ps) != 0 {
			b.Fatal(ps)
		}
	}
}
