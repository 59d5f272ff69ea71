package bisim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
)

// BenchmarkPayment100 measures one signed /payment of 100 transactions
// through the handler: auth (100 HMACs), validation, ledger, response.
func BenchmarkPayment100(b *testing.B) {
	s := fuzzServer(b)
	sig := defaultSigner()
	for i := 0; b.Loop(); i++ {
		txs := make([]tx, 100)
		for j := range txs {
			txs[j] = goodTx(fmt.Sprintf("B%d_%d", i, j))
		}
		reqID := fmt.Sprintf("RB%d", i)
		body, _ := json.Marshal(map[string]any{"requestId": reqID, "transactions": txs})
		r := httptest.NewRequest("POST", "/payment", bytes.NewReader(body))
		r.Header.Set("Authorization", sig.header(vecTime, reqID, txItems(txs)))
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		if w.Code != 200 {
			b.Fatalf("%d %s", w.Code, w.Body)
		}
		if i%50 == 49 {
			b.StopTimer()
			s.Reset() // keep the ledger from growing without bound
			b.StartTimer()
		}
	}
}
