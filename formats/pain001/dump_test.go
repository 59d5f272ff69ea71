package pain001

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"erpconnector/formats"
)

// dump is the JSON form of a read file that golden tests compare: every
// payment field, amounts as exact strings, and every problem.
type dump struct {
	Version  string        `json:"version"`
	Payments []paymentDump `json:"payments"`
	Problems []string      `json:"problems"`
}

type paymentDump struct {
	Index           int                `json:"index"`
	Line            int                `json:"line"`
	Path            string             `json:"path"`
	BatchID         string             `json:"batchId"`
	MessageID       string             `json:"messageId"`
	InstructionID   string             `json:"instructionId,omitempty"`
	EndToEndID      string             `json:"endToEndId"`
	Amount          string             `json:"amount"`
	RequestedDate   string             `json:"requestedDate"`
	Priority        string             `json:"priority"`
	Debtor          formats.Party      `json:"debtor"`
	DebtorAccount   formats.Account    `json:"debtorAccount"`
	DebtorAgent     formats.Agent      `json:"debtorAgent"`
	Creditor        formats.Party      `json:"creditor"`
	CreditorAccount formats.Account    `json:"creditorAccount"`
	CreditorAgent   formats.Agent      `json:"creditorAgent"`
	ChargeBearer    string             `json:"chargeBearer,omitempty"`
	Remittance      formats.Remittance `json:"remittance"`
}

func dumpPayment(p *formats.Payment) paymentDump {
	amt := ""
	if !p.Amount.IsZero() {
		amt = p.Amount.String()
	}
	d := paymentDump{
		Index: p.Index, Line: p.Pos.Line, Path: p.Pos.Path,
		InstructionID: p.InstructionID, EndToEndID: p.EndToEndID,
		Amount: amt, RequestedDate: p.RequestedDate.String(), Priority: p.Priority.String(),
		Debtor: p.Debtor, DebtorAccount: p.DebtorAccount, DebtorAgent: p.DebtorAgent,
		Creditor: p.Creditor, CreditorAccount: p.CreditorAccount, CreditorAgent: p.CreditorAgent,
		ChargeBearer: p.ChargeBearer, Remittance: p.Remittance,
	}
	if p.Batch != nil {
		d.BatchID, d.MessageID = p.Batch.ID, p.Batch.MessageID
	}
	return d
}

// readAll reads a whole document and checks the reader contract on the way.
func readAll(t testing.TB, in io.Reader) (dump, []*formats.Payment) {
	t.Helper()
	r := NewReader(in)
	var ps []*formats.Payment
	out := dump{Payments: []paymentDump{}, Problems: []string{}}
	for {
		p, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v", err)
		}
		ps = append(ps, p)
		out.Payments = append(out.Payments, dumpPayment(p))
	}
	if p, err := r.Next(); p != nil || err != io.EOF {
		t.Fatalf("Next after EOF = %v, %v; want nil, io.EOF", p, err)
	}
	out.Version = r.Version()
	for _, p := range r.Problems().List() {
		out.Problems = append(out.Problems, problemString(p))
	}
	return out, ps
}

func problemString(p formats.Problem) string {
	s := fmt.Sprintf("line %d: %s: ", p.Pos.Line, p.Pos.Path)
	if p.Field != "" {
		s += p.Field + ": "
	}
	return s + p.Msg
}
