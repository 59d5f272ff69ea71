package kbjson

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

// With EndToEndFromInstruction every item names itself in
// endToEndIdentification (the ERP's own end-to-end ID wins); without it the
// field is written only when the ERP gave one.
func TestEndToEndFromInstruction(t *testing.T) {
	pay := func(instr, e2e string) *formats.Payment {
		return &formats.Payment{Index: 0, InstructionID: instr, EndToEndID: e2e,
			Amount: money.Amount{Minor: 1000, Currency: "CZK"}, RequestedDate: formats.Date{Year: 2026, Month: 6, Day: 16},
			DebtorAccount:   formats.Account{IBAN: "CZ0801000000192000145399"},
			CreditorAccount: formats.Account{IBAN: "CZ5508000000001234567899"}}
	}
	for _, tc := range []struct {
		on         bool
		instr, e2e string
		want       string
	}{
		{true, "INV1", "", `"endToEndIdentification":"INV1"`},
		{true, "INV1", "E2E-9", `"endToEndIdentification":"E2E-9"`},
		{false, "INV1", "", ``},
	} {
		e := NewEncoder(Source{SHA256: sha256.Sum256([]byte("x"))}, Options{EndToEndFromInstruction: tc.on})
		if probs := e.Add(pay(tc.instr, tc.e2e)); len(probs) > 0 {
			t.Fatal(probs)
		}
		body := e.Requests()[0].Body
		has := bytes.Contains(body, []byte("endToEndIdentification"))
		if (tc.want == "") == has || (tc.want != "" && !bytes.Contains(body, []byte(tc.want))) {
			t.Errorf("on=%v instr=%q e2e=%q: body %s, want %s", tc.on, tc.instr, tc.e2e, body, tc.want)
		}
	}
}
