package bisim

import (
	"bytes"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzReportRequest sends arbitrary, correctly signed statement and balance
// requests (POST body or GET query) to a simulator holding invented
// credits. Whatever the input: no panic; only 200 or 400; a 400
// carries an error code; a 200 statement has from ≤ to and entries whose
// balances chain exactly (previous balance + amount = balance) and whose
// booking dates lie in from..to unless newOnly; a 200 balance answer lists
// days in from..to.
func FuzzReportRequest(f *testing.F) {
	f.Add(`{"requestId":"R1"}`, false, true)
	f.Add(`{"requestId":"R1","from":"2015-05-20","to":"150521","type":"Full"}`, false, true)
	f.Add(`{"requestId":"R1","newOnly":"true","from":"x"}`, false, true)
	f.Add(`{"requestId":"R1","from":"2015-05-22","to":"2015-05-21"}`, false, false)
	f.Add(`{"requestId":"R1","type":3,"from":"150101","to":"151231"}`, false, false)
	f.Add(`requestId=R1&from=2015-05-21&newOnly=1`, true, true)
	f.Add(`requestId=R1&type=2&from=991231`, true, false)
	f.Add(`{"requestId":"R1","newOnly":7}`, false, true)
	f.Fuzz(func(t *testing.T, in string, get, account bool) {
		clock := &fakeClock{t: vecTime}
		cfg := testConfig(clock)
		cfg.Credits = Credits{Every: 5 * time.Hour, Seed: 7}
		s, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		s.st.ClockOffset = int64(30 * time.Hour)
		path := "/report/balance"
		if account {
			path = "/report/account"
		}
		var req *http.Request
		reqID := "R1"
		if get {
			q, err := url.ParseQuery(in)
			if err != nil {
				return
			}
			reqID = q.Get("requestId")
			req = httptest.NewRequest("GET", path+"?"+q.Encode(), nil)
		} else {
			var probe struct {
				RequestID string `json:"requestId"`
			}
			json.Unmarshal([]byte(in), &probe)
			reqID = probe.RequestID
			req = httptest.NewRequest("POST", path, bytes.NewReader([]byte(in)))
		}
		if reqID == "" {
			reqID = "R1"
		}
		if !utf8.ValidString(reqID) {
			return // JSON cannot carry it into the Authorization header unchanged
		}
		req.Header.Set("Authorization", defaultSigner().simple(vecTime, reqID))
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		switch w.Code {
		case 400:
			var e errorBody
			if json.Unmarshal(w.Body.Bytes(), &e) != nil || len(e.Errors) == 0 || e.Errors[0].Code == "" {
				t.Fatalf("400 without an error code: %s", w.Body)
			}
			return
		case 200:
		default:
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		dec := json.NewDecoder(bytes.NewReader(w.Body.Bytes()))
		dec.UseNumber()
		var out struct {
			From, To string
			Entries  []struct {
				Date    json.RawMessage `json:"date"`
				Amount  json.Number     `json:"amount"`
				Balance json.Number     `json:"balance"`
			}
		}
		if err := dec.Decode(&out); err != nil {
			t.Fatalf("answer: %v", err)
		}
		if out.From > out.To {
			t.Fatalf("from %s > to %s", out.From, out.To)
		}
		if !account {
			for _, e := range out.Entries {
				var d string
				json.Unmarshal(e.Date, &d)
				if d < out.From || d > out.To {
					t.Fatalf("balance day %s outside %s..%s", d, out.From, out.To)
				}
			}
			return
		}
		var prev *big.Rat
		for i, e := range out.Entries {
			a, ok1 := new(big.Rat).SetString(e.Amount.String())
			b, ok2 := new(big.Rat).SetString(e.Balance.String())
			if !ok1 || !ok2 || a.Sign() == 0 {
				t.Fatalf("entry %d: amount %s balance %s", i, e.Amount, e.Balance)
			}
			if prev != nil && new(big.Rat).Add(prev, a).Cmp(b) != 0 {
				t.Fatalf("entry %d: %s + %s != %s", i, prev.FloatString(2), e.Amount, e.Balance)
			}
			prev = b
		}
	})
}
