package kbsim

import (
	"encoding/json"
	"testing"
	"time"
)

// The COBS-style status endpoint follows a batch through signature and
// booking, and answers 404 TRANSACTION_MISSING for batches of other clients.
func TestBatchStatusEndpoint(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.login(testClient, testSecret, "").AccessToken
	id := h.accept(tok, "ST-1", specBody)
	status := func(token string) (int, BatchStatus) {
		r := h.do("GET", PathBatchStatusPrefix+id+"/status", map[string]string{"Authorization": "Bearer " + token, "x-correlation-id": testCorrID}, nil)
		var s BatchStatus
		json.Unmarshal(r.Body, &s)
		return r.Code, s
	}
	code, s := status(tok)
	if code != 200 || s.SignInfo.State != SignOpen || len(s.Payments) != 2 || s.Payments[0].Status != ItemAwaitingSignature {
		t.Fatalf("before signing: %d %+v", code, s)
	}
	if _, err := h.srv.Sign(id); err != nil {
		t.Fatal(err)
	}
	h.advance(10 * time.Second)
	if code, s = status(tok); s.SignInfo.State != SignClose || s.Payments[0].Status != ItemBooked || s.Payments[0].BookingDate != "2026-06-16" {
		t.Fatalf("after signing: %d %+v", code, s)
	}
	other := h.login(adaaClient, "adaa-secret", "").AccessToken
	if code, _ := status(other); code != 403 && code != 404 {
		t.Errorf("another client (without bpisp) saw the batch: %d", code)
	}
}
