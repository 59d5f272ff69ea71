package csvpay

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"golang.org/x/text/encoding/charmap"
)

// benchFile is n rows in the danish-erp layout, every third one a FIK payment.
func benchFile(b *testing.B, n int, cp1252 bool) []byte {
	var buf bytes.Buffer
	buf.WriteString("Bilagsnr.;Fra konto;Til konto;BIC;Beløb;Valuta;Betalingsdato;Modtager;Tekst til modtager;Egen tekst;Reference;FIK\r\n")
	for i := range n {
		to, fik := "DK50 0040 0440 1162 43", ""
		switch i % 3 {
		case 1:
			to = "1551 0003456789"
		case 2:
			to, fik = "", "+71<000100017156728+85432109<"
		}
		fmt.Fprintf(&buf, "%d;5301 0000245768;%s;;%d.%03d,%02d;DKK;15-03-2026;Søren Ærø ApS;Faktura %d;Husleje;E2E-%d;%s\r\n",
			100000+i, to, 1+i%97, i%1000, i%100, i, i, fik)
	}
	buf.WriteString("I alt;;;;1,00;DKK;;;;;;\r\n")
	if !cp1252 {
		return buf.Bytes()
	}
	out, err := charmap.Windows1252.NewEncoder().Bytes(buf.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	return out
}

func BenchmarkReader100k(b *testing.B) {
	for _, cp := range []bool{true, false} {
		name := "windows-1252"
		if !cp {
			name = "utf-8"
		}
		b.Run(name, func(b *testing.B) {
			m := loadMapping(b, "testdata/danish-erp.toml")
			if !cp {
				m.Encoding = "utf-8"
			}
			const rows = 100_000
			data := benchFile(b, rows, cp)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				r, err := NewReader(bytes.NewReader(data), m)
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for {
					_, err := r.Next()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != rows || r.Problems().Len() != 0 {
					b.Fatalf("%d payments, problems %v", n, r.Problems().List()[:min(3, r.Problems().Len())])
				}
			}
			b.ReportMetric(float64(rows), "rows/op")
		})
	}
}
