package gpc

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"erpconnector/formats"
	"erpconnector/formats/statement"

	"golang.org/x/text/encoding/charmap"
)

func write(t *testing.T, s *statement.Statement, o Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, s, o); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return b.Bytes()
}

// win1250 encodes an expected record written in UTF-8.
func win1250(t *testing.T, s string) string {
	t.Helper()
	e, err := charmap.Windows1250.NewEncoder().String(s)
	if err != nil {
		t.Fatalf("encoding %q: %v", s, err)
	}
	return e
}

// expected builds the records of czStatement field by field from the
// tables of abo-kpc-gpc.md §7.1 and §7.2.
func expected(t *testing.T, own string, counters [5]string, codes [5]string) []string {
	h := record(t, []field{
		{1, 3, "074"}, {4, 16, own}, {20, 20, win1250(t, "Řeznictví Šťastný s.")}, {40, 6, "290924"},
		{46, 14, "00000031317477"}, {60, 1, "+"}, {61, 14, "00000043588077"}, {75, 1, "+"},
		{76, 14, "00000000005000"}, {90, 1, "0"}, {91, 14, "00000012275600"}, {105, 1, "0"},
		{106, 3, "273"}, {109, 6, "300924"}, {115, 14, strings.Repeat(" ", 14)},
	})
	items := []struct{ doc, amount, vs, ks, ss, value, detail string }{
		{"0016659818503", "000012345600", "1446556401", "0008000308", "7815392681", "290924", "Žluťoučký kůň a.s.  "},
		{"0016659818504", "000000123456", "0000000042", "0001000308", "0000000000", "300924", "ČEZ                 "},
		{"0000000990001", "000000005000", "0000000000", "0000000000", "0000000000", "300924", "Soeren AEroe AAkjaer"},
		{"0016659818505", "000000123456", "0000000000", "0001000000", "0000000000", "300924", "ČEZ                 "},
		{"0000000000000", "000000070000", "0000000000", "0000000000", "0000000000", "300924", "Müller € Straße 2   "},
	}
	out := []string{h}
	for i, it := range items {
		out = append(out, record(t, []field{
			{1, 3, "075"}, {4, 16, own}, {20, 16, counters[i]}, {36, 13, it.doc}, {49, 12, it.amount},
			{61, 1, codes[i]}, {62, 10, it.vs}, {72, 10, it.ks}, {82, 10, it.ss}, {92, 6, it.value},
			{98, 20, win1250(t, it.detail)}, {118, 1, "0"}, {119, 4, "0203"}, {123, 6, "300924"},
		}))
	}
	return out
}

func TestRecordsByPosition(t *testing.T) {
	std := [5]string{"0000192000145399", "0000000007770227", "0000000000000000", "0000000007770227", "0000000000000000"}
	internal := [5]string{"9394200015000019", "7227000770000000", "0000000000000000", "7227000770000000", "0000000000000000"}
	cs := [5]string{"2", "1", "1", "3", "4"}
	b6 := [5]string{"2", "1", "1", "4", "5"}
	for _, tc := range []struct {
		name   string
		o      Options
		own    string
		counts [5]string
		codes  [5]string
	}{
		{"standard.gpc", Options{}, "0000002600113745", std, cs},
		{"internal_b6.gpc", Options{InternalAccountFormat: true, ReversalCodes: Reversals45}, "5741260013000000", internal, b6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := write(t, czStatement(), tc.o)
			want := strings.Join(expected(t, tc.own, tc.counts, tc.codes), "\r\n") + "\r\n"
			if string(got) != want {
				gl, wl := strings.Split(string(got), "\r\n"), strings.Split(want, "\r\n")
				for i := range wl {
					if i < len(gl) && gl[i] != wl[i] {
						t.Errorf("record %d:\n got %q\nwant %q", i+1, gl[i], wl[i])
					}
				}
			}
			golden(t, tc.name, got)
		})
	}
}

