// Package gpc writes an account statement as a Czech GPC file (ABO
// statement, "*.gpc"): one 074 header record followed by one 075 record per
// entry, every record exactly 128 characters in Windows-1250 plus CRLF.
// Positions are those of specs/abo-kpc-gpc.md §7.1 and §7.2, checked against
// the Fio sample in k3a/ago (abo/test/fio.gpc).
//
// # 074 header
//
//	1–3     "074"
//	4–19    own account, 6-digit prefix + 10-digit number (Options.InternalAccountFormat permutes it, §7.3)
//	20–39   Options.ClientName, else Statement.Owner; cut to 20
//	40–45   date of the old balance DDMMRR: Opening.Date, else From
//	46–59   old balance in minor units, 60 its sign '+' or '-'
//	61–74   new balance, 75 its sign
//	76–89   debit turnover, 90 its sign
//	91–104  credit turnover, 105 its sign
//	106–108 statement number: Statement.Sequence modulo 1000
//	109–114 posting date DDMMRR: To, else Closing.Date
//	115–128 spaces
//
// The turnovers follow the posting codes: debit turnover = debits − reversed
// debits, credit turnover = credits − reversed credits, so old − debit +
// credit = new always holds. A turnover's sign is Options.TurnoverSign ('0'
// by default, as ČS and Fio write; '+' as B6 reads) and '-' when reversals
// make it negative.
//
// # 075 item
//
//	1–3     "075"
//	4–19    own account (as in 074)
//	20–35   counter-account prefix + number; zeros when it is not Czech
//	36–48   document number: the entry ID, else the bank reference, when it
//	        is at most 13 digits; else zeros
//	49–60   amount in minor units, unsigned
//	61      posting code: 1 debit, 2 credit; reversals per Options.ReversalCodes
//	62–71   VS, 72–81 "00" + counter-account bank code + KS, 82–91 SS
//	92–97   value date DDMMRR (the booking date when there is none)
//	98–117  counterparty name, else the booking text, cut to 20
//	118     change code "0"
//	119–122 data type, Options.DataType ("0203" as Fio writes it by default)
//	123–128 due date DDMMRR: the booking date
//
// # Decisions
//
//   - Currency: GPC amounts are hundredths with no currency field. Any
//     currency with two decimals (CZK, EUR, USD, …) is written in its minor
//     units; a currency with another exponent (JPY, BHD) is ErrCurrency,
//     because an importer would misplace the decimal point.
//   - Numbers that do not fit (a 15-digit balance, a 13-digit amount, a VS
//     or SS over 10 digits, a KS over 4, symbols with non-digits) are
//     ErrField: nothing numeric is ever cut.
//   - Texts (client name, counterparty name) are cut to their field.
//     Characters Windows-1250 lacks are transliterated (ø oe, å aa, æ ae,
//     ß ss, accents stripped where the accented letter is missing)
//     and anything else becomes '?'; control characters become spaces.
//   - An own account that is not Czech (neither a CZ IBAN nor a Czech
//     number) is ErrAccount. A counter-account that is not Czech is written
//     as zeros with bank code 0000; the name still identifies the party.
//
// On error, w may already hold part of the file: write to a temporary file
// and rename it only after Write succeeded.
package gpc
