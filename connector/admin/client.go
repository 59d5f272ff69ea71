package admin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// PostAction is how the CLI calls an action (path "/api/resolve" or
// "/api/retry") on a running daemon at base ("http://127.0.0.1:8750"): it
// fetches the per-process CSRF token first, then posts body as JSON.
// bearer is config admin.token ("" when none). The caller closes the body.
func PostAction(c *http.Client, base, path string, body any, bearer string) (*http.Response, error) {
	base = strings.TrimSuffix(base, "/")
	resp, err := c.Get(base + "/api/token")
	if err != nil {
		return nil, err
	}
	var tok struct {
		Token string `json:"token"`
	}
	err = json.NewDecoder(io.LimitReader(resp.Body, 1<<12)).Decode(&tok)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || err != nil || tok.Token == "" {
		return nil, fmt.Errorf("admin token from %s: HTTP %d: %v", base, resp.StatusCode, err)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(CSRFHeader, tok.Token)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return c.Do(req)
}
