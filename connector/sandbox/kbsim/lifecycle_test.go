package kbsim

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func (h *harness) accept(tok, exchangeID, body string) string {
	h.t.Helper()
	r := h.submit(tok, exchangeID, body)
	if r.Code != 200 {
		h.t.Fatalf("submit %s: %d %s", exchangeID, r.Code, r.Body)
	}
	var resp BatchResponse
	json.Unmarshal(r.Body, &resp)
	return resp.TransactionIdentification
}

func itemStates(b LedgerBatch) string {
	var s []string
	for _, it := range b.Items {
		s = append(s, it.State)
	}
	return strings.Join(s, ",")
}

func TestSignAndBook(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.login(testClient, testSecret, "").AccessToken
	today := h.accept(tok, "LC-1", specBody)
	later := h.accept(tok, "LC-2", strings.ReplaceAll(specBody, "2026-06-16", "2026-06-18"))

	var b LedgerBatch
	if code := h.control("POST", "/_sim/sign", map[string]string{"batch": today}, &b); code != 200 ||
		b.SignState != SignClose || b.State != BatchWaiting || itemStates(b) != "scheduled,scheduled" {
		t.Fatalf("sign: %d %+v", code, b)
	}
	if code := h.control("POST", "/_sim/sign", map[string]string{"batch": today}, nil); code != 409 {
		t.Errorf("second signature: %d", code)
	}
	if code := h.control("POST", "/_sim/sign", map[string]string{"batch": "NOSUCHBATC"}, nil); code != 404 {
		t.Errorf("unknown batch: %d", code)
	}
	if _, err := h.srv.Sign(later); err != nil {
		t.Fatal(err)
	}
	h.advance(10 * time.Second) // ProcessAfter
	h.control("GET", "/_sim/batch/"+today, nil, &b)
	if b.State != BatchProcessed || itemStates(b) != "booked,booked" || b.Items[0].BookingDate != "2026-06-16" ||
		!b.Items[0].BookedAt.Equal(testStart.Add(10*time.Second)) {
		t.Fatalf("after processing: %+v", b)
	}
	// Items of a later execution date wait for that date in Prague (00:00 CEST = 22:00 UTC the day before).
	lb, _ := h.srv.Batch(later)
	if lb.State != BatchProcessed || itemStates(lb) != "scheduled,scheduled" {
		t.Fatalf("later batch: %+v", lb)
	}
	h.advance(time.Date(2026, 6, 17, 22, 0, 0, 0, time.UTC).Sub(h.srv.Now()) - time.Second)
	if lb, _ = h.srv.Batch(later); itemStates(lb) != "scheduled,scheduled" {
		t.Fatalf("booked early: %+v", lb)
	}
	h.advance(time.Second)
	if lb, _ = h.srv.Batch(later); itemStates(lb) != "booked,booked" || lb.Items[1].BookingDate != "2026-06-18" {
		t.Fatalf("not booked on its date: %+v", lb.Items)
	}
	if code := h.control("GET", "/_sim/batch/NOSUCHBATC", nil, nil); code != 404 {
		t.Errorf("GET unknown batch: %d", code)
	}
}

