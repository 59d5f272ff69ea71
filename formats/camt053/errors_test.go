package camt053

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"erpconnector/formats"
	"erpconnector/formats/statement"
)

// TestRefuses lists what Write must refuse rather than change: IDs and codes
// that do not fit, amounts beyond 18 digits, impossible dates. Nothing may
// have been written when it refuses.
func TestRefuses(t *testing.T) {
	long36 := strings.Repeat("X", 36)
	tests := []struct {
		name   string
		mutate func(*statement.Statement)
		entry  int // -1: statement level
		field  string
	}{
		{"statement ID too long", func(s *statement.Statement) { s.ID = long36 }, -1, "ID"},
		{"statement ID with a newline", func(s *statement.Statement) { s.ID = "A\nB" }, -1, "ID"},
		{"negative sequence", func(s *statement.Statement) { s.Sequence = -1 }, -1, "Sequence"},
		{"no creation time", func(s *statement.Statement) { s.Created = time.Time{} }, -1, "Created"},
		{"no account", func(s *statement.Statement) { s.Account = formats.Account{} }, -1, "Account"},
		{"IBAN not matching the pattern", func(s *statement.Statement) { s.Account.IBAN = "dk5000400440116243" }, -1, "Account"},
		{"domestic number too long", func(s *statement.Statement) {
			s.Account = formats.Account{Number: strings.Repeat("1", 30), BankCode: "0800"}
		}, -1, "Account"},
		{"bank code too long beside an IBAN", func(s *statement.Statement) { s.Account.BankCode = long36 }, -1, "Account.BankCode"},
		{"servicer BIC invalid", func(s *statement.Statement) { s.BIC = "NDEADK" }, -1, "BIC"},
		{"no period start", func(s *statement.Statement) { s.From = formats.Date{} }, -1, "From"},
		{"31 February", func(s *statement.Statement) { s.To = date(2025, 2, 31) }, -1, "To"},
		{"period backwards", func(s *statement.Statement) { s.From, s.To = s.To, s.From }, -1, "To"},
		{"opening beyond 18 digits", func(s *statement.Statement) {
			s.Opening.Minor += 1e18
			s.Closing.Minor += 1e18
		}, -1, "Opening.Minor"},
		{"bad unknown-code option", nil, -1, "Options.UnknownTxCode"},
		{"entry ID too long", func(s *statement.Statement) { s.Entries[1].ID = long36 }, 1, "ID"},
		{"end-to-end ID too long", func(s *statement.Statement) { s.Entries[0].EndToEndID = long36 }, 0, "EndToEndID"},
		{"bank reference with a tab", func(s *statement.Statement) { s.Entries[0].BankReference = "A\tB" }, 0, "BankReference"},
		{"instruction ID invalid UTF-8", func(s *statement.Statement) { s.Entries[1].InstructionID = "\xff" }, 1, "InstructionID"},
		{"RF reference too long", func(s *statement.Statement) { s.Entries[0].Remittance.Reference = long36 }, 0, "Remittance.Reference"},
		{"VS too long with its prefix", func(s *statement.Statement) { s.Entries[2].Remittance.VS = strings.Repeat("1", 33) }, 2, "Remittance.VS"},
		{"partial transaction code", func(s *statement.Statement) { s.Entries[2].TxCode = statement.TxCode{Domain: "PMNT"} }, 2, "TxCode"},
		{"transaction code too long", func(s *statement.Statement) {
			s.Entries[0].TxCode = statement.TxCode{Domain: "PAYMENT", Family: "RCDT", SubFamily: "DMCT"}
		}, 0, "TxCode"},
		{"counterparty IBAN invalid", func(s *statement.Statement) { s.Entries[0].CounterpartyAccount.IBAN = "DK95 2000" }, 0, "CounterpartyAccount"},
		{"counterparty BIC invalid", func(s *statement.Statement) { s.Entries[0].CounterpartyBIC = "dabadkkk" }, 0, "CounterpartyBIC"},
		{"counterparty country invalid", func(s *statement.Statement) { s.Entries[0].Counterparty.Country = "Denmark" }, 0, "Counterparty.Country"},
		{"booking date impossible", func(s *statement.Statement) { s.Entries[1].BookingDate = date(2025, 13, 1) }, 1, "BookingDate"},
		{"entry beyond 18 digits", func(s *statement.Statement) {
			s.Entries[0].Minor += 1e18
			s.Entries[1].Minor -= 1e18
		}, 0, "Minor"},
		{"sum of entries beyond 18 digits", func(s *statement.Statement) {
			s.Entries[0].Minor = 9e17
			s.Entries[1].Minor = -9e17
			s.Closing.Minor = s.Opening.Minor
			for _, e := range s.Entries[2:] {
				s.Closing.Minor += e.Minor
			}
		}, -1, "Entries"},
	}
	for _, tt := range tests {
		for _, ver := range versions {
			t.Run(tt.name+"_"+ver.suffix, func(t *testing.T) {
				s := danish()
				s.Entries[2].Remittance = formats.Remittance{VS: "1"}
				o := Options{Version: ver.v}
				if tt.mutate != nil {
					tt.mutate(s)
				} else {
					o.UnknownTxCode = ProprietaryCode{Code: "A\x00B"}
				}
				if err := s.Check(); err != nil {
					t.Fatalf("the mutated statement must still pass Check: %v", err)
				}
				var buf bytes.Buffer
				err := WriteOptions(&buf, s, o)
				var fe *FieldError
				if !errors.Is(err, ErrInvalid) || !errors.As(err, &fe) {
					t.Fatalf("err = %v, want a FieldError wrapping ErrInvalid", err)
				}
				if fe.Entry != tt.entry || fe.Field != tt.field {
					t.Errorf("error names entry %d field %q, want entry %d field %q (%v)", fe.Entry, fe.Field, tt.entry, tt.field, err)
				}
				if tt.entry >= 0 && fe.EntryID != s.Entries[tt.entry].ID {
					t.Errorf("error names entry ID %q, want %q", fe.EntryID, s.Entries[tt.entry].ID)
				}
				if buf.Len() != 0 {
					t.Errorf("%d bytes written before refusing", buf.Len())
				}
			})
		}
	}
}

