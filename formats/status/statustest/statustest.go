// Package statustest builds the status reports that the writer tests of
// formats/status and formats/pain002 share: one scenario per state, plus the
// awkward cases (file-level rejection, duplicates, mixed outcomes, hostile
// text). Each call returns fresh values that the caller may change.
package statustest

import (
	"strings"
	"time"

	"erpconnector/formats"
	"erpconnector/formats/money"
	"erpconnector/formats/status"
)

// Scenario is one named report.
type Scenario struct {
	Name   string
	Report *status.Report
}

// Created is the injected creation time of every scenario report.
var Created = time.Date(2026, 6, 12, 10, 0, 0, 0, time.UTC)

// Updated is the payments' last change, in Prague summer time on purpose.
var Updated = time.Date(2026, 6, 12, 12, 5, 30, 0, time.FixedZone("CEST", 2*3600))

const sha = "3f2a9c81d7e4b6a05c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b"

func amt(minor int64, ccy string) money.Amount { return money.Amount{Minor: minor, Currency: ccy} }

// Base is a pain.001.001.03 file of three payments in two batches, in three
// currencies (so OrgnlCtrlSum 13750.49 mixes them, as ISO does), all in state s.
func Base(s status.State) *status.Report {
	r := &status.Report{
		MessageID: "STS-3f2a9c81d7e4-0001",
		Created:   Created,
		File: status.FileRef{
			Name:              "invoices-0612.xml",
			SHA256:            sha,
			OriginalMessageID: "ERP-MSG-2026-06-12-001",
			OriginalFormat:    "pain.001.001.03",
		},
		State: s,
		Payments: []status.Payment{
			{Index: 0, BatchID: "PMT-2026-0612-A", InstructionID: "INV-1001", EndToEndID: "E2E-1001",
				Amount: amt(1250000, "CZK"), RequestedDate: formats.Date{Year: 2026, Month: 6, Day: 15},
				CreditorName: "Dodavatel s.r.o.", CreditorAccount: "CZ6508000000192000145399"},
			{Index: 1, BatchID: "PMT-2026-0612-A", InstructionID: "INV-1002",
				Amount: amt(99999, "CZK"), RequestedDate: formats.Date{Year: 2026, Month: 6, Day: 15},
				CreditorName: "Žluťoučký kůň a.s.", CreditorAccount: "19-2000145399/0800"},
			{Index: 2, BatchID: "PMT-2026-0612-B", EndToEndID: "E2E-2001",
				Amount: amt(25050, "EUR"), RequestedDate: formats.Date{Year: 2026, Month: 6, Day: 16},
				CreditorName: "Müller GmbH", CreditorAccount: "DE89370400440532013000"},
		},
	}
	for i := range r.Payments {
		p := &r.Payments[i]
		p.State = s
		p.Updated = Updated
		switch s {
		case status.Accepted, status.AwaitingAuthorisation, status.Pending, status.Booked, status.Cancelled, status.Unknown:
			p.BankReference = "KB" + strings.Repeat("0", 8) + string(rune('1'+i))
		}
	}
	return r
}

// Scenarios returns every scenario, in a fixed order.
func Scenarios() []Scenario {
	var out []Scenario
	for _, s := range []status.State{status.Received, status.Accepted, status.AwaitingAuthorisation,
		status.Pending, status.Booked, status.Cancelled, status.Unknown} {
		out = append(out, Scenario{string(s), Base(s)})
	}
	out = append(out,
		Scenario{"rejected-payments", RejectedPayments()},
		Scenario{"rejected-file", RejectedFile()},
		Scenario{"duplicate", DuplicateFile()},
		Scenario{"partial", Mixed()},
		Scenario{"escaping", Escaping()},
	)
	return out
}

// RejectedPayments: the bank rejected every payment, with an ISO code, with
// a bank-specific code too long for an ISO code, with no code and a text too
// long for one Max105Text, and one whose amount could not be read.
func RejectedPayments() *status.Report {
	r := Base(status.Rejected)
	r.Payments[0].Reason = status.Reason{Code: "AC03", Text: "Invalid creditor account number"}
	r.Payments[1].Reason = status.Reason{Code: "KB-ERR-4711", Text: "Účet příjemce je zrušen"}
	r.Payments[2].Reason = status.Reason{Text: "The creditor's bank rejected the payment because the beneficiary account " +
		"is blocked for incoming payments in a foreign currency; contact the creditor and ask for another account " +
		"before paying again."}
	r.Payments = append(r.Payments, status.Payment{Index: 3, BatchID: "PMT-2026-0612-B", InstructionID: "INV-2002",
		EndToEndID: "E2E-2002", State: status.Rejected, Reason: status.Reason{Code: "AM12", Text: "amount not readable"},
		CreditorName: "Nordic ApS", CreditorAccount: "DK5000400440116243", Updated: Updated})
	return r
}

// RejectedFile: our validation rejected the file before any payment could be
// read; the problems are what the ERP user must fix.
func RejectedFile() *status.Report {
	return &status.Report{
		MessageID: "STS-9b1e00c4a7d2-0001",
		Created:   Created,
		File: status.FileRef{
			Name:           "platby_červen.kpc",
			SHA256:         "9b1e00c4a7d2" + sha[12:],
			OriginalFormat: "KPC",
		},
		State:  status.Rejected,
		Reason: status.Reason{Code: "FF01", Text: "file rejected: 3 problems"},
		Problems: []string{
			"platby_červen.kpc:1: UHL1: header record missing",
			"platby_červen.kpc:7: amount: \"12 500,00\" is not a number",
			"platby_červen.kpc:9: VS: \"12<34>&5\" must be digits",
		},
	}
}

// DuplicateFile: the same content arrived again; nothing was sent.
func DuplicateFile() *status.Report {
	r := Base(status.Duplicate)
	r.File.Name = "invoices-0612 (copy).xml"
	r.MessageID = "STS-3f2a9c81d7e4-D002"
	r.Reason = status.Reason{Text: "duplicate of invoices-0612.xml received 2026-06-12T08:15:00Z"}
	return r
}

// Mixed: one booked, one awaiting authorisation, one rejected → Partial.
func Mixed() *status.Report {
	r := Base(status.Booked)
	r.Payments[1].State = status.AwaitingAuthorisation
	r.Payments[1].BankReference = ""
	r.Payments[2].State = status.Rejected
	r.Payments[2].Reason = status.Reason{Code: "AM04", Text: "insufficient funds"}
	r.State = status.Summarise(r.Payments)
	return r
}

// Escaping: a CSV-derived file (no message ID, a long name) whose texts carry
// XML/CSV metacharacters, control characters, invalid UTF-8, Czech letters
// and IDs longer than ISO's 35 characters.
func Escaping() *status.Report {
	r := Base(status.Pending)
	r.File = status.FileRef{
		Name:           "export_plateb_<&>_\"červen\"_2026-06-12_final_v2.csv",
		SHA256:         sha,
		OriginalFormat: "CSV",
	}
	p := &r.Payments[0]
	p.InstructionID = "INV-1001/ABC-0123456789-0123456789-XYZ" // 38 characters
	p.EndToEndID = "A&B<C>\"D'E"
	p.CreditorName = "Tom & Jerry <s.r.o.>\tPříliš žluťoučký kůň úpěl ďábelské ódy\x00\x7f\u0085\xff"
	p.Reason = status.Reason{Text: "line1\r\nline2; \"quoted\", comma"}
	p.BankReference = "REF;with;semicolons"
	r.Payments[1].CreditorAccount = ""
	r.Payments[2].RequestedDate = formats.Date{}
	return r
}
