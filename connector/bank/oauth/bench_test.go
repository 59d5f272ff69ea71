package oauth

import (
	"context"
	"testing"
)

// BenchmarkTokenCached is the hot path: every bank request asks for a token.
func BenchmarkTokenCached(b *testing.B) {
	bank, clk := newBank(b), newClock()
	p := &recPersist{}
	rt := bank.issueRefresh()
	enc, _ := encodeState(state{RefreshToken: rt})
	p.data = enc
	s := newSource(bank, clk, p)
	if _, err := s.Token(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := s.Token(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkParseTokenResponse(b *testing.B) {
	body := []byte(`{"access_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.` + b64(`{"iat":1781589600,"exp":1781589780,"scope":["adaa","bpisp"]}`) +
		`.c2lnbmF0dXJl","scope":"adaa bpisp","token_type":"Bearer","expires_in":179}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseTokenResponse(body); err != nil {
			b.Fatal(err)
		}
	}
}
