package kbsim

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"erpconnector/formats/money"
)

// Batch processing modes (x-batch-processing-mode).
const (
	ModeOnline     = "ONLINE"
	ModeContinuous = "CONTINUOUS"
	ModeBatch      = "BATCH"
)

// Header names of a BATCHDA request.
const (
	HeaderExchangeID      = "x-exchange-identification"
	HeaderProcessingMode  = "x-batch-processing-mode"
	HeaderInstructionName = "x-instruction-name"
)

// rootKey is the one array a batch body carries.
const rootKey = "batchPaymentDataCollectionRequest"

// SignInfo is the authorisation state of a batch (COBS signInfo).
type SignInfo struct {
	State  string `json:"state"` // OPEN, CLOSE or REJECT
	SignID string `json:"signId"`
}

// BatchResponse is the §5.4 success body. Amounts are JSON numbers written
// from integers (json.Number), never through a float.
type BatchResponse struct {
	TransactionIdentification      string      `json:"transactionIdentification"`
	BatchDigest                    string      `json:"batchDigest"`
	TransactionCreditCount         int         `json:"transactionCreditCount"`
	RejectedTransactionCreditCount int         `json:"rejectedTransactionCreditCount"`
	TransactionDebitCount          int         `json:"transactionDebitCount"`
	RejectedTransactionDebitCount  int         `json:"rejectedTransactionDebitCount"`
	TotalCreditAmount              json.Number `json:"totalCreditAmount"`
	TotalDebitAmount               json.Number `json:"totalDebitAmount"`
	BatchProcessingMode            string      `json:"batchProcessingMode"`
	SignInfo                       SignInfo    `json:"signInfo"`
	InstructionStatus              string      `json:"instructionStatus"`
	StatusChangeInfo               string      `json:"statusChangeInfo,omitempty"`
	ExchangeIdentification         string      `json:"exchangeIdentification"`
}

func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) {
	cl, ok := s.bearer(w, r, ScopeBPISP)
	if !ok {
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		writeJSON(w, http.StatusUnsupportedMediaType, errorBody{Errors: []APIError{{Error: "UNSUPPORTED_MEDIA_TYPE", Message: "Content-Type must be application/json"}}})
		return
	}
	h, herrs := s.batchHeaders(r)
	body, err := readBody(w, r)
	if err != nil {
		writeJSON(w, http.StatusRequestEntityTooLarge, errorBody{Errors: []APIError{{Error: "FIELD_INVALID", Message: err.Error()}}})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	status, answer, b := s.judgeLocked(cl, h, herrs, body, now)
	if h.exchangeOK { // only a usable exchange ID can be counted against
		rec := Reception{Seq: s.st.NextSeq, At: now, ClientID: cl.ID, ExchangeID: h.exchangeID,
			CorrelationID: r.Header.Get("x-correlation-id"), Status: status}
		s.st.NextSeq++
		if eb, isErr := answer.(errorBody); isErr && len(eb.Errors) > 0 {
			rec.Error = eb.Errors[0].Error
		}
		if b != nil {
			rec.Batch = b.ID
		}
		s.st.Receptions = append(s.st.Receptions, rec)
	}
	if b != nil {
		b.CorrelationID = r.Header.Get("x-correlation-id")
		s.st.Batches = append(s.st.Batches, b)
	}
	if err := s.persistLocked(); err != nil {
		serverError(w, err)
		return
	}
	writeJSON(w, status, answer)
}

// batchHeader is what the BATCHDA headers said.
type batchHeader struct {
	exchangeID, mode, name string
	exchangeOK             bool
}

// batchHeaders checks §10.2 item 9. Errors carry the header name as scope.
func (s *Server) batchHeaders(r *http.Request) (batchHeader, []APIError) {
	var h batchHeader
	var errs []APIError
	one := func(name string) (string, bool) {
		v := r.Header.Values(name)
		if len(v) == 0 {
			return "", false
		}
		return v[0], true
	}
	if v, ok := one(HeaderExchangeID); !ok {
		errs = append(errs, APIError{Error: "FIELD_MISSING", Scope: HeaderExchangeID, Message: "header is required"})
	} else if n := utf8.RuneCountInString(v); n < 1 || n > s.cfg.MaxExchangeIDLen || !printable(v) {
		errs = append(errs, APIError{Error: "FIELD_INVALID", Scope: HeaderExchangeID,
			Message: fmt.Sprintf("must be 1 to %d printable characters", s.cfg.MaxExchangeIDLen)})
	} else {
		h.exchangeID, h.exchangeOK = v, true
	}
	if v, ok := one(HeaderProcessingMode); !ok {
		errs = append(errs, APIError{Error: "FIELD_MISSING", Scope: HeaderProcessingMode, Message: "header is required"})
	} else if v != ModeOnline && v != ModeContinuous && v != ModeBatch {
		errs = append(errs, APIError{Error: "FIELD_INVALID", Scope: HeaderProcessingMode, Message: "must be ONLINE, CONTINUOUS or BATCH"})
	} else {
		h.mode = v
	}
	if v, ok := one(HeaderInstructionName); ok {
		if n := utf8.RuneCountInString(v); n < 1 || n > 35 || !printable(v) {
			errs = append(errs, APIError{Error: "FIELD_INVALID", Scope: HeaderInstructionName, Message: "must be 1 to 35 printable characters"})
		} else {
			h.name = v
		}
	}
	return h, errs
}

// printable refuses control characters (and invalid UTF-8).
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}