func TestReadBackByPosition(t *testing.T) {
	for _, o := range []Options{{}, {InternalAccountFormat: true, ReversalCodes: Reversals45, TurnoverSign: '+', DataType: "1102"}} {
		s := czStatement()
		h, items, err := readBack(write(t, s, o))
		if err != nil {
			t.Fatal(err)
		}
		acct := h.Account
		if o.InternalAccountFormat {
			if acct, err = StandardAccount(acct); err != nil {
				t.Fatal(err)
			}
		}
		if acct != "0000002600113745" || h.Old != s.Opening.Minor || h.New != s.Closing.Minor || h.Seq != 273 || h.OldDate != "290924" || h.PostDate != "300924" {
			t.Errorf("074 read back %+v", h)
		}
		if h.Old-h.Debit+h.Credit != h.New {
			t.Errorf("old %d - debit %d + credit %d != new %d", h.Old, h.Debit, h.Credit, h.New)
		}
		sign := byte('0')
		if o.TurnoverSign == '+' {
			sign = '+'
		}
		if h.DebitSign != sign || h.CreditSign != sign {
			t.Errorf("turnover signs %q %q, want %q", h.DebitSign, h.CreditSign, sign)
		}
		if len(items) != len(s.Entries) {
			t.Fatalf("%d items", len(items))
		}
		bal := h.Old
		for i, it := range items {
			e := s.Entries[i]
			m, err := signedAmount(it, o.ReversalCodes)
			if err != nil {
				t.Fatal(err)
			}
			if m != e.Minor {
				t.Errorf("item %d: amount read back %d, want %d", i, m, e.Minor)
			}
			bal += m
			if it.Account != h.Account || it.Change != '0' {
				t.Errorf("item %d: account %s change %c", i, it.Account, it.Change)
			}
			if want := o.DataType; want != "" && it.DataType != want {
				t.Errorf("item %d: data type %s", i, it.DataType)
			}
			if vs := strings.TrimLeft(it.VS, "0"); vs != strings.TrimLeft(e.Remittance.VS, "0") {
				t.Errorf("item %d: VS %q", i, it.VS)
			}
			if ks := strings.TrimLeft(it.KSField[6:], "0"); ks != strings.TrimLeft(e.Remittance.KS, "0") {
				t.Errorf("item %d: KS %q", i, it.KSField)
			}
		}
		if bal != h.New {
			t.Errorf("items add up to %d, new balance %d", bal, h.New)
		}
	}
}

