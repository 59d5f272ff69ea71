package pain002

import (
	"erpconnector/formats/status"
)

// Fixed texts the ERP sees in StsRsnInf/AddtlInf. ASCII on purpose: they
// must survive any ERP import, and "-" rather than a dash.
const (
	TextReceived     = "received by the connector, not yet sent to the bank"
	TextAwaiting     = "awaiting authorisation in internet banking"
	TextUnknown      = "outcome unknown - check internet banking"
	TextDuplicate    = "duplicate of an earlier file: not sent to the bank again"
	TextBankRefLong  = "bank reference: "
	notProvided      = "NOTPROVIDED"
	unknownMsgNameID = "UNKNOWN"
)

// Default reason codes (ISO 20022 ExternalStatusReason1Code) for states that
// always carry one, used when the Reason has no code of its own.
const (
	CodeNarrative = "NARR" // reason is in AddtlInf
	CodeDuplicate = "AM05" // duplication
	CodeCancelled = "DS02" // order cancelled
)

// txStatus is the TxSts code of a payment state. .03 has a closed enum with no
// RCVD and no CANC; with external codes (.10 only) those are used instead of
// PDNG and RJCT.
func txStatus(s status.State, external bool) string {
	switch s {
	case status.Received:
		if external {
			return "RCVD"
		}
		return "PDNG"
	case status.Accepted:
		return "ACTC"
	case status.AwaitingAuthorisation, status.Unknown:
		return "PDNG"
	case status.Pending:
		return "ACSP"
	case status.Booked:
		return "ACSC"
	case status.Cancelled:
		if external {
			return "CANC"
		}
		return "RJCT"
	case status.Rejected, status.Duplicate:
		return "RJCT"
	}
	return "PDNG" // unreachable: Validate rejects other states
}

// groupStatus is the GrpSts/PmtInfSts code of a file or batch state. The
// group enum of .03 has RCVD and PART, so both versions use them.
func groupStatus(s status.State) string {
	switch s {
	case status.Received:
		return "RCVD"
	case status.Partial:
		return "PART"
	}
	return txStatus(s, false)
}

// txCodes lists every TxSts code we write, in the order NbOfTxsPerSts uses.
var txCodes = []string{"RCVD", "ACTC", "PDNG", "ACSP", "ACSC", "CANC", "RJCT"}

// reasonCode is the Rsn code for a state: the Reason's own code, else the
// state's default; "" means no Rsn element.
func reasonCode(s status.State, r status.Reason) string {
	if r.Code != "" {
		return r.Code
	}
	switch s {
	case status.Rejected:
		return CodeNarrative
	case status.Duplicate:
		return CodeDuplicate
	case status.Cancelled:
		return CodeCancelled
	}
	return ""
}

// fixedText is the AddtlInf text a state always carries, before the Reason's
// own text.
func fixedText(s status.State, r status.Reason) string {
	switch s {
	case status.Received:
		return TextReceived
	case status.AwaitingAuthorisation:
		return TextAwaiting
	case status.Unknown:
		return TextUnknown
	case status.Duplicate:
		if r.Text == "" {
			return TextDuplicate
		}
	}
	return ""
}

// isISOCode reports whether c fits ExternalStatusReason1Code as ISO uses it:
// 1–4 upper-case letters or digits. Anything else goes to Rsn/Prtry.
func isISOCode(c string) bool {
	if len(c) == 0 || len(c) > 4 {
		return false
	}
	for i := 0; i < len(c); i++ {
		if !('A' <= c[i] && c[i] <= 'Z' || '0' <= c[i] && c[i] <= '9') {
			return false
		}
	}
	return true
}
