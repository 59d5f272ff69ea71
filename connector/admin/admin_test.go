package admin

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// recorder remembers the actions the handler performed.
type recorder struct {
	mu       sync.Mutex
	retried  []string
	resolved []string
}

func (rc *recorder) actions() Actions {
	return Actions{
		Retry: func(id string) error {
			rc.mu.Lock()
			defer rc.mu.Unlock()
			if id == "F999999" {
				return errors.New("no such file")
			}
			rc.retried = append(rc.retried, id)
			return nil
		},
		Resolve: func(target string, submitted bool, who string) ([]string, error) {
			rc.mu.Lock()
			defer rc.mu.Unlock()
			rc.resolved = append(rc.resolved, target)
			return []string{"bi/BBB"}, nil
		},
	}
}

func (rc *recorder) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.retried) + len(rc.resolved)
}

var tokenRE = regexp.MustCompile(`name="erpconnector-token" content="([0-9a-f]{64})"`)

func pageToken(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := tokenRE.FindSubmatch(b)
	if m == nil {
		t.Fatalf("page has no CSRF token:\n%s", b)
	}
	return string(m[1])
}

func TestActionGuard(t *testing.T) {
	rc := &recorder{}
	srv := httptest.NewServer(Handler(newStore(t), rc.actions()))
	defer srv.Close()
	tok := pageToken(t, srv.URL)

	tests := []struct {
		name    string
		method  string
		path    string
		ctype   string
		token   string
		origin  string
		body    string
		want    int
		counted bool
	}{
		{"retry ok", "POST", "/api/retry", "application/json", tok, "", `{"file":"F000002"}`, 200, true},
		{"resolve ok", "POST", "/api/resolve", "application/json", tok, "", `{"target":"F000003","submitted":true,"who":"t"}`, 200, true},
		{"charset param ok", "POST", "/api/retry", "application/json; charset=utf-8", tok, "", `{"file":"F000002"}`, 200, true},
		{"same origin ok", "POST", "/api/retry", "application/json", tok, srv.URL, `{"file":"F000002"}`, 200, true},
		{"GET refused", "GET", "/api/retry", "application/json", tok, "", ``, 405, false},
		{"form post refused", "POST", "/api/retry", "application/x-www-form-urlencoded", tok, "", `file=F000002`, 415, false},
		{"text/plain refused", "POST", "/api/resolve", "text/plain", tok, "", `{"target":"F000003","submitted":true}`, 415, false},
		{"no token", "POST", "/api/retry", "application/json", "", "", `{"file":"F000002"}`, 403, false},
		{"wrong token", "POST", "/api/retry", "application/json", strings.Repeat("0", 64), "", `{"file":"F000002"}`, 403, false},
		{"cross origin", "POST", "/api/retry", "application/json", tok, "http://evil.example", `{"file":"F000002"}`, 403, false},
		{"empty file", "POST", "/api/retry", "application/json", tok, "", `{"file":""}`, 400, false},
		{"unknown field", "POST", "/api/retry", "application/json", tok, "", `{"file":"F000002","all":true}`, 400, false},
		{"trailing data", "POST", "/api/retry", "application/json", tok, "", `{"file":"F000002"} {"file":"F000001"}`, 400, false},
		{"resolve without submitted", "POST", "/api/resolve", "application/json", tok, "", `{"target":"F000003"}`, 400, false},
		{"retry error", "POST", "/api/retry", "application/json", tok, "", `{"file":"F999999"}`, 409, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := rc.count()
			req, _ := http.NewRequest(tc.method, srv.URL+tc.path, strings.NewReader(tc.body))
			req.Header.Set("Content-Type", tc.ctype)
			if tc.token != "" {
				req.Header.Set(CSRFHeader, tc.token)
			}
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.want, b)
			}
			if got := rc.count() > before; got != tc.counted {
				t.Fatalf("action performed = %v, want %v", got, tc.counted)
			}
		})
	}
}

