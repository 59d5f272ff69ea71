// Package bijson is the BankIntegration (api.bankintegration.dk) payment
// codec: the POST /payment request encoder, the Authorization header, and a
// reader for /payment bodies an ERP drops as they are. It is pure: the clock
// and the secrets are parameters, nothing here does I/O beyond an io.Reader.
//
// Reference: ../shared/specs/bankintegration.md (§2 signing, §3.1 payment).
// Where the spec says [UNK] or [INF] the choice made here is configurable
// through Options and written down where it is made. In short:
//
//   - Debtor: one header account per request; only Danish (DK, FO, GL)
//     accounts, as IBAN or 14-digit BBAN.
//   - Creditor: DKK to a Danish BBAN or Danish IBAN → type 1 with the BBAN
//     (Options.DomesticIBANAsIBAN sends type 11 instead); FIK → types 3–8
//     with the OCR line as account; foreign IBAN, or non-DKK to a Danish
//     account → type 11 with the IBAN and creditor.bic (required by default,
//     Options.RequireBICForIBAN). Anything else is a problem.
//   - Urgency: NORM 1, HIGH 2 ("SameDay" in the docs), INST refused unless
//     Options.UrgencyInstant is set (the value is [UNK]).
//   - IDs: paymentId is the ERP's InstructionID, else its EndToEndID, else
//     P<80-bit file hash>-<index>; requestId is R<80-bit file hash>-<n>
//     (see ids.go). ERP IDs are passed on unchanged or refused, never
//     rewritten.
//   - Texts: text ≤ 35, creditorText ≤ 35, creditorMessage ≤ 4 lines of 35
//     (configurable Limits); the remittance text's mapping is in text.go.
//   - Amounts are written from integer minor units with exactly two decimals
//     as a JSON number; no float is involved anywhere.
//   - 500 transactions per request by default (BankIntegration's limit is
//     [UNK]).
package bijson
