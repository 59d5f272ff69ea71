// Package pain002 writes ISO 20022 customer payment status reports
// (CstmrPmtStsRpt), version pain.002.001.03 (default) or pain.002.001.10,
// from a status.Report. It is what the ERP imports to learn what became of
// each payment; every document it writes is valid against the official XSD
// (the tests run xmllint on each one).
//
// # State mapping
//
// This table is the contract with the ERP. TxSts is per payment, GrpSts per
// file (from status.Report.FileState) and PmtInfSts per batch (from
// status.Summarise of the batch's payments).
//
//	state                   TxSts          GrpSts/PmtInfSts  StsRsnInf
//	received                PDNG (RCVD¹)   RCVD              AddtlInf "received by the connector, not yet sent to the bank"
//	accepted                ACTC           ACTC              —
//	awaiting-authorisation  PDNG           PDNG              AddtlInf "awaiting authorisation in internet banking"
//	pending                 ACSP           ACSP              —
//	booked                  ACSC           ACSC              —
//	rejected                RJCT           RJCT              Rsn/Cd = reason code, else NARR; AddtlInf = reason text
//	cancelled               RJCT (CANC¹)   RJCT              Rsn/Cd = reason code, else DS02 (order cancelled)
//	duplicate               RJCT           RJCT              Rsn/Cd = reason code, else AM05 (duplication); AddtlInf = reason
//	                                                         text naming the first file, else "duplicate of an earlier file: …"
//	unknown                 PDNG           PDNG              AddtlInf "outcome unknown - check internet banking"
//	partial (file/batch)    —              PART              —
//
// ¹ only with Options.ExternalCodes and V10; pain.002.001.03's closed TxSts
// enum has neither RCVD nor CANC.
//
// Accepted maps to ACTC (technical validation passed), not ACCP: the bank has
// taken the batch, but nothing about the customer profile (signature, funds)
// is known yet. For every state, a reason code and text given in
// status.Reason are written too. A reason code of 1–4 upper-case letters or
// digits goes into Rsn/Cd (ISO ExternalStatusReason1Code); any other code (a
// bank's "KB-ERR-4711") into Rsn/Prtry. Texts longer than 105 characters are
// split over several AddtlInf (at a space where one is near the end).
//
// # Group and transaction content
//
//   - OrgnlMsgId: see OriginalMessageID (the file's MsgId; for formats without
//     one the file name if ≤35 characters, else 35 hex digits of its SHA-256).
//   - OrgnlMsgNmId: see OriginalMessageNameID ("pain.001.001.03"; "KPC",
//     "CSV", "KB-JSON", "BI-JSON" for the other inputs; "UNKNOWN").
//   - OrgnlNbOfTxs and OrgnlCtrlSum (file and batch): the count, and the exact
//     decimal sum across currencies as in pain.001; the sum is left out when
//     any amount is unknown, rather than be wrong.
//   - File-level problems (rejected files): one StsRsnInf each, Rsn/Cd NARR.
//   - NbOfTxsPerSts: payments per TxSts code.
//   - One OrgnlPmtInfAndSts per batch (OrgnlPmtInfId = batch ID), one
//     TxInfAndSts per payment: OrgnlInstrId (when given), OrgnlEndToEndId
//     ("NOTPROVIDED" when empty), TxSts, StsRsnInf, AcctSvcrRef (the bank's
//     reference), OrgnlTxRef with Amt/InstdAmt, ReqdExctnDt (.10: ReqdExctnDt/Dt),
//     Cdtr/Nm (.10: Cdtr/Pty/Nm) and CdtrAcct (IBAN, else Othr/Id).
//
// # Text
//
// Every text is passed through status.Clean (control characters become
// spaces, invalid UTF-8 becomes U+FFFD) and escaped with encoding/xml.
// Max35Text values longer than 35 characters (IDs from CSV files) are cut to
// 35; names to 140. Values that must not be cut are left out instead: an
// account number over 34 characters, a bank reference over 35 (which then
// goes into AddtlInf in full), an amount of more than 18 digits.
package pain002
