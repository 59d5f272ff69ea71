//go:build !windows

package admin

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"erpconnector/connector/store"
	"erpconnector/internal/testenv"
)

// TestStatusPageInChromium loads the page in headless Chromium, driven over
// the DevTools protocol on --remote-debugging-pipe (fd 3 in, fd 4 out,
// NUL-terminated JSON: no websocket needed). It checks that the page shows
// a file's state, follows a state change in the store by itself, and that
// its Retry button reaches Actions.Retry; then it saves a screenshot.
func TestStatusPageInChromium(t *testing.T) {
	bin := testenv.Tool(t, "chromium")
	st := newStore(t)
	retried := make(chan string, 1)
	act := Actions{
		Retry: func(id string) error {
			// What the daemon does: take the file up again.
			err := st.Update(func(tx *store.Tx) error {
				f, err := tx.File(id)
				if err != nil {
					return err
				}
				f.State = store.FilePlanned
				return tx.PutFile(f)
			})
			retried <- id
			return err
		},
		Routes: func() []Route {
			return []Route{{Name: "kb-out", Inbox: `C:\erp\out\kb`, Bank: "kb", Format: "pain.001"}}
		},
		Health: func() []BankHealth {
			return []BankHealth{{Bank: "kb", Authorized: true, ExpiresSoon: true, RefreshExpiry: time.Now().Add(48 * time.Hour)}}
		},
	}
	srv := httptest.NewServer(Handler(st, act))
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	cdp := startChromium(t, ctx, bin)

	var target struct{ TargetID string }
	cdp.call(t, "", "Target.createTarget", map[string]any{"url": srv.URL + "/"}, &target)
	var att struct{ SessionID string }
	cdp.call(t, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	eval := func(expr string) string {
		var res struct {
			Result struct {
				Value any `json:"value"`
			} `json:"result"`
			ExceptionDetails any `json:"exceptionDetails"`
		}
		cdp.call(t, att.SessionID, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true}, &res)
		if res.ExceptionDetails != nil {
			t.Fatalf("%s: %v", expr, res.ExceptionDetails)
		}
		return fmt.Sprint(res.Result.Value)
	}
	stateOf := func(id string) string {
		return eval(`(() => { const e = document.querySelector('tr[data-file="` + id + `"] .state'); return e ? e.textContent : "" })()`)
	}
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		for ctx.Err() == nil {
			if ok() {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("timed out waiting for %s; page text:\n%s", what, eval("document.body.innerText"))
	}

	// 1. The page loads and shows every file with its state.
	waitFor("F000002 rejected", func() bool { return stateOf("F000002") == "rejected" })
	if s := stateOf("F000001"); s != "planned" {
		t.Fatalf("F000001 shows %q", s)
	}
	text := eval("document.body.innerText")
	for _, want := range []string{
		"<b>pay</b>.xml",    // shown as text, not markup
		"bad.csv:3: amount", // problems
		"… and 2 more",      // more problems
		"12999.50 CZK",      // totals
		"erpconnector resolve --submitted F000003", // unknown-outcome hint
		"CZ6501000000001234567890",                 // statement block
		"HTTP 503",                                 // its last error
		"expires soon",                             // bank health
		`C:\erp\out\kb`,                            // route
	} {
		if !strings.Contains(text, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if n := eval(`document.querySelectorAll("td b").length`); n != "0" {
		t.Errorf("file name became markup: %s <b> elements", n)
	}
	if n := eval(`document.querySelectorAll('#awaiting tr[data-file], #awaiting tbody tr').length`); n != "1" {
		t.Errorf("awaiting authorisation rows = %s", n)
	}
	if n := eval(`document.querySelectorAll('tr[data-file="F000003"] button.resolve-submitted').length`); n != "1" {
		t.Errorf("no resolve button on the unknown file")
	}

	// 2. A state change in the store (a drop processed) shows without a reload.
	setState(t, st, "F000001", store.FileDone)
	waitFor("F000001 done", func() bool { return stateOf("F000001") == "done" })

	// 3. Retry through the page reaches the daemon, and the page follows.
	if got := eval(`(() => { const b = document.querySelector('tr[data-file="F000002"] button.retry'); if (!b) return "none"; b.click(); return "clicked" })()`); got != "clicked" {
		t.Fatalf("Retry button: %s", got)
	}
	select {
	case id := <-retried:
		if id != "F000002" {
			t.Fatalf("retried %s", id)
		}
	case <-ctx.Done():
		t.Fatalf("Retry never reached the handler; page says %q", eval(`document.getElementById("msg").textContent`))
	}
	waitFor("F000002 planned after retry", func() bool { return stateOf("F000002") == "planned" })
	if msg := eval(`document.getElementById("msg").textContent`); !strings.Contains(msg, "retried") {
		t.Errorf("page message after retry: %q", msg)
	}

	// 4. Screenshot, kept after the test for a person to look at.
	var shot struct{ Data string }
	cdp.call(t, att.SessionID, "Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true}, &shot)
	png, err := base64.StdEncoding.DecodeString(shot.Data)
	if err != nil || len(png) < 1000 {
		t.Fatalf("screenshot: %d bytes, %v", len(png), err)
	}
	dir := os.Getenv("ERPCONNECTOR_ARTIFACTS")
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, "erpconnector-admin-status.png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the status page: %s", path)
}

// cdp is a minimal DevTools protocol client over Chromium's debugging pipe.
type cdp struct {
	mu      sync.Mutex
	w       *os.File
	next    int
	pending map[int]chan json.RawMessage
	ctx     context.Context
}

func startChromium(t *testing.T, ctx context.Context, bin string) *cdp {
	t.Helper()
	inR, inW, err := os.Pipe() // we write, Chromium reads on fd 3
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe() // Chromium writes on fd 4
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--window-size=1280,1000", "--remote-debugging-pipe", "about:blank")
	cmd.ExtraFiles = []*os.File{inR, outW}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	inR.Close()
	outW.Close()
	t.Cleanup(func() {
		inW.Close() // Chromium exits when its pipe closes
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		outR.Close()
		if t.Failed() {
			t.Logf("chromium stderr:\n%s", stderr.String())
		}
	})
	c := &cdp{w: inW, pending: map[int]chan json.RawMessage{}, ctx: ctx}
	go func() {
		r := bufio.NewReader(outR)
		for {
			msg, err := r.ReadBytes(0)
			if err != nil {
				return
			}
			var m struct {
				ID int `json:"id"`
			}
			if json.Unmarshal(msg[:len(msg)-1], &m) != nil || m.ID == 0 {
				continue // an event
			}
			c.mu.Lock()
			ch := c.pending[m.ID]
			delete(c.pending, m.ID)
			c.mu.Unlock()
			if ch != nil {
				ch <- append(json.RawMessage(nil), msg[:len(msg)-1]...)
			}
		}
	}()
	return c
}

// call sends one command and decodes its result into out.
func (c *cdp) call(t *testing.T, session, method string, params any, out any) {
	t.Helper()
	c.mu.Lock()
	c.next++
	id := c.next
	ch := make(chan json.RawMessage, 1)
	c.pending[id] = ch
	c.mu.Unlock()
	req := map[string]any{"id": id, "method": method, "params": params}
	if session != "" {
		req["sessionId"] = session
	}
	b, _ := json.Marshal(req)
	if _, err := c.w.Write(append(b, 0)); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	select {
	case raw := <-ch:
		var resp struct {
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := json.Unmarshal(raw, &resp); err != nil {
			t.Fatalf("%s: %v", method, err)
		}
		if resp.Error != nil {
			t.Fatalf("%s: %s", method, resp.Error.Message)
		}
		if out != nil {
			if err := json.Unmarshal(resp.Result, out); err != nil {
				t.Fatalf("%s result: %v", method, err)
			}
		}
	case <-c.ctx.Done():
		t.Fatalf("%s: no answer from Chromium", method)
	}
}