func TestRefusesUncheckedStatement(t *testing.T) {
	s := danish()
	s.Closing.Minor++
	var buf bytes.Buffer
	if err := Write(&buf, s, V02); !errors.Is(err, statement.ErrUnbalanced) {
		t.Fatalf("err = %v, want statement.ErrUnbalanced", err)
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written for an unbalanced statement", buf.Len())
	}
	s = danish()
	s.Entries[0].Currency = "EUR"
	if err := Write(&buf, s, V02); err == nil || buf.Len() != 0 {
		t.Fatalf("an entry in another currency was written (err %v)", err)
	}
	if err := Write(&buf, danish(), Version(7)); !errors.Is(err, ErrVersion) {
		t.Fatalf("err = %v, want ErrVersion", err)
	}
}

type failWriter struct{}

var errDisk = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errDisk }

func TestReportsWriteError(t *testing.T) {
	if err := Write(failWriter{}, danish(), V08); !errors.Is(err, errDisk) {
		t.Fatalf("err = %v, want the writer's error", err)
	}
}

// TestHostileText feeds texts that XML 1.0 cannot carry or that exceed their
// elements: the document must stay schema-valid, texts are cleaned and cut
// by the documented rule, and the free remittance text is split, not lost.
func TestHostileText(t *testing.T) {
	long := strings.Repeat("Ægte æbleskiver ", 40) // 640 characters
	s := danish()
	s.Owner = "Jensen\x00 & Søn\u2028 ApS\uFFFE " + long
	s.Name = "Drift\r\nkonto " + long
	e := &s.Entries[0]
	e.Counterparty = formats.Party{
		Name: "<script>&amp;\x1b[31m" + long, Street: long, BuildingNo: "12345678901234567890",
		PostCode: "DK-8000 Aarhus C (postboks)", Town: long, Country: "DK",
		AddressLines: []string{"1", "2", "3", "", "4", "5", "6", "7", "8"},
	}
	e.Remittance.Unstructured = "first line\nsecond \x7f line " + long
	e.Text = "bad \xff\xfe utf8 " + long

	for _, ver := range versions {
		t.Run(ver.suffix, func(t *testing.T) {
			o := Options{Version: ver.v}
			doc := writeValid(t, s, o)
			checkReadBack(t, s, o, doc)
			d, _ := readDoc(doc)
			st := &d.Stmts[0]
			if n := utf8.RuneCountInString(st.Acct.Ownr); n != 140 {
				t.Errorf("owner cut to %d characters, want 140", n)
			}
			if !strings.HasPrefix(st.Acct.Ownr, "Jensen  & Søn\u2028 ApS\uFFFD Ægte") {
				t.Errorf("owner cleaned to %q", st.Acct.Ownr)
			}
			if st.Acct.Nm != cut("Drift  konto "+long, 70) || utf8.RuneCountInString(st.Acct.Nm) > 70 {
				t.Errorf("account name %q", st.Acct.Nm)
			}
			tx := st.Ntry[0].TxDtls[0]
			p := tx.RltdPties.Dbtr.party()
			if len(p.AdrLine) != 7 || p.AdrLine[3] != "4" {
				t.Errorf("address lines %q: want the 7 non-empty first ones", p.AdrLine)
			}
			if len(tx.RmtInf.Ustrd) < 2 {
				t.Fatalf("remittance text not split: %q", tx.RmtInf.Ustrd)
			}
			for _, u := range tx.RmtInf.Ustrd {
				if utf8.RuneCountInString(u) > 140 {
					t.Errorf("Ustrd of %d characters", utf8.RuneCountInString(u))
				}
			}
			if got := strings.Join(tx.RmtInf.Ustrd, ""); got != "first line second   line "+strings.TrimSpace(long) {
				t.Errorf("Ustrd pieces join to %q", got)
			}
			if !strings.HasPrefix(st.Ntry[0].AddtlNtryInf, "bad \uFFFD\uFFFD utf8 Ægte") || utf8.RuneCountInString(st.Ntry[0].AddtlNtryInf) > 500 {
				t.Errorf("AddtlNtryInf %q", st.Ntry[0].AddtlNtryInf)
			}
		})
	}
}

