package bijson

import (
	"encoding/hex"
	"fmt"
	"strconv"
)

// Deterministic IDs, so that a file converted again (after a crash, on
// another machine, from the spool) yields the same requestId and paymentIds
// and BankIntegration's duplicate check and /status lookups keep working:
//
//	requestId  R<h>-<n>   n = 1-based request number within the file
//	paymentId  P<h>-<i>   i = formats.Payment.Index (0-based) when the ERP gave no ID
//
// <h> is the first 10 bytes (80 bits, 20 lowercase hex digits) of the file's
// SHA-256. The forms use only [A-Za-z0-9-] and stay within 35 characters for
// any index below 10^13; BankIntegration's own limits are [UNK], 35 is the
// ISO 20022 identifier length every bank accepts.
const idHashBytes = 10

func fileTag(sum [32]byte) string { return hex.EncodeToString(sum[:idHashBytes]) }

// RequestID is the requestId of the n-th (1-based) request made from the
// file with SHA-256 sum.
func RequestID(sum [32]byte, n int) string { return "R" + fileTag(sum) + "-" + strconv.Itoa(n) }

// PaymentID is the paymentId of the payment at index in the file with
// SHA-256 sum, for payments the ERP gave no ID.
func PaymentID(sum [32]byte, index int) string {
	return "P" + fileTag(sum) + "-" + strconv.Itoa(index)
}

// maxIDLen is the longest ERP-given paymentId passed on.
const maxIDLen = 35

// checkERPID accepts an ERP-given ID when it can be sent as it is: 1 to 35
// printable ASCII characters, no '#' (the signing payload's separator), no
// space at either end. Such IDs are never rewritten: the ERP matches status
// answers by them.
func checkERPID(id string) error {
	if len(id) > maxIDLen {
		return fmt.Errorf("%q has %d characters; at most %d are sent", id, len(id), maxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c < 0x20 || c > 0x7e || c == '#' {
			return fmt.Errorf("%q: only printable ASCII characters other than '#' are allowed", id)
		}
	}
	if id[0] == ' ' || id[len(id)-1] == ' ' {
		return fmt.Errorf("%q starts or ends with a space", id)
	}
	return nil
}
