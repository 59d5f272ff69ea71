package admin

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"erpconnector/connector/store"
)

// newStore opens a real store with one planned KB file (two payments, one
// awaiting authorisation), one rejected file, one file whose request has an
// unknown outcome, and a statement cursor.
func newStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(filepath.Join(t.TempDir(), "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	err = st.Update(func(tx *store.Tx) error {
		put := func(f *store.File) {
			if err == nil {
				err = tx.PutFile(f)
			}
		}
		put(&store.File{ID: "F000001", Route: "kb-out", Name: "<b>pay</b>.xml", State: store.FilePlanned, Kind: "pain.001",
			Requests: []string{"kb/AAA"}, Payments: 2, Totals: []string{"12999.50 CZK"}})
		put(&store.File{ID: "F000002", Route: "kb-out", Name: "bad.csv", State: store.FileRejected, Kind: "CSV",
			Problems: []string{"bad.csv:3: amount: \"12,5x\" is not a decimal"}, MoreProblems: 2})
		put(&store.File{ID: "F000003", Route: "bi-out", Name: "lost.json", State: store.FilePlanned, Kind: "BI-JSON",
			Requests: []string{"bi/BBB"}, Payments: 1})
		if err != nil {
			return err
		}
		for _, q := range []*store.Request{
			{Key: "kb/AAA", Bank: "kb", Kind: "kb", ID: "AAA", FileID: "F000001", State: store.ReqAccepted, Attempts: 1},
			{Key: "bi/BBB", Bank: "bi", Kind: "bankintegration", ID: "BBB", FileID: "F000003", State: store.ReqUnknown, Attempts: 2, LastError: "timeout after send"},
		} {
			if err := tx.PutRequest(q); err != nil {
				return err
			}
		}
		for _, p := range []*store.Payment{
			{FileID: "F000001", Index: 0, RequestKey: "kb/AAA", PaymentID: "P1", Minor: 1000000, Currency: "CZK", State: store.PayAwaitingAuthorisation},
			{FileID: "F000001", Index: 1, RequestKey: "kb/AAA", PaymentID: "P2", Minor: 299950, Currency: "CZK", State: store.PayBooked},
			{FileID: "F000003", Index: 0, RequestKey: "bi/BBB", PaymentID: "P3", Minor: 100, Currency: "DKK", State: store.PayUnknown},
		} {
			if err := tx.PutPayment(p); err != nil {
				return err
			}
		}
		c, _ := json.Marshal(map[string]any{"bank": "kb", "account": "CZ6501000000001234567890", "seq": 7, "written": 42,
			"last_to": "2025-03-31", "last_error": "HTTP 503"})
		return tx.PutKV("stmt/kb/CZ6501000000001234567890/cursor", c)
	})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// setState changes a file's state as the daemon would.
func setState(t *testing.T, st *store.Store, id string, s store.FileState) {
	t.Helper()
	if err := st.Update(func(tx *store.Tx) error {
		f, err := tx.File(id)
		if err != nil {
			return err
		}
		f.State = s
		return tx.PutFile(f)
	}); err != nil {
		t.Fatal(err)
	}
}