func TestDerivedMessageID(t *testing.T) {
	s := czech()
	s.ID = ""
	if got, want := messageID(s), "19-2000145399/0800-20250228-59"; got != want {
		t.Errorf("derived ID %q, want %q", got, want)
	}
	s = danish()
	s.ID = ""
	s.Account.IBAN = "LC55HEMM000100010012001200023015" // too long for the readable form
	a := messageID(s)
	if len(a) != 35 || a[0] != 'S' {
		t.Errorf("hashed ID %q: want S + 34 hex digits", a)
	}
	s.Sequence++
	if b := messageID(s); b == a {
		t.Errorf("different statements share the derived ID %q", a)
	}
	for _, ver := range versions {
		writeValid(t, s, Options{Version: ver.v})
	}
}

// TestCreatedZones covers the time zones xs:dateTime cannot express.
func TestCreatedZones(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2025, 4, 1, 6, 0, 0, 0, cet), "2025-04-01T06:00:00+01:00"},
		{time.Date(2025, 4, 1, 6, 0, 0, 0, time.UTC), "2025-04-01T06:00:00Z"},
		{time.Date(2025, 4, 1, 6, 0, 0, 250_000_000, time.UTC), "2025-04-01T06:00:00.25Z"},
		{time.Date(2025, 4, 1, 6, 0, 0, 0, time.FixedZone("LMT", 3600+57*60+44)), "2025-04-01T04:02:16Z"},
		{time.Date(2025, 4, 1, 6, 0, 0, 0, time.FixedZone("far", 15*3600)), "2025-03-31T15:00:00Z"},
	}
	for _, tt := range tests {
		if got := isoDateTime(tt.t); got != tt.want {
			t.Errorf("isoDateTime(%v) = %q, want %q", tt.t, got, tt.want)
		}
		s := empty()
		s.Created = tt.t
		writeValid(t, s, Options{Version: V02})
	}
}

func TestUnknownTxCodeOption(t *testing.T) {
	s := danish()
	o := Options{Version: V02, UnknownTxCode: ProprietaryCode{Code: "90002", Issuer: "CBA"}}
	doc := writeValid(t, s, o)
	checkReadBack(t, s, o, doc)
	if !bytes.Contains(doc, []byte("<Cd>90002</Cd>")) || !bytes.Contains(doc, []byte("<Issr>CBA</Issr>")) {
		t.Error("configured proprietary code not written")
	}
}