// The KS field of the Fio sample (k3a/ago abo/test/fio.gpc) is "0001000308":
// zeros, bank 0100, KS 0308. The second item of czStatement has exactly that
// counter-account bank and KS, so its field at 72–81 must match.
func TestKSFieldMatchesFioLayout(t *testing.T) {
	_, items, err := readBack(write(t, czStatement(), Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if got := items[1].KSField; got != "0001000308" {
		t.Errorf("KS field = %q, want 0001000308", got)
	}
	if got := items[1].Counter; got != "0000000007770227" {
		t.Errorf("counter-account = %q", got)
	}
}

func TestInternalAccountFormat(t *testing.T) {
	for _, tc := range []struct{ std, internal string }{
		// §7.3 applied to the Fio sample's account 2600113745: C10 C8 C9 C6
		// C1 C2 C3 C4 C5 C7 = 5 7 4 1 2 6 0 0 1 3, then the prefix.
		{"0000002600113745", "5741260013000000"},
		// 19-2000145399: C = 2 0 0 0 1 4 5 3 9 9 → 9 3 9 4 2 0 0 0 1 5.
		{"0000192000145399", "9394200015000019"},
		{"0340000000000000", "0000000000034000"},
		{"1234560123456789", "9785012346123456"},
	} {
		got, err := InternalAccount(tc.std)
		if err != nil || got != tc.internal {
			t.Errorf("InternalAccount(%s) = %s, %v; want %s", tc.std, got, err, tc.internal)
		}
		back, err := StandardAccount(tc.internal)
		if err != nil || back != tc.std {
			t.Errorf("StandardAccount(%s) = %s, %v; want %s", tc.internal, back, err, tc.std)
		}
	}
	for _, bad := range []string{"", "123", "000000260011374x", "00000026001137450"} {
		if _, err := InternalAccount(bad); !errors.Is(err, ErrAccount) {
			t.Errorf("InternalAccount(%q) = %v", bad, err)
		}
		if _, err := StandardAccount(bad); !errors.Is(err, ErrAccount) {
			t.Errorf("StandardAccount(%q) = %v", bad, err)
		}
	}
}

func TestNegativeBalancesAndTurnover(t *testing.T) {
	s := czStatement()
	s.Opening.Minor = -1000
	s.Entries = []statement.Entry{
		{ID: "1", BookingDate: day(2024, 9, 30), Minor: 500000, Currency: "CZK", Reversal: true},
		{ID: "2", BookingDate: day(2024, 9, 30), Minor: -2000, Currency: "CZK"},
	}
	s.Closing.Minor = -1000 + 500000 - 2000
	h, _, err := readBack(write(t, s, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	// Reversals dominate the debits: the debit turnover is negative.
	if h.Old != -1000 || h.New != 497000 || h.Debit != -498000 || h.DebitSign != '-' || h.Credit != 0 || h.CreditSign != '0' {
		t.Errorf("074 %+v", h)
	}
	s.Closing.Minor = -3000
	s.Entries = s.Entries[1:]
	h, _, err = readBack(write(t, s, Options{}))
	if err != nil || h.New != -3000 {
		t.Errorf("negative closing: %+v %v", h, err)
	}
}

func TestOtherCurrencies(t *testing.T) {
	s := czStatement()
	s.Currency = "EUR"
	for i := range s.Entries {
		s.Entries[i].Currency = "EUR"
	}
	if _, _, err := readBack(write(t, s, Options{})); err != nil {
		t.Errorf("EUR: %v", err)
	}
	for _, ccy := range []string{"JPY", "BHD"} {
		s.Currency = ccy
		for i := range s.Entries {
			s.Entries[i].Currency = ccy
		}
		if err := Write(&bytes.Buffer{}, s, Options{}); !errors.Is(err, ErrCurrency) {
			t.Errorf("%s: %v", ccy, err)
		}
	}
}

func TestErrors(t *testing.T) {
	mod := func(f func(*statement.Statement)) *statement.Statement {
		s := czStatement()
		f(s)
		return s
	}
	shift := func(s *statement.Statement, i int, d int64) {
		s.Entries[i].Minor += d
		s.Closing.Minor += d
	}
	var empty bytes.Buffer
	for _, tc := range []struct {
		name string
		s    *statement.Statement
		o    Options
		err  error
	}{
		{"unbalanced", mod(func(s *statement.Statement) { s.Closing.Minor++ }), Options{}, statement.ErrUnbalanced},
		{"amount over 12 digits", mod(func(s *statement.Statement) { shift(s, 0, 1e12) }), Options{}, ErrField},
		{"amount exactly 12 digits", mod(func(s *statement.Statement) { shift(s, 0, 999999999999-12345600) }), Options{}, nil},
		{"balance over 14 digits", mod(func(s *statement.Statement) { s.Opening.Minor += 1e14; s.Closing.Minor += 1e14 }), Options{}, ErrField},
		{"VS of 11 digits", mod(func(s *statement.Statement) { s.Entries[0].Remittance.VS = "12345678901" }), Options{}, ErrField},
		{"VS with leading zeros over 10", mod(func(s *statement.Statement) { s.Entries[0].Remittance.VS = "00" + "1234567890" }), Options{}, nil},
		{"KS of 5 digits", mod(func(s *statement.Statement) { s.Entries[0].Remittance.KS = "12345" }), Options{}, ErrField},
		{"SS with a letter", mod(func(s *statement.Statement) { s.Entries[0].Remittance.SS = "12A" }), Options{}, ErrField},
		{"own account not Czech", mod(func(s *statement.Statement) { s.Account = formats.Account{IBAN: "DK5000400440116243"} }), Options{}, ErrAccount},
		{"own CZ IBAN", mod(func(s *statement.Statement) { s.Account = formats.Account{IBAN: "CZ6508000000192000145399"} }), Options{}, nil},
		{"entry without dates", mod(func(s *statement.Statement) {
			s.Entries[1].BookingDate, s.Entries[1].ValueDate = formats.Date{}, formats.Date{}
		}), Options{}, ErrStatement},
		{"impossible date", mod(func(s *statement.Statement) { s.Entries[1].ValueDate = day(2024, 2, 30) }), Options{}, ErrStatement},
		{"negative sequence", mod(func(s *statement.Statement) { s.Sequence = -1 }), Options{}, ErrStatement},
		{"bad data type", czStatement(), Options{DataType: "12"}, ErrStatement},
		{"bad sign", czStatement(), Options{TurnoverSign: '-'}, ErrStatement},
		{"bad reversal codes", czStatement(), Options{ReversalCodes: 9}, ErrStatement},
	} {
		t.Run(tc.name, func(t *testing.T) {
			empty.Reset()
			err := Write(&empty, tc.s, tc.o)
			if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Fatalf("Write = %v, want %v", err, tc.err)
			}
			if err == nil {
				if _, _, err := readBack(empty.Bytes()); err != nil {
					t.Error(err)
				}
			}
		})
	}
}

func TestDetailFallsBackToText(t *testing.T) {
	s := czStatement()
	s.Entries[2].Counterparty.Name = ""
	s.Entries[2].Text = "Poplatek za vedení účtu"
	_, items, err := readBack(write(t, s, Options{}))
	if err != nil {
		t.Fatal(err)
	}
	if want := win1250(t, "Poplatek za vedení ú"); items[2].Detail != want {
		t.Errorf("detail %q, want %q", items[2].Detail, want)
	}
}

func TestSequenceWrapsAtThreeDigits(t *testing.T) {
	s := czStatement()
	s.Sequence = 1274
	h, _, err := readBack(write(t, s, Options{}))
	if err != nil || h.Seq != 274 {
		t.Errorf("sequence %d, %v", h.Seq, err)
	}
}

func TestEncodeText(t *testing.T) {
	for in, want := range map[string]string{
		"ěščřžýáíéůú ĚŠČŘŽÝÁÍÉŮÚ": "ěščřžýáíéůú ĚŠČŘŽÝÁÍÉŮÚ",
		"Smørrebrød på Ærø":       "Smoerrebroed paa AEroe",
		"Łódź Straße":             "Łódź Straße", // all in Windows-1250
		"Ñandú ĉu":                "Nandú cu",    // ú is in Windows-1250
		"日本\t€ Øre":               "?? € OEre",
		"a\nb\x00c":               "a b c",
	} {
		got := encodeText(nil, in, 40)
		dec, _ := charmap.Windows1250.NewDecoder().Bytes(got)
		if strings.TrimRight(string(dec), " ") != want || len(got) != 40 {
			t.Errorf("encodeText(%q) = %q (%d bytes), want %q", in, dec, len(got), want)
		}
	}
	// Cutting counts encoded bytes, and an expansion is cut too.
	if got := encodeText(nil, "ååå", 5); string(got) != "aaaaa" {
		t.Errorf("cut expansion = %q", got)
	}
}
