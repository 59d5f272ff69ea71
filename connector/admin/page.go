package admin

import (
	_ "embed"
	"html/template"
	"net/http"
)

//go:embed page.html
var pageHTML string

// page is the status page: self-contained (no external assets), rendered by
// a little vanilla JS from /api/status every 2 s. html/template escapes what
// the server embeds; the script builds the DOM with textContent only.
var page = template.Must(template.New("page").Parse(pageHTML))

func pageHandler(g *guard) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-store")
		// The page embeds the CSRF token: no framing, no foreign scripts.
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; frame-ancestors 'none'; form-action 'none'; base-uri 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		page.Execute(w, struct {
			Token      string
			NeedBearer bool
		}{g.csrf, g.admin != "" || !loopbackConn(r)})
	})
}
