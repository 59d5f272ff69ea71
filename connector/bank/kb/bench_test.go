package kb

import (
	"context"
	"net/http"
	"testing"
)

func BenchmarkParseResponse(b *testing.B) {
	body, s := []byte(okBody()), specSent()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseResponse(body, s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSubmit is one whole call against a local server: headers, body,
// answer, checks.
func BenchmarkSubmit(b *testing.B) {
	rec := newRecorder(b, jsonReply(200, okBody()))
	c := &Client{BaseURL: rec.url, HTTP: &http.Client{}, Tokens: &fakeTokens{tokens: []string{"t"}}}
	s := specSent()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Submit(context.Background(), s); err != nil {
			b.Fatal(err)
		}
	}
}
