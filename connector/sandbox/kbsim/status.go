package kbsim

import (
	"net/http"
	"strings"
)

// PathBatchStatusPrefix is the batch status endpoint of the Czech Open
// Banking Standard: GET /my/batchpayments/{transactionIdentification}/status.
// KB documents no such endpoint for BATCHDA ([INF]: kb-batchda.md §5.5 says
// not to build a client around it); the simulator offers it so that a route
// configured with batch_status = "cobs" can follow signatures in tests. The
// answer follows COBS ({instructionStatus, payments:[{…, signInfo}]}) and adds
// each item's state, which COBS leaves to the bank.
const PathBatchStatusPrefix = "/my/batchpayments/"

// BatchStatus is the answer of the status endpoint.
type BatchStatus struct {
	TransactionIdentification string               `json:"transactionIdentification"`
	InstructionStatus         string               `json:"instructionStatus"`
	SignInfo                  SignInfo             `json:"signInfo"`
	Payments                  []BatchStatusPayment `json:"payments"`
}

// BatchStatusPayment is one item's state.
type BatchStatusPayment struct {
	InstructionIdentification string `json:"instructionIdentification"`
	Status                    string `json:"status"` // an Item* state
	RejectCode                string `json:"rejectCode,omitempty"`
	BookingDate               string `json:"bookingDate,omitempty"`
}

func (s *Server) handleBatchStatus(w http.ResponseWriter, r *http.Request) {
	cl, ok := s.bearer(w, r, ScopeBPISP)
	if !ok {
		return
	}
	id, found := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, PathBatchStatusPrefix), "/status")
	b, exists := s.Batch(id)
	if !found || !exists || b.ClientID != cl.ID {
		writeJSON(w, http.StatusNotFound, errorBody{Errors: []APIError{{Error: "TRANSACTION_MISSING", Message: "no batch " + id}}})
		return
	}
	out := BatchStatus{TransactionIdentification: b.TransactionIdentification, InstructionStatus: b.InstructionStatus,
		SignInfo: SignInfo{State: b.SignState, SignID: b.SignID}}
	for _, it := range b.Items {
		out.Payments = append(out.Payments, BatchStatusPayment{InstructionIdentification: it.InstructionIdentification,
			Status: it.State, RejectCode: it.RejectCode, BookingDate: it.BookingDate})
	}
	writeJSON(w, http.StatusOK, out)
}
