package abo

import (
	"strings"
	"testing"
)

// The §6.1 file, line by line, for building broken variants.
const (
	uhl  = "UHL1150626ACME SRO            2000145399001001000000000000"
	acc  = "1 1501 001000 0100"
	grp  = "2 000019-2000145399 00000001299950 160626"
	itm1 = "000000-1234567899 000001250000 0002026001 08000308 0000000000 AV:Faktura 2026001"
	itm2 = "000000-1000000005 000000049950 0020260042 03000000 0000001234 AV:Najem cerven"
	end3 = "3 +"
	end5 = "5 +"
)

// kpc joins lines with CRLF and ends the file with one.
func kpc(lines ...string) string { return strings.Join(lines, "\r\n") + "\r\n" }

func TestProblems(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		opts     Options
		payments int
		want     []string // exact, as formats.Problem.Format("f.kpc")
	}{
		{"clean §6.1", kpc(uhl, acc, grp, itm1, itm2, end3, end5), Options{}, 2, nil},
		{"trailing blank lines and no final newline are fine",
			kpc(uhl, acc, grp, itm1, itm2, end3, end5, "", "   ", "") + "\r\n", Options{}, 2, nil},
		{"wrong group sum", kpc(uhl, acc, "2 19-2000145399 1300000 160626", itm1, itm2, end3, end5), Options{}, 2, []string{
			"f.kpc:3: group sum: the group header declares 13000.00 CZK, but its payment orders add up to 12999.50 CZK",
		}},
		{"missing 3 +", kpc(uhl, acc, grp, itm1, itm2, end5), Options{}, 2, []string{
			`f.kpc:3: record 3: the group is not closed by "3 +" (found "5 +" at line 6)`,
		}},
		{"missing 3 + before the next group", kpc(uhl, acc, "2 19-2000145399 1250000 160626", itm1, "2 19-2000145399 49950 160626", itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:3: record 3: the group is not closed by "3 +" (found a new group header at line 5)`,
		}},
		{"missing 5 +", kpc(uhl, acc, grp, itm1, itm2, end3), Options{}, 2, []string{
			`f.kpc:2: record 5: the accounting file is not closed by "5 +" (the file ends at line 6)`,
		}},
		{"missing 5 + before the next accounting file", kpc(uhl, acc, grp, itm1, itm2, end3, "1 1501 001000 0100", "2 19-2000145399 100 160626", "1234567899 100 0 08000000", end3, end5), Options{}, 3, []string{
			`f.kpc:2: record 5: the accounting file is not closed by "5 +" (found a new accounting file header at line 7)`,
		}},
		{"item outside a group", kpc(uhl, acc, grp, itm1, itm2, end3, itm1, end5), Options{}, 2, []string{
			`f.kpc:7: item: payment order outside a group (no "2 …" group header before it)`,
		}},
		{"bad due date 310226", kpc(uhl, acc, "2 19-2000145399 1299950 310226", itm1, itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:3: due date: "310226" is not a real date (DDMMRR)`,
		}},
		{"letters in VS", kpc(uhl, acc, grp, "1234567899 1250000 20260O1 08000308 0 AV:x", itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:4: VS: "20260O1" is not a symbol (digits only)`,
		}},
		{"11-digit VS", kpc(uhl, acc, grp, "1234567899 1250000 12345678901 08000308 0 AV:x", itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:4: VS: "12345678901" has 11 digits; at most 10 are allowed`,
		}},
		{"amount with a letter", kpc(uhl, acc, grp, "1234567899 12x50 1 08000308", itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:4: amount: "12x50" is not a number of haléře (digits only, no decimal point)`,
		}},
		{"amount with a decimal point", kpc(uhl, acc, grp, "1234567899 12500.00 1 08000308", itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:4: amount: "12500.00" is not a number of haléře (digits only, no decimal point)`,
		}},
		{"zero amount", kpc(uhl, acc, "2 19-2000145399 49950 160626", "1234567899 000000000000 1 08000308", itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:4: amount: "000000000000" is zero; an amount must be greater than zero`,
		}},
		{"16-digit amount", kpc(uhl, acc, grp, "1234567899 1234567890123456 1 08000308", itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:4: amount: "1234567890123456" has 16 digits; at most 15 are allowed`,
		}},
		{"KS glued wrong: 7 digits", kpc(uhl, acc, grp, "1234567899 1250000 1 0800308", itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:4: bank code/KS: "0800308" has 7 digits; expected the 4-digit bank code followed by the 4-digit KS (8 digits, e.g. 03000558)`,
		}},
		{"10-digit bank+KS not starting with zeros", kpc(uhl, acc, grp, "1234567899 1250000 1 1208000308", itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:4: bank code/KS: "1208000308" has 10 digits but does not start with 00: only ČSOB's 6-digit bank code (000300) followed by the 4-digit KS has 10`,
		}},
		{"SS with letters", kpc(uhl, acc, grp, "1234567899 1250000 1 08000308 12A", itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:4: SS: "12A" is not a symbol (digits only)`,
		}},
		{"message without AV:", kpc(uhl, acc, grp, "1234567899 1250000 1 08000308 0 Faktura 1", itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:4: item: unexpected "Faktura" after the SS (a message must start with "AV:")`,
		}},
		{"too few fields", kpc(uhl, acc, grp, "1234567899 1250000 08000308", itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:4: item: has 3 fields before the message; expected 4 or 5: creditor-account amount VS bank+KS [SS] AV:message`,
		}},
		{"creditor account with a letter, prefix too long", kpc(uhl, acc, "2 19-2000145399 100 160626", "12345O7899 50 1 08000308", "1234567-1234567899 50 1 08000308", end3, end5), Options{}, 2, []string{
			`f.kpc:4: creditor account: "12345O7899" is not an account number ([prefix-]number, digits only)`,
			`f.kpc:5: creditor account: "1234567-1234567899": the prefix has 7 digits; at most 6 are allowed`,
		}},
		{"creditor bank after / contradicts bank+KS", kpc(uhl, acc, "2 19-2000145399 100 160626", "1234567899/0100 100 1 08000308", end3, end5), Options{}, 1, []string{
			`f.kpc:4: creditor account: bank code 0100 after '/' differs from bank code 0800 in the bank code/KS field`,
		}},
		{"payer bank after / contradicts record 1", kpc(uhl, acc, "2 19-2000145399/0800 100 160626", "1234567899 100 1 08000308", end3, end5), Options{}, 1, []string{
			`f.kpc:3: payer account: bank code 0800 after '/' differs from the accounting file's bank code 0100 (line 2)`,
		}},
		{"message longer than 140", kpc(uhl, acc, "2 19-2000145399 100 160626", "1234567899 100 1 08000308 0 AV:"+strings.Repeat("x", 141), end3, end5), Options{}, 1, []string{
			`f.kpc:4: AV: the message has 141 characters; at most 140 are allowed`,
		}},
		{"truncated in the middle of an item", "UHL1150626ACME SRO            2000145399001001000000000000\r\n1 1501 001000 0100\r\n2 000019-2000145399 00000001299950 160626\r\n000000-1234567899 000001250000 0002026001 08000308 0000000000 AV:Faktura 2026001\r\n000000-1000000005 0000000", Options{}, 2, []string{
			`f.kpc:5: item: has 2 fields before the message; expected 4 or 5: creditor-account amount VS bank+KS [SS] AV:message`,
			`f.kpc:5: amount: "0000000" is zero; an amount must be greater than zero`,
			`f.kpc:3: record 3: the group is not closed by "3 +" (the file ends at line 5)`,
			`f.kpc:2: record 5: the accounting file is not closed by "5 +" (the file ends at line 5)`,
		}},
		{"truncated after the header", uhl + "\r\n1 1501 00", Options{}, 0, []string{
			`f.kpc:2: record 1: expected "1 DDDD SSSPPP BBBB" (data type, sequence number and branch, bank code), found "1 1501 00"`,
			`f.kpc:2: sequence number: "00" is not SSSPPP (3-digit accounting-file sequence number, 3-digit branch)`,
			`f.kpc:2: record 5: the accounting file is not closed by "5 +" (the file ends at line 2)`,
		}},
		{"collection orders 1502", kpc(uhl, "1 1502 001000 0100", grp, itm1, itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:2: data type: collection orders (1502) are not supported: this file would debit other people's accounts`,
		}},
		{"unknown data type", kpc(uhl, "1 1601 001000 0100", grp, itm1, itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:2: data type: "1601" is not a payment order data type (1501 payments; ČSOB also 1503 priority, 1504 instant)`,
		}},
		{"sequence number outside the UHL1 interval", kpc(uhl, "1 1501 002000 0100", grp, itm1, itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:2: sequence number: 002 is outside the interval 001–001 declared in UHL1 at line 1`,
		}},
		{"ČSOB 6-digit bank code in record 1 and bank+KS", kpc(uhl, "1 1501 001000 000100", grp, "1234567899 1250000 1 0008000308", itm2, end3, end5), Options{}, 2, nil},
		{"empty file", "", Options{}, 0, []string{
			`f.kpc:1: UHL1: the file is empty; a KPC file starts with a UHL1 header`,
		}},
		{"only blank lines", "\r\n\r\n", Options{}, 0, []string{
			`f.kpc:1: UHL1: the file is empty; a KPC file starts with a UHL1 header`,
		}},
		{"no UHL1", kpc(acc, grp, itm1, itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:1: UHL1: the file must start with a UHL1 header, found "1 1501 001000 0100"`,
		}},
		{"UHL1 only", kpc(uhl), Options{}, 0, []string{
			`f.kpc:1: record 1: the file has no accounting file header ("1 …"), so it holds no payments`,
		}},
		{"second UHL1", kpc(uhl, acc, grp, itm1, itm2, end3, end5, uhl), Options{}, 2, []string{
			`f.kpc:8: UHL1: a second UHL1 header; there is one, on the first line`,
		}},
		{"UHL1 of a wrong length with a bad date", kpc("UHL1310226ACME", acc, grp, itm1, itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:1: UHL1: the header has 14 characters; expected 58 (46 and a bare "UHL1" are also accepted)`,
			`f.kpc:1: creation date: "310226" is not a real date (DDMMRR)`,
		}},
		{"UHL1 46 characters (Fio)", kpc(uhl[:46], acc, grp, itm1, itm2, end3, end5), Options{}, 2, nil},
		{"UHL1 with letters in numeric fields", kpc("UHL1150626ACME SRO            20001453990010010000000000X0", acc, grp, itm1, itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:1: data protection code: "0000000000X0" is not numeric (12 digits, characters 47–58; 000000000000 when unused)`,
		}},
		{"text after the last 5 +", kpc(uhl, acc, grp, itm1, itm2, end3, end5, "hello"), Options{}, 2, []string{
			`f.kpc:8: record 5: only blank lines or a new accounting file ("1 …") may follow "5 +", found "hello"`,
		}},
		{"3 + and 5 + without their headers", kpc(uhl, end3, end5), Options{}, 0, []string{
			`f.kpc:2: record 3: "3 +" without a group header ("2 …") before it`,
			`f.kpc:3: record 5: "5 +" without an accounting file header ("1 …") before it`,
			`f.kpc:3: record 1: the file has no accounting file header ("1 …"), so it holds no payments`,
		}},
		{"malformed closing records", kpc(uhl, acc, grp, itm1, itm2, "3 + x", "5 -"), Options{}, 2, []string{
			`f.kpc:6: record 3: expected "3 +", found "3 + x"`,
			`f.kpc:7: record 5: expected "5 +", found "5 -"`,
		}},
		{"group without items", kpc(uhl, acc, grp, end3, "2 19-2000145399 1299950 160626", itm1, itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:3: record 2: the group has no payment orders`,
		}},
		{"group header with one field", kpc(uhl, acc, "2 160626", itm1, end3, end5), Options{}, 1, []string{
			`f.kpc:3: record 2: expected "2 [payer account] sum DDMMRR", found "2 160626"`,
		}},
		{"group header outside an accounting file", kpc(uhl, grp, itm1, itm2, end3), Options{}, 2, []string{
			`f.kpc:2: record 2: group header outside an accounting file (no "1 …" header before it)`,
			`f.kpc:5: record 1: the file has no accounting file header ("1 …"), so it holds no payments`,
		}},
		{"control character in a message", kpc(uhl, acc, "2 19-2000145399 100 160626", "1234567899 100 1 08000308 0 AV:a\tb", end3, end5), Options{}, 1, []string{
			`f.kpc:4: line: control character U+0009 at column 33`,
		}},
		{"line longer than 4096 bytes", kpc(uhl, acc, grp, itm1, itm2+" "+strings.Repeat("y", 5000), end3, end5), Options{}, 1, []string{
			`f.kpc:5: line: the line is longer than 4096 bytes; a KPC record is at most a few hundred (is this a KPC file?)`,
			`f.kpc:3: group sum: the group header declares 12999.50 CZK, but its payment orders add up to 12500.00 CZK`,
		}},
		{"UTF-8 BOM in a windows-1250 folder", "\xEF\xBB\xBF" + kpc(uhl, acc, grp, itm1, itm2, end3, end5), Options{}, 2, []string{
			`f.kpc:1: encoding: the file starts with a UTF-8 byte-order mark, but it is read as windows-1250: set the folder's encoding to utf-8`,
		}},
		{"UTF-8 BOM in a utf-8 folder", "\xEF\xBB\xBF" + kpc(uhl, acc, grp, itm1, itm2, end3, end5), Options{Encoding: UTF8}, 2, nil},
		{"UTF-16", "\xFF\xFEU\x00H\x00L\x001\x00", Options{}, 0, []string{
			`f.kpc:1: encoding: the file is UTF-16 (it starts with a UTF-16 byte-order mark); a KPC file must be windows-1250, cp852 or utf-8`,
		}},
		{"byte undefined in windows-1250", kpc(uhl, acc, "2 19-2000145399 100 160626", "1234567899 100 1 08000308 0 AV:a\x81b", end3, end5), Options{}, 1, []string{
			`f.kpc:4: encoding: byte 0x81 at column 33 is not a windows-1250 character`,
		}},
		{"UTF-8 letters in a windows-1250 folder", kpc(uhl, acc, "2 19-2000145399 100 160626", "1234567899 100 1 08000308 0 AV:\xC5\x99ada", end3, end5), Options{}, 1, []string{
			`f.kpc:4: encoding: column 32 holds 'ř' written in UTF-8, but the file is read as windows-1250, which would turn it into "Ĺ™": set the folder's encoding to utf-8 or export the file in windows-1250 (later lines are not reported again)`,
		}},
		{"UTF-8 check can be turned off", kpc(uhl, acc, "2 19-2000145399 100 160626", "1234567899 100 1 08000308 0 AV:\xC5\x99ada", end3, end5), Options{NoUTF8Check: true}, 1, nil},
		{"invalid UTF-8 in a utf-8 folder", kpc(uhl, acc, "2 19-2000145399 100 160626", "1234567899 100 1 08000308 0 AV:\xF8ada", end3, end5), Options{Encoding: UTF8}, 1, []string{
			`f.kpc:4: encoding: byte 0xF8 at column 32 is not valid UTF-8 (is the file really UTF-8? KPC files are normally windows-1250)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, probs := readAll(t, strings.NewReader(tt.in), tt.opts)
			var got []string
			for _, p := range probs.List() {
				got = append(got, p.Format("f.kpc"))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n got  %q\n want %q", got, tt.want)
			}
			if len(ps) != tt.payments {
				t.Errorf("got %d payments, want %d", len(ps), tt.payments)
			}
		})
	}
}