// judgeLocked decides the answer to a batch: status, body and, when
// accepted, the new batch (not yet stored).
func (s *Server) judgeLocked(cl *Client, h batchHeader, herrs []APIError, body []byte, now time.Time) (int, any, *batch) {
	fail := func(errs ...APIError) (int, any, *batch) {
		return http.StatusBadRequest, errorBody{Errors: errs}, nil
	}
	if len(herrs) > 0 {
		return fail(herrs...)
	}
	if !utf8.Valid(body) {
		return fail(APIError{Error: "RF01", Message: "request body is not valid UTF-8"})
	}
	root, err := decodeStrict(body)
	if err != nil {
		return fail(APIError{Error: "FF01", Message: "invalid JSON: " + err.Error()})
	}
	obj, ok := root.(*object)
	if !ok {
		return fail(APIError{Error: "FF01", Message: "request body must be a JSON object, not " + jsonType(root)})
	}
	var errs []APIError
	if !s.cfg.LenientKeys {
		for _, k := range obj.keys {
			if k != rootKey {
				errs = append(errs, APIError{Error: "FIELD_INVALID", Scope: k, Message: "unknown field"})
			}
		}
	}
	raw, present := obj.get(rootKey)
	arr, isArr := raw.([]any)
	switch {
	case !present:
		errs = append(errs, APIError{Error: "FIELD_MISSING", Scope: rootKey, Message: "field is required"})
	case !isArr:
		errs = append(errs, APIError{Error: "FIELD_INVALID", Scope: rootKey, Message: "must be an array, not " + jsonType(raw)})
	case len(arr) == 0:
		errs = append(errs, APIError{Error: "FIELD_INVALID", Scope: rootKey, Message: "must hold at least one payment"})
	case len(arr) > s.cfg.MaxItems:
		errs = append(errs, APIError{Error: "TOO_MANY_PMTS", Scope: rootKey, Message: fmt.Sprintf("%d payments; at most %d per batch", len(arr), s.cfg.MaxItems)})
	}
	if len(errs) > 0 {
		return fail(errs...)
	}
	if !s.cfg.DisableDuplicateCheck {
		for _, b := range s.st.Batches {
			if b.ClientID == cl.ID && b.ExchangeID == h.exchangeID {
				return fail(APIError{Error: "AM05", Scope: HeaderExchangeID,
					Message: fmt.Sprintf("duplicate: a batch with this exchange identification was already accepted (%s)", b.ID)})
			}
		}
	}

	ic := itemChecker{s: s, cl: cl, today: pragueDate(now)}
	items := make([]*item, len(arr))
	var itemErrs []APIError
	rejected := 0
	for i, v := range arr {
		it, e := ic.check(i, v)
		items[i] = it
		if len(e) > 0 {
			itemErrs = append(itemErrs, e...)
			it.ImportErrors = e
			rejected++
		}
	}
	if rejected > 0 && (!s.cfg.PartialAcceptance || rejected == len(items)) {
		return fail(itemErrs...)
	}
	exp, _ := money.Exponent(ic.refCurrency)
	var total int64
	for _, it := range items {
		if len(it.ImportErrors) == 0 {
			sum, err := money.Add(money.Amount{Minor: total, Currency: ic.refCurrency}, money.Amount{Minor: it.AmountMinor, Currency: ic.refCurrency})
			if err != nil {
				return fail(APIError{Error: "AM12", Scope: rootKey, Message: "total amount overflows"})
			}
			total = sum.Minor
		}
	}

	b := &batch{
		ID: batchID(s.st.NextBatch), ClientID: cl.ID, ExchangeID: h.exchangeID, InstructionName: h.name,
		Mode: h.mode, Digest: digest(body), DebtorIBAN: ic.refDebtor, Currency: ic.refCurrency,
		Status: "ACTC", ReceivedAt: now, Items: items, Body: json.RawMessage(append([]byte(nil), body...)),
	}
	s.st.NextBatch++
	b.SignID = "SIGN-" + b.ID
	if s.cfg.AlwaysOnline {
		b.Mode = ModeOnline
	}
	for _, it := range items {
		it.EntryRef = fmt.Sprintf("KB-%010d", s.st.NextSeq)
		s.st.NextSeq++
	}
	resp := BatchResponse{
		TransactionIdentification: b.ID, BatchDigest: b.Digest,
		TransactionDebitCount: len(items), RejectedTransactionDebitCount: rejected,
		TotalCreditAmount: json.Number(money.FormatMinor(0, exp)), TotalDebitAmount: json.Number(money.FormatMinor(total, exp)),
		BatchProcessingMode: b.Mode, SignInfo: SignInfo{State: SignOpen, SignID: b.SignID},
		InstructionStatus: "ACTC", ExchangeIdentification: h.exchangeID,
	}
	if rejected > 0 {
		b.Status, resp.InstructionStatus = "ACWC", "ACWC"
		resp.StatusChangeInfo = fmt.Sprintf("%d of %d payments rejected at import", rejected, len(items))
	}
	return http.StatusOK, resp, b
}

// batchID writes n in base 36, upper case, zero-padded to 10 characters.
func batchID(n int64) string {
	s := strings.ToUpper(strconv.FormatInt(n, 36))
	if len(s) < 10 {
		s = strings.Repeat("0", 10-len(s)) + s
	}
	return s
}

// digest is the batchDigest: upper-case hex SHA-1 of the body as received
// (the "canonical" body of §10.2 13 is unknown; the bytes sent are the only
// thing client and bank both have).
func digest(body []byte) string {
	sum := sha1.Sum(body)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}
