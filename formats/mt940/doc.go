// Package mt940 writes an account statement as a SWIFT MT940 text block, the
// form Danish and Czech ERPs import (".sta" files). It writes; it does not read.
//
// # Message
//
//	:20:  transaction reference: Statement.ID in SWIFT X, at most 16
//	      characters. A longer ID becomes its first 8 characters plus 8 hex
//	      digits of its SHA-256, so it stays deterministic and distinct.
//	:25:  account (Options.Account): the dialect's domestic form when it can
//	      be derived — DK the 14-digit reg. no. + account no., CZ
//	      "prefix-number/bank" — else the IBAN.
//	:28C: statement number (Statement.Sequence modulo 100000, 5 digits) "/001".
//	:60F: opening balance  C|D YYMMDD CCY amount
//	:61:  per entry, see below, optionally followed by
//	:86:  information to the account owner, see below
//	:62F: closing balance
//	:64:  closing available balance (the same as :62F:)
//	-     end of the block
//
// Every line ends in CRLF and is at most 65 characters including its tag.
// No line starts with ':' or '-' unless it is a tag or the closing '-'.
// Amounts have a decimal comma and exactly the currency's decimals, written
// from the integer minor units ("1234,50", JPY "1000,"); an amount that does
// not fit the 15-character field is ErrAmount.
//
// # :61: statement line
//
//	YYMMDD      value date (the booking date when the entry has none)
//	MMDD        entry (booking) date
//	C|D|RC|RD   credit, debit, reversal of a credit (a debit), reversal of a
//	            debit (a credit), as SWIFT defines them
//	amount
//	N + code    3-character transaction type code, see TypeCode
//	reference   end-to-end ID when it is a valid SWIFT reference of at most 16
//	            characters, else NONREF (the full ID is in :86:)
//	//ref       the bank's reference (else the entry ID) when it is a valid
//	            reference; cut so that the line stays within 65 characters
//	2nd line    supplementary details: the bank's booking text, at most 34
//
// # :86: layouts (at most 6 lines of 65 characters)
//
// DK (the default), unlabelled lines, in this order:
//
//	counterparty name
//	message lines (each remittance line, word-wrapped)
//	end-to-end ID
//	structured reference (RF or other), or the FIK as "+71 <payment ID> +<creditor>"
//
// CZ, labelled lines, in this order:
//
//	VS:<vs> KS:<ks> SS:<ss>   only the symbols present
//	EREF:<end-to-end ID>
//	REF:<structured reference>
//	NAME:<counterparty name>
//	ACCT:<counterparty account, "prefix-number/bank" or IBAN>
//	MSG:<message>             continuation lines unlabelled
//
// Lines with nothing to say are left out. When the lines do not fit in six,
// the message is cut, never a reference. With no line at all the booking
// text is written; with no booking text either, :86: is left out.
//
// # Character set
//
// Everything is written in the SWIFT X character set
// (a-z A-Z 0-9 / - ? : ( ) . , ' + space). Danish and German letters are
// transliterated (æ ae, ø oe, å aa, ä ae, ö oe, ü ue, ß ss, upper case
// likewise), other accented letters lose their accents (Czech ě š č ř ž ý á
// í é ů ú become e s c r z y a i e u u), a few symbols get a look-alike (&
// +, _ -, " ', € EUR, brackets become parentheses), and anything else
// becomes '.'. Line breaks and tabs inside a text become spaces.
//
// On error, w may already hold part of the statement: write to a temporary
// file and rename it only after Write succeeded.
package mt940
