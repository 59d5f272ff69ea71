// Package pain001 reads ISO 20022 customer credit transfer initiations
// (pain.001.001.03 and pain.001.001.09) into formats.Payment, as a stream.
//
// The reader switches on the root name space and refuses look-alike national
// variants (German DK pain.001.002.03/.003.03, Swiss .ch.02, urn:sepade) by
// name. It reports every problem it can find in one pass, each with the
// element path (1-based indices on PmtInf, CdtTrfTxInf, Ustrd, Strd and
// AdrLine) and the line. Reading stops at the first place where the XML itself
// breaks (syntax, truncation, DTD, nesting deeper than MaxDepth, a token
// larger than MaxTokenBytes, an undecodable encoding).
//
// Values: leading and trailing white space of every value is removed (xs:date,
// xs:decimal and codes collapse it by the schema; for texts it is a
// pretty-printing artefact). Max35Text/Max140Text limits count characters.
// IBANs lose spaces and are upper-cased; checksums are validation's job.
// ReqdExctnDt/DtTm (.09) contributes its date as written. CtrlSum is compared
// exactly (money.Sum) with the InstdAmt values as plain decimals, like ISO
// defines it, across currencies.
//
// Encodings: UTF-8 with or without BOM; a declared single-byte encoding
// (ISO-8859-2, windows-1250, ISO-8859-1, IBM852, …) is decoded through
// golang.org/x/text with IANA names first (so ISO-8859-1 is Latin-1, not
// windows-1252). Invalid UTF-8, undefined bytes of the declared encoding,
// UTF-16/32 and unknown encodings are problems, never silently replaced.
//
// # Elements and what happens to them
//
// "map" fills the model; "ignore" is skipped because it cannot change who
// pays whom how much when, or through which accounts; "refuse" is a problem
// because it would change the money movement and the model cannot carry it.
// Any element not listed is "unexpected": a problem, since a misspelt element
// could hide a change to the payment.
//
//	GrpHdr/MsgId, NbOfTxs, CtrlSum     map / check (Batch.MessageID; counts and sums checked)
//	GrpHdr/CreDtTm                     check (xs:dateTime)
//	GrpHdr/InitgPty, Authstn, FwdgAgt  ignore (who made the file; channel details)
//	CstmrCdtTrfInitn/SplmtryData       ignore
//	PmtInf/PmtInfId                    map (Batch.ID)
//	PmtInf/PmtMtd                      TRF map; CHK, TRA refuse
//	PmtInf/BtchBookg                   ignore (statement presentation)
//	PmtInf/NbOfTxs, CtrlSum            check per PmtInf
//	PmtInf/PmtTpInf, tx PmtTpInf       map → Priority (tx level wins field by field):
//	                                     SvcLvl/Cd or LclInstrm/Cd INST → INST;
//	                                     InstrPrty HIGH, SvcLvl/Cd URGP|SDVA → HIGH [INF]; else NORM.
//	                                     SvcLvl/Prtry, LclInstrm/Prtry, CtgyPurp ignore
//	PmtInf/ReqdExctnDt                 map (.03 date; .09 Dt or DtTm)
//	PmtInf/PoolgAdjstmntDt             refuse (changes value dating)
//	PmtInf/Dbtr, Cdtr                  map Nm, PstlAdr (StrtNm, BldgNb, PstCd, TwnNm, Ctry, AdrLine);
//	                                     Id, CtryOfRes, CtctDtls and other address parts ignore
//	PmtInf/DbtrAcct, CdtrAcct          map Id/IBAN or Id/Othr/Id ("number/bank" split), Ccy;
//	                                     Tp, Nm, Prxy, Othr/SchmeNm, Othr/Issr ignore
//	PmtInf/DbtrAgt, CdtrAgt            map FinInstnId/BIC (.03) or BICFI (.09), ClrSysMmbId/MmbId,
//	                                     Nm, Othr/Id (bank code when no MmbId); BrnchId, PstlAdr, LEI ignore
//	PmtInf/DbtrAgtAcct                 refuse
//	PmtInf/UltmtDbtr, tx UltmtDbtr/Cdtr ignore (on-behalf-of parties: information only)
//	PmtInf/InstrForDbtrAgt, tx InstrForDbtrAgt, InstrForCdtrAgt  ignore
//	PmtInf/ChrgBr, tx ChrgBr           map (tx level wins)
//	PmtInf/ChrgsAcct, ChrgsAcctAgt     refuse (charges from another account)
//	tx PmtId/InstrId, EndToEndId       map; PmtId/UETR (.09) ignore
//	tx Amt/InstdAmt@Ccy                map (money.Parse); Amt/EqvtAmt refuse (currency conversion)
//	tx XchgRateInf                     refuse (agreed FX rate)
//	tx ChqInstr                        refuse (cheque)
//	tx IntrmyAgt1..3(+Acct), CdtrAgtAcct  refuse (routing)
//	tx Purp, RgltryRptg, Tax, RltdRmtInf, SplmtryData  ignore (information, reporting)
//	tx RmtInf/Ustrd                    map (joined, see readRemittance; Czech /VS/…/KS/…/SS/… run)
//	tx RmtInf/Strd/CdtrRefInf          map Ref (+ Tp/CdOrPrtry) → Reference/ReferenceType,
//	                                     or VS/KS/SS symbols ("VS:123" or Tp VS); other Strd parts ignore
package pain001
