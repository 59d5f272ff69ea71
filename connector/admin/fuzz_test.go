package admin

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzActionBody posts arbitrary bodies with a valid CSRF token: the handler
// must never panic, answer only with its documented codes, and perform an
// action only for a well-formed request naming a target.
func FuzzActionBody(f *testing.F) {
	for _, s := range []string{
		`{"file":"F000002"}`, `{"target":"F000003","submitted":false,"who":"x"}`, `{"file":""}`, `{}`, `[]`, `null`,
		`{"file":"F000002"}{"file":"F1"}`, `{"file":1}`, `{"target":"x","submitted":"yes"}`, `{"file":"\u0000<script>"}`,
		strings.Repeat(`{"file":`, 100), `{"file":"F000002","extra":1}`,
	} {
		f.Add("/api/retry", s)
		f.Add("/api/resolve", s)
	}
	st := newStore(f)
	rc := &recorder{}
	h := Handler(st, rc.actions())
	tok := tokenRE.FindStringSubmatch(serveAs(h, "127.0.0.1:1", httptest.NewRequest("GET", "http://127.0.0.1:1/", nil)).Body.String())[1]
	f.Fuzz(func(t *testing.T, path, body string) {
		if path != "/api/retry" && path != "/api/resolve" {
			return
		}
		before := rc.count() // 0: cleared after every run
		req := httptest.NewRequest("POST", "http://127.0.0.1:1"+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(CSRFHeader, tok)
		w := serveAs(h, "127.0.0.1:1", req)
		acted := rc.count() > before
		switch w.Code {
		case http.StatusOK:
			if !acted {
				t.Fatalf("200 without an action for %q", body)
			}
		case http.StatusBadRequest, http.StatusConflict:
			if acted && w.Code == http.StatusBadRequest {
				t.Fatalf("action performed on a bad request %q", body)
			}
		default:
			t.Fatalf("unexpected status %d for %q", w.Code, body)
		}
		rc.mu.Lock()
		defer rc.mu.Unlock()
		for _, ids := range [][]string{rc.retried, rc.resolved} {
			if len(ids) > 0 && ids[len(ids)-1] == "" {
				t.Fatalf("action with an empty target from %q", body)
			}
		}
		// Keep memory flat over millions of runs.
		rc.retried, rc.resolved = rc.retried[:0], rc.resolved[:0]
	})
}