func TestRejectFlows(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.login(testClient, testSecret, "").AccessToken
	open := h.accept(tok, "RJ-1", specBody)
	var b LedgerBatch
	if code := h.control("POST", "/_sim/reject", map[string]any{"batch": open}, &b); code != 200 ||
		b.SignState != SignReject || b.State != BatchDeleted || itemStates(b) != "cancelled,cancelled" {
		t.Fatalf("reject: %d %+v", code, b)
	}
	if code := h.control("POST", "/_sim/sign", map[string]string{"batch": open}, nil); code != 409 {
		t.Errorf("signing a rejected batch: %d", code)
	}
	if code := h.control("POST", "/_sim/reject", map[string]any{"batch": open}, nil); code != 409 {
		t.Errorf("rejecting twice: %d", code)
	}

	// Signed but not yet processed (AU) can still be deleted; processed (PR) cannot.
	waiting := h.accept(tok, "RJ-2", specBody)
	h.srv.Sign(waiting)
	if code := h.control("POST", "/_sim/reject", map[string]any{"batch": waiting}, nil); code != 200 {
		t.Errorf("reject AU: %d", code)
	}
	done := h.accept(tok, "RJ-3", strings.ReplaceAll(specBody, "2026-06-16", "2026-06-20"))
	h.srv.Sign(done)
	h.advance(time.Minute)
	if code := h.control("POST", "/_sim/reject", map[string]any{"batch": done}, nil); code != 409 {
		t.Errorf("reject PR: %d", code)
	}
	// The bank refuses one scheduled payment in processing.
	if code := h.control("POST", "/_sim/reject", map[string]any{"batch": done, "items": []string{"RENT202606"}}, &b); code != 200 ||
		itemStates(b) != "scheduled,rejected" || b.Items[1].RejectCode != DefaultItemRejectCode {
		t.Fatalf("item reject: %d %+v", code, b)
	}
	if code := h.control("POST", "/_sim/reject", map[string]any{"batch": done, "items": []string{"NOPE"}}, nil); code != 404 {
		t.Errorf("unknown item: %d", code)
	}
	h.advance(5 * 24 * time.Hour)
	b, _ = h.srv.Batch(done)
	if itemStates(b) != "booked,rejected" {
		t.Errorf("final: %s", itemStates(b))
	}
	if _, err := h.srv.Reject(done, []string{"INV2026001"}, "AC04"); err == nil {
		t.Error("rejected a booked payment")
	}
	// A rejection prepared before signing shows once the batch is signed.
	pre := h.accept(h.login(testClient, testSecret, "").AccessToken, "RJ-4", strings.ReplaceAll(specBody, "2026-06-16", "2026-06-21"))
	if _, err := h.srv.Reject(pre, []string{"INV2026001"}, "AC04"); err != nil {
		t.Fatal(err)
	}
	h.srv.Sign(pre)
	h.advance(time.Minute)
	if b, _ = h.srv.Batch(pre); itemStates(b) != "rejected,booked" || b.Items[0].RejectCode != "AC04" {
		t.Errorf("prepared rejection: %+v", b.Items)
	}
}

func TestControlAPI(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.login(testClient, testSecret, "").AccessToken
	h.accept(tok, "CT-1", specBody)
	var l Ledger
	if code := h.control("GET", "/_sim/ledger", nil, &l); code != 200 || len(l.Batches) != 1 || l.Received("CT-1") != 1 || !l.Now.Equal(testStart) {
		t.Fatalf("ledger: %d %+v", code, l)
	}
	if r := h.do("POST", "/_sim/clock", nil, []byte(`{"advance":"-1m"}`)); r.Code != 400 {
		t.Errorf("backwards clock: %d", r.Code)
	}
	if r := h.do("POST", "/_sim/clock", nil, []byte(`{"advance":"soon"}`)); r.Code != 400 {
		t.Errorf("bad duration: %d", r.Code)
	}
	if r := h.do("POST", "/_sim/sign", nil, []byte(`{"batch":"x","extra":1}`)); r.Code != 400 {
		t.Errorf("unknown control field: %d", r.Code)
	}
	if r := h.do("GET", "/_sim/sign", nil, nil); r.Code != 405 {
		t.Errorf("wrong method: %d", r.Code)
	}
	if r := h.do("GET", "/_sim/nothing", nil, nil); r.Code != 404 {
		t.Errorf("unknown control: %d", r.Code)
	}
	h.advance(time.Hour)
	if code := h.control("POST", "/_sim/reset", nil, nil); code != 200 {
		t.Fatal(code)
	}
	l = h.srv.Ledger()
	if len(l.Batches) != 0 || len(l.Receptions) != 0 || !l.Now.Equal(testStart) {
		t.Errorf("after reset: %+v", l)
	}
	// Tokens survive a reset; the exchange ID is free again.
	if r := h.submit(tok, "CT-1", specBody); r.Code != 200 {
		t.Errorf("after reset: %d %s", r.Code, r.Body)
	}
}
