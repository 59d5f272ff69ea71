// Package camt053 writes account statements (formats/statement) as ISO 20022
// camt.053 bank-to-customer statements, version camt.053.001.02 (default;
// the base of the Czech banking association's XML statement) or .08.
//
// Every document is valid against the official schema of its version; the
// tests run xmllint on each one they write. A statement is written as one
// GrpHdr and one Stmt. Write streams: memory does not grow with the number of
// entries. Everything that could make the document invalid is checked before
// the first byte is written, so an error leaves the writer untouched.
//
// # What goes where
//
//   - GrpHdr/MsgId and Stmt/Id: Statement.ID; when empty, a deterministic ID
//     "<account>-<To yyyymmdd>-<Sequence>", or "S" + 34 hex digits of a
//     SHA-256 over account, period and sequence when that does not fit 35.
//   - CreDtTm (GrpHdr and Stmt, also in .08 where Stmt's is optional):
//     Statement.Created in its own zone ("2025-04-01T06:00:00+02:00").
//   - ElctrncSeqNb: Statement.Sequence, omitted when 0.
//   - FrToDt: From 00:00:00 to To 23:59:59, without a zone: the dates are
//     the bank's calendar days, which a zone would shift.
//   - Acct/Id: the IBAN, else Othr/Id with the domestic number as it is
//     written ("19-2000145399/0800", Danish 14 digits). Svcr/FinInstnId: the
//     BIC (BICFI in .08) and the domestic bank code as ClrSysMmbId/MmbId.
//   - Bal: OPBD and CLBD, each dated by its own Balance.Date or else by From
//     and To. Amounts are magnitudes written exactly from minor units; the
//     sign is CdtDbtInd (a zero balance is CRDT).
//   - TxsSummry: entry count, sum of magnitudes and net (closing − opening)
//     for all entries, and count and sum for credits and for debits.
//   - Ntry: NtryRef = Entry.ID, Sts BOOK (.08: Sts/Cd), RvslInd only when
//     true (CdtDbtInd is the direction of the reversal itself),
//     AcctSvcrRef = BankReference, AddtlNtryInf = Text (the bank's wording).
//   - BkTxCd: Domn/Cd + Fmly/Cd + SubFmlyCd when the TxCode is known (all
//     three parts, or Write refuses a partial one); otherwise Prtry/Cd "NTRF"
//     with Issr "erpconnector" (Options.UnknownTxCode changes it, e.g. to a
//     ČBA code with Issr "CBA"). Never an empty BkTxCd.
//   - NtryDtls/TxDtls (one per entry, only when there is something to say):
//     Refs (AcctSvcrRef, InstrId, EndToEndId); in .08 also Amt and
//     CdtDbtInd; RltdPties with the counterparty as Dbtr/DbtrAcct for money
//     in and Cdtr/CdtrAcct for money out (.08 wraps the party in Pty);
//     RltdAgts DbtrAgt/CdtrAgt with the counterparty's BIC and bank code.
//   - RmtInf: the free text as Ustrd (lines joined by a space; longer than
//     140 characters it continues in further Ustrd pieces, split after a
//     space where possible, so nothing is lost), then one Strd/CdtrRefInf
//     per structured reference: the creditor reference (ISO 11649 RF as
//     Cd SCOR + Issr ISO; another ReferenceType as Prtry), a Danish FIK as
//     Prtry "FIK" with the OCR line "+71<…+…<", then VS, KS, SS.
//
// # Czech payment symbols
//
// The ČBA standard's own placement of VS/KS/SS could not be read for this
// work (specs/iso20022.md lists the document but not its field tables), so
// the style is a setting. The default, SymbolsPrefixed, writes each symbol
// in its own CdtrRefInf as Ref "VS:2026001", "KS:0308", "SS:42": it survives
// any reader that only looks at Ref (genkgo's "message" falls back to the
// first Ref), it cannot be confused with an RF reference, and it is the form
// KB's own API uses for the same symbols (specs/abo-kpc-gpc.md, KB mapping).
// SymbolsTyped writes the digits alone with Tp/CdOrPrtry/Prtry "VS".
// Leading zeros are kept as the bank gave them. A structured RF reference
// comes first, so readers that take the first CdtrRefInf still find it.
//
// # IDs are never changed; texts are cleaned and cut
//
// IDs, references, account numbers, symbols and codes are matched by
// machines: one that does not fit its element (Max35Text, Max34Text, the
// IBAN and BIC patterns, 2-letter countries, 1–4 character transaction
// codes) or that holds a control character or invalid UTF-8 makes Write
// return a *FieldError wrapping ErrInvalid, naming the entry and the field.
// Amounts and sums beyond the 18 digits ISO 20022 allows are refused the
// same way.
//
// Names and texts are for people: invalid UTF-8 and U+FFFE/U+FFFF become
// U+FFFD, control characters (tab, CR, LF included) become spaces, the
// result is trimmed, and a text longer than its element is cut at the limit
// counted in characters (never inside a UTF-8 sequence), dropping the spaces
// the cut leaves at its end. Names: 140 (Nm), account name 70, street 70,
// town 35, building number and post code 16, address lines 70 and at most 7
// of them (the rest are dropped), AddtlNtryInf 500. A text that is empty
// after cleaning is omitted. The free remittance text is split, not cut.
package camt053
