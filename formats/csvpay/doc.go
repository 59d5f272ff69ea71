// Package csvpay reads payment orders from a CSV export whose layout an
// administrator declares in TOML (a Mapping). It is named csvpay so that it
// does not clash with encoding/csv, which does the actual CSV parsing.
//
// The reader streams: it holds one row at a time (plus skip_footer_rows rows
// of look-ahead), so a file of a million payments costs no more memory than a
// file of ten. Every file is one formats.Batch with ID "CSV".
//
// # Mapping keys
//
//	delimiter         one character; default ","; "\t" (or "tab") for tab
//	decimal           "." (default) or ","
//	thousands         characters ignored between digit groups of an amount, e.g. "." or " ";
//	                  a space also covers the no-break spaces (U+00A0, U+202F) that spreadsheets write.
//	                  Groups are checked: "1.234,50" is read, "1.23,50" is a problem.
//	date_layout       "YYYY-MM-DD" (default), "DD.MM.YYYY", "D.M.YYYY", "DD-MM-YY", "YYYYMMDD", …
//	                  tokens YYYY, YY (20YY), MM, DD (two digits), M, D (one or two digits);
//	                  any other non-letter character is a literal separator.
//	encoding          "utf-8" (default; a BOM is skipped), "windows-1252", "iso-8859-1",
//	                  "windows-1250", "iso-8859-2", "cp852" (aliases: utf8, cp1252, latin1,
//	                  cp1250, latin2, ibm852)
//	header            the first row (after skip_rows) holds column names
//	skip_rows         physical lines to drop before the header or first data row (a title, an export date)
//	skip_footer_rows  non-blank rows to drop at the end (a sum or count row)
//	footer_marker     text the first non-blank cell of each dropped footer row must start with
//	                  (case-insensitive), e.g. "I alt"; recommended, because without it a file whose
//	                  ERP left out the footer silently loses its last payment
//	ragged_rows       accept rows whose column count differs from the header (or from the first data
//	                  row without a header); off by default because a shifted row usually means an
//	                  unquoted delimiter inside a value, and then every later column is wrong
//	currency          currency when there is no currency column, or the row leaves it empty
//	debtor_account    debtor account when there is no debtor_account column, or the row leaves it empty
//	account_country   "CZ" or "DK": read every domestic account number as that country's
//	                  (a Czech one then needs "/bank" or a creditor_bank_code cell); empty: by form
//	reference_type    Remittance.ReferenceType of every reference; empty: "RF" for ISO 11649
//	                  references (RFnn…), otherwise unset
//	priority_values   ERP value -> "NORM" | "HIGH" | "INST", e.g. { "J" = "HIGH", "N" = "NORM" };
//	                  without it NORM/HIGH/INST are accepted (case-insensitive), empty is NORM
//	columns           field name -> column: a header name (string) or a 1-based position (integer)
//
// # Fields
//
//	field               model                                   notes
//	instruction_id      Payment.InstructionID                   the ERP's ID of the order; empty: derived later
//	end_to_end_id       Payment.EndToEndID                      passed to the creditor unchanged
//	amount              Payment.Amount                          required; > 0, at most the currency's decimals
//	currency            Payment.Amount.Currency                 ISO 4217, case-insensitive; or the currency key
//	requested_date      Payment.RequestedDate                   in date_layout; empty: unset (bank's earliest)
//	debtor_account      Payment.DebtorAccount                   account forms below; or the debtor_account key
//	debtor_name         Payment.Debtor.Name
//	creditor_account    Payment.CreditorAccount                 required (or fik); may also hold a FIK line
//	creditor_bank_code  Payment.CreditorAccount.BankCode        CZ 4-digit bank code for a "[prefix-]number" account
//	creditor_bic        Payment.CreditorAgent.BIC               8 or 11 letters/digits, spaces removed
//	creditor_name       Payment.Creditor.Name
//	creditor_street     Payment.Creditor.Street
//	creditor_building   Payment.Creditor.BuildingNo
//	creditor_postcode   Payment.Creditor.PostCode
//	creditor_town       Payment.Creditor.Town
//	creditor_country    Payment.Creditor.Country                ISO 3166 alpha-2
//	message             Payment.Remittance.Unstructured         text for the creditor
//	own_text            Payment.OwnText                         text on the payer's own statement
//	vs                  Payment.Remittance.VS                   digits, at most 10, leading zeros kept
//	ks                  Payment.Remittance.KS                   digits, at most 4
//	ss                  Payment.Remittance.SS                   digits, at most 10
//	reference           Payment.Remittance.Reference            structured creditor reference
//	fik                 Payment.Remittance.FIK                  OCR line "+71<000000001234567+12345678<"
//	priority            Payment.Priority                        see priority_values
//
// # Account forms
//
// An account cell is read as, in this order:
//   - an IBAN: two letters, two digits, then letters/digits; spaces are removed, letters upper-cased;
//   - a Czech account "[prefix-]number/bank" (or "[prefix-]number" with a creditor_bank_code cell):
//     Number becomes "prefix-number" without leading zeros, BankCode the 4 digits, Country "CZ";
//   - a Danish account "reg account" or "reg-account" (4 digits, then up to 10) or the 14-digit BBAN:
//     Number becomes reg + account zero-padded to 10, Country "DK".
//
// With account_country set, only IBANs and that country's form are accepted. The debtor_account
// column has no bank-code companion, so a Czech debtor account is written "number/bank".
// Anything else is a problem. Check digits (IBAN mod 97, Czech mod 11, FIK) are not checked here:
// formats/validate does that for every input format alike.
//
// # Problems
//
// Every problem carries the file line of the row (the line where a quoted multi-line row starts) and
// names the field and its column, e.g. "amount (column Beløb)" or "amount (column 3)". Blank rows (no
// characters or only delimiters and spaces) are skipped. A header that lacks a mapped column, a file in
// UTF-16, or a broken quote that swallows the rest of the file end the reading.
package csvpay