// serveAs calls the handler as if the connection came in on local.
func serveAs(h http.Handler, local string, req *http.Request) *httptest.ResponseRecorder {
	addr, _ := net.ResolveTCPAddr("tcp", local)
	req = req.WithContext(context.WithValue(req.Context(), http.LocalAddrContextKey, addr))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

func TestBearerOnNonLoopback(t *testing.T) {
	st := newStore(t)
	for _, tc := range []struct {
		name, adminToken, local, host, bearer string
		want                                  int
	}{
		{"loopback, no token configured", "", "127.0.0.1:8750", "127.0.0.1:8750", "", 200},
		{"non-loopback, no token configured", "", "192.0.2.10:8750", "192.0.2.10:8750", "", 403},
		{"non-loopback, no bearer", "s3cret", "192.0.2.10:8750", "192.0.2.10:8750", "", 401},
		{"non-loopback, wrong bearer", "s3cret", "192.0.2.10:8750", "192.0.2.10:8750", "wrong", 401},
		{"non-loopback, bearer", "s3cret", "192.0.2.10:8750", "192.0.2.10:8750", "s3cret", 200},
		{"loopback, token configured, no bearer", "s3cret", "127.0.0.1:8750", "localhost:8750", "", 401},
		{"loopback, token configured, bearer", "s3cret", "[::1]:8750", "[::1]:8750", "s3cret", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := &recorder{}
			act := rc.actions()
			act.AdminToken = tc.adminToken
			h := Handler(st, act)
			pw := serveAs(h, tc.local, httptest.NewRequest("GET", "http://"+tc.host+"/", nil))
			m := tokenRE.FindStringSubmatch(pw.Body.String())
			if m == nil {
				t.Fatalf("no token in page (%d)", pw.Code)
			}
			if needs := strings.Contains(pw.Body.String(), `id="bearer"`); needs != (tc.adminToken != "" || !strings.HasPrefix(tc.local, "127.") && !strings.HasPrefix(tc.local, "[::1]")) {
				t.Errorf("page asks for the admin token = %v", needs)
			}
			req := httptest.NewRequest("POST", "http://"+tc.host+"/api/retry", strings.NewReader(`{"file":"F000002"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set(CSRFHeader, m[1])
			if tc.bearer != "" {
				req.Header.Set("Authorization", "Bearer "+tc.bearer)
			}
			w := serveAs(h, tc.local, req)
			if w.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.want, w.Body)
			}
			if (len(rc.retried) == 1) != (tc.want == 200) {
				t.Fatalf("retried %v", rc.retried)
			}
		})
	}
}

func TestHostCheckBlocksRebinding(t *testing.T) {
	h := Handler(newStore(t), Actions{})
	for host, want := range map[string]int{
		"127.0.0.1:8750":     200,
		"localhost:8750":     200,
		"localhost.:8750":    200,
		"[::1]:8750":         200,
		"evil.example:8750":  421,
		"127.0.0.1.nip.io":   421,
		"attacker.localhost": 200, // resolves to loopback by RFC 6761, never to a foreign site
	} {
		w := serveAs(h, "127.0.0.1:8750", httptest.NewRequest("GET", "http://"+host+"/api/status", nil))
		if w.Code != want {
			t.Errorf("Host %s: %d, want %d", host, w.Code, want)
		}
	}
}

func TestPageHeadersAndEscaping(t *testing.T) {
	srv := httptest.NewServer(Handler(newStore(t), Actions{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("page lacks %s", h)
		}
	}
	if strings.Contains(string(b), "<b>pay</b>") {
		t.Error("file name reached the page unescaped")
	}
	for _, ext := range []string{"src=\"http", "href=\"http", "@import"} {
		if strings.Contains(string(b), ext) {
			t.Errorf("page loads an external asset (%s)", ext)
		}
	}
	if r, _ := http.Get(srv.URL + "/nope"); r.StatusCode != 404 {
		t.Errorf("/nope: %d", r.StatusCode)
	}
}

func TestStatusAPI(t *testing.T) {
	act := Actions{
		Health: func() []BankHealth { return []BankHealth{{Bank: "kb", Authorized: true, ExpiresSoon: true}} },
		Routes: func() []Route { return []Route{{Name: "kb-out", Bank: "kb", Format: "pain.001"}} },
	}
	srv := httptest.NewServer(Handler(newStore(t), act))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s Status
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	if s.Source != "daemon" || len(s.Files) != 3 || s.Files[0].ID != "F000003" || len(s.Banks) != 1 || len(s.Routes) != 1 || len(s.Statements) != 1 {
		t.Fatalf("status: %+v", s)
	}
	if got := s.Files[2].PaymentStates["awaiting-authorisation"]; got != 1 {
		t.Errorf("F000001 awaiting = %d", got)
	}
	if q := s.Files[0].Requests; len(q) != 1 || q[0].State != "unknown" {
		t.Errorf("F000003 requests = %+v", q)
	}
}

func TestPostActionClient(t *testing.T) {
	rc := &recorder{}
	act := rc.actions()
	srv := httptest.NewServer(Handler(newStore(t), act))
	defer srv.Close()
	resp, err := PostAction(srv.Client(), srv.URL, "/api/resolve", map[string]any{"target": "F000003", "submitted": false, "who": "cli"}, "")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "bi/BBB") || len(rc.resolved) != 1 {
		t.Fatalf("%d %s %v", resp.StatusCode, b, rc.resolved)
	}
}
