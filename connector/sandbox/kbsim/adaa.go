package kbsim

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"erpconnector/formats/account"
	"erpconnector/formats/money"
)

// A minimal ADAA v2 transaction history (kb-batchda.md §10.2 item 15): the
// booked payments of the simulator's batches as debits of the account, in
// the shape of KB's own test resource (komercka/adaa-client
// response-transaction-history.json). The real API addresses accounts by an
// opaque accountId; the simulator takes the IBAN in its place.

// Transaction is one ADAA history entry.
type Transaction struct {
	LastUpdated                      string       `json:"lastUpdated"`
	AccountType                      string       `json:"accountType"`
	EntryReference                   string       `json:"entryReference"`
	IBAN                             string       `json:"iban"`
	CreditDebitIndicator             string       `json:"creditDebitIndicator"`
	TransactionType                  string       `json:"transactionType"`
	Amount                           TxAmount     `json:"amount"`
	BookingDate                      string       `json:"bookingDate"`
	ValueDate                        string       `json:"valueDate"`
	Instructed                       TxAmount     `json:"instructed"`
	ReversalIndicator                bool         `json:"reversalIndicator"`
	Status                           string       `json:"status"`
	CounterParty                     CounterParty `json:"counterParty"`
	References                       TxReferences `json:"references"`
	AdditionalTransactionInformation string       `json:"additionalTransactionInformation,omitempty"`
}

// TxAmount is an amount written exactly from minor units.
type TxAmount struct {
	Value    json.Number `json:"value"`
	Currency string      `json:"currency"`
}

// CounterParty is the payee of a debit.
type CounterParty struct {
	IBAN      string `json:"iban"`
	Name      string `json:"name,omitempty"`
	AccountNo string `json:"accountNo,omitempty"`
	BankCode  string `json:"bankCode,omitempty"`
}

// TxReferences are the Czech payment symbols and the message.
type TxReferences struct {
	Variable string `json:"variable,omitempty"`
	Constant string `json:"constant,omitempty"`
	Specific string `json:"specific,omitempty"`
	Receiver string `json:"receiver,omitempty"`
}

// TransactionPage is ADAA's paged answer.
type TransactionPage struct {
	Content          []Transaction `json:"content"`
	TotalPages       int           `json:"totalPages"`
	PageNumber       int           `json:"pageNumber"`
	PageSize         int           `json:"pageSize"`
	NumberOfElements int           `json:"numberOfElements"`
	First            bool          `json:"first"`
	Last             bool          `json:"last"`
	Empty            bool          `json:"empty"`
}

const maxPageSize = 500

func (s *Server) handleTransactions(w http.ResponseWriter, r *http.Request) {
	iban, ok := strings.CutSuffix(strings.TrimPrefix(r.URL.Path, adaaPrefix), "/transactions")
	if !ok || iban == "" || strings.Contains(iban, "/") {
		writeJSON(w, http.StatusNotFound, errorBody{Errors: []APIError{{Code: "NOT_FOUND", Message: "no endpoint " + r.URL.Path}}})
		return
	}
	cl, ok := s.bearer(w, r, ScopeADAA)
	if !ok {
		return
	}
	if _, consented := cl.account(iban); !consented {
		writeJSON(w, http.StatusForbidden, errorBody{Errors: []APIError{{Code: "FORBIDDEN", Message: "Client has no access to account or account is in blacklist"}}})
		return
	}
	q := r.URL.Query()
	bad := func(param, value string) {
		writeJSON(w, http.StatusBadRequest, errorBody{Errors: []APIError{{Code: "INVALID_PARAMETER_VALUE", Message: "invalid " + param,
			AdditionalInfo: &AdditionalInfo{ParameterName: param, RejectedValue: value}}}})
	}
	from, to := q.Get("fromDate"), q.Get("toDate")
	for name, v := range map[string]string{"fromDate": from, "toDate": to} {
		if _, err := time.Parse(dateLayout, v); v != "" && err != nil {
			bad(name, v)
			return
		}
	}
	page, size := 0, 50
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			bad("page", v)
			return
		}
		page = n
	}
	if v := q.Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			bad("size", v)
			return
		}
		size = n
	}
	all := s.bookedFor(cl.ID, iban, from, to)
	out := TransactionPage{Content: []Transaction{}, PageNumber: page, PageSize: size,
		TotalPages: (len(all) + size - 1) / size, First: page == 0}
	if start := page * size; start < len(all) {
		out.Content = all[start:min(start+size, len(all))]
	}
	out.NumberOfElements = len(out.Content)
	out.Last = page >= out.TotalPages-1
	out.Empty = len(out.Content) == 0
	writeJSON(w, http.StatusOK, out)
}

// bookedFor lists the client's booked items debiting iban, oldest first,
// with booking dates within [from, to] when given.
func (s *Server) bookedFor(clientID, iban, from, to string) []Transaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	type booked struct {
		at time.Time
		tx Transaction
	}
	var list []booked
	for _, b := range s.st.Batches {
		if b.ClientID != clientID {
			continue
		}
		for _, it := range b.Items {
			st, at := b.itemState(it, now)
			if st != ItemBooked || it.DebtorIBAN != iban {
				continue
			}
			day := pragueDate(*at)
			if (from != "" && day < from) || (to != "" && day > to) {
				continue
			}
			list = append(list, booked{*at, transactionOf(it, *at, day)})
		}
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].at.Before(list[j].at) })
	out := make([]Transaction, len(list))
	for i, x := range list {
		out[i] = x.tx
	}
	return out
}

func transactionOf(it *item, at time.Time, day string) Transaction {
	exp, _ := money.Exponent(it.Currency)
	amt := TxAmount{Value: json.Number(money.FormatMinor(it.AmountMinor, exp)), Currency: it.Currency}
	tx := Transaction{
		LastUpdated: at.UTC().Format("2006-01-02T15:04:05.000Z"), AccountType: "KB", EntryReference: it.EntryRef,
		IBAN: it.DebtorIBAN, CreditDebitIndicator: "DEBIT", TransactionType: "DOMESTIC", Amount: amt,
		BookingDate: day, ValueDate: day, Instructed: amt, Status: "BOOK",
		CounterParty:                     CounterParty{IBAN: it.CreditorIBAN, Name: it.CreditorName},
		References:                       TxReferences{Receiver: it.Unstructured},
		AdditionalTransactionInformation: it.InstructionID,
	}
	if p, n, bank, err := account.CZFromIBAN(it.CreditorIBAN); err == nil {
		tx.CounterParty.AccountNo, tx.CounterParty.BankCode = account.FormatCZ(p, n), bank
	} else {
		tx.TransactionType = "FOREIGN"
	}
	for _, ref := range it.References {
		switch ref[:2] {
		case "VS":
			tx.References.Variable = ref[3:]
		case "KS":
			tx.References.Constant = ref[3:]
		case "SS":
			tx.References.Specific = ref[3:]
		}
	}
	return tx
}
