package validate

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"erpconnector/formats"
	"erpconnector/formats/money"
)

// FuzzPayment builds payments from fuzzed fields. Invariants: no panic; every
// problem names a field, says something and sits at the payment's position;
// Payment is idempotent — a second run over the payment it normalised finds
// the same problems and changes nothing more.
func FuzzPayment(f *testing.F) {
	f.Add("1234567899", "0100", "", "19-2000145399/0800", "", "KOMBCZPP", "2025001", "0308", "", "Faktura", "ACME", int64(1250000), "CZK", 14, uint8(0))
	f.Add("", "", "DE89370400440532013000", "", "DK5000400440116243", "deutdeff", "", "", "", "", "", int64(1), "EUR", 13, uint8(1))
	f.Add("+71<000100017156728+85000001<", "", "", "5247 21527478", "", "", "", "", "", "x\ty", "", int64(-5), "DKK", 40, uint8(2))
	f.Add("000-0", "01", "cz65 0800 0000 1920 0014 5399", "4278-727558021", "LT007180000000000000", "KOMBCZPO", "12345678901", "a", "\x00", "\xff", "\u2028", int64(0), "", 0, uint8(3))
	f.Fuzz(func(t *testing.T, credNum, credBank, credIBAN, debNum, debIBAN, bic, vs, ks, ss, text, name string, minor int64, ccy string, day int, flags uint8) {
		p := &formats.Payment{
			Pos:             formats.Pos{Line: 3, Path: "/x"},
			Amount:          money.Amount{Minor: minor, Currency: ccy},
			RequestedDate:   formats.Date{Year: 2025, Month: time.March, Day: day},
			DebtorAccount:   formats.Account{Number: debNum, IBAN: debIBAN},
			CreditorAccount: formats.Account{Number: credNum, BankCode: credBank, IBAN: credIBAN},
			CreditorAgent:   formats.Agent{BIC: bic, BankCode: credBank},
			Creditor:        formats.Party{Name: name, AddressLines: []string{text}},
			Remittance:      formats.Remittance{VS: vs, KS: ks, SS: ss, Unstructured: text},
		}
		if flags&1 != 0 {
			p.DebtorAccount.Country = "DK"
		}
		if flags&16 != 0 {
			p.CreditorAccount.Country = "US" // no national rules: the BIC path
		}
		if flags&2 != 0 {
			if fik, err := parseFIKLoose(credNum); err == nil {
				p.Remittance.FIK = &fik
			}
		}
		r := Rules{Today: formats.Date{Year: 2025, Month: time.March, Day: 14}, MaxDaysAhead: int(flags>>5) * 10}
		if flags&4 != 0 {
			r.PastDates = MoveToToday
		}
		if flags&8 != 0 {
			r.DefaultCountry = "CZ"
		}
		first := Payment(p, r)
		for _, pr := range first {
			if pr.Field == "" || pr.Msg == "" {
				t.Fatalf("problem without field or message: %+v", pr)
			}
			if pr.Pos != p.Pos {
				t.Fatalf("problem at %v, payment at %v", pr.Pos, p.Pos)
			}
		}
		snapshot := *p
		snapshot.Creditor.AddressLines = append([]string(nil), p.Creditor.AddressLines...)
		second := Payment(p, r)
		if !reflect.DeepEqual(first, second) {
			t.Fatalf("not idempotent:\nfirst  %v\nsecond %v", first, second)
		}
		if !reflect.DeepEqual(snapshot, *p) {
			t.Fatalf("second run changed the payment:\n%+v\n%+v", snapshot, *p)
		}
	})
}

// parseFIKLoose splits "+KK<id+cred<" without validating, so the fuzzer can
// reach ValidateFIK with arbitrary parts.
func parseFIKLoose(s string) (formats.FIK, error) {
	if len(s) < 4 || s[0] != '+' {
		return formats.FIK{}, errNoFIK
	}
	f := formats.FIK{Type: s[1:3]}
	rest := s[4:]
	for i := 0; i < len(rest); i++ {
		if rest[i] == '+' {
			f.PaymentID, f.Creditor = rest[:i], rest[i+1:]
			return f, nil
		}
	}
	return formats.FIK{}, errNoFIK
}

var errNoFIK = errors.New("not a FIK")
