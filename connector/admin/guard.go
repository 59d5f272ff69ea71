package admin

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// CSRFHeader carries the per-process token that the status page embeds and
// GET /api/token returns. A cross-site page can neither read it (no CORS
// headers are ever sent) nor send a custom header without a CORS preflight,
// so a forged form or fetch is refused.
const CSRFHeader = "X-Erpconnector-Token"

// guard holds the endpoint's secrets. The CSRF token is random per process:
// a page from an earlier run of the daemon has to be reloaded.
type guard struct {
	csrf  string
	admin string // bearer token from config; "" = none configured
}

func newGuard(adminToken string) *guard {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand panics on a broken source)
	return &guard{csrf: hex.EncodeToString(b), admin: adminToken}
}

// action wraps a state-changing handler. Refusals, in order:
//   - 415 unless Content-Type is application/json (HTML forms cannot send it);
//   - 403 unless X-Erpconnector-Token equals the process token;
//   - 403 when an Origin header names another origin than the Host;
//   - 401 unless Authorization: Bearer <admin token> when the request came in
//     on a non-loopback address, or whenever an admin token is configured;
//     with no token configured a non-loopback address can take no action.
func (g *guard) action(next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if mt, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";"); !strings.EqualFold(strings.TrimSpace(mt), "application/json") {
			http.Error(w, "Content-Type application/json required", http.StatusUnsupportedMediaType)
			return
		}
		if !equal(r.Header.Get(CSRFHeader), g.csrf) {
			http.Error(w, "missing or stale "+CSRFHeader+" (reload the status page, or GET /api/token)", http.StatusForbidden)
			return
		}
		if o := r.Header.Get("Origin"); o != "" {
			if u, err := url.Parse(o); err != nil || !strings.EqualFold(u.Host, r.Host) {
				http.Error(w, "cross-origin request refused", http.StatusForbidden)
				return
			}
		}
		if g.admin != "" || !loopbackConn(r) {
			if g.admin == "" {
				http.Error(w, "actions on a non-loopback address need admin.token in the config", http.StatusForbidden)
				return
			}
			bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if !ok || !equal(bearer, g.admin) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="erpconnector"`)
				http.Error(w, "Authorization: Bearer <admin token> required", http.StatusUnauthorized)
				return
			}
		}
		next(w, r)
	})
}

// hostCheck refuses, on a loopback connection, a Host header that is not a
// loopback name: that is DNS rebinding, where a foreign site's name resolves
// to 127.0.0.1 and the browser treats the endpoint as that site's origin
// (and would let it read the page and its token).
func (g *guard) hostCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if loopbackConn(r) && !loopbackHost(r.Host) {
			http.Error(w, "Host must be a loopback name on a loopback address", http.StatusMisdirectedRequest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func equal(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// loopbackConn reports whether the request arrived on a loopback address of
// this machine. Without the server's local address (a handler called
// directly) it is not trusted as loopback.
func loopbackConn(r *http.Request) bool {
	a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return false
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func loopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
