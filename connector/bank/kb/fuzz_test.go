package kb

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"reflect"
	"strings"
	"testing"

	"erpconnector/connector/bank"
	"erpconnector/formats/kbjson"
	"erpconnector/formats/money"
)

// FuzzParseResponse: ParseResponse never panics, always returns the response
// with its raw body, fails only with a *MismatchError, and never accepts an
// answer that an independent reading (encoding/json + math/big) finds not
// to confirm what was sent: counts, exact totals and echoes.
func FuzzParseResponse(f *testing.F) {
	partial := okFields()
	partial["instructionStatus"], partial["rejectedTransactionDebitCount"], partial["totalDebitAmount"] = "ACWC", json.Number("1"), json.Number("12500.00")
	for _, seed := range []string{
		okBody(),
		mustJSON(partial),
		strings.Replace(okBody(), "12999.5", "1.29995e4", 1),
		strings.Replace(okBody(), "12999.5", "12999.50000000000000000000", 1),
		strings.Replace(okBody(), "12999.5", "12999.49", 1),
		strings.Replace(okBody(), "12999.5", `"12999.5"`, 1),
		strings.Replace(okBody(), `"transactionDebitCount":2`, `"transactionDebitCount":2,"transactionDebitCount":3`, 1),
		`{"transactionIdentification":"0000000001","batchDigest":"D","transactionCreditCount":0,"rejectedTransactionCreditCount":0,"transactionDebitCount":1,"rejectedTransactionDebitCount":0,"totalCreditAmount":0.00,"totalDebitAmount":0.01,"batchProcessingMode":"BATCH","signInfo":{"state":"NONE"},"instructionStatus":"ACTC","exchangeIdentification":"x"}`,
		``, `{}`, `[]`, `null`, `{"totalDebitAmount":1e99999}`,
	} {
		f.Add([]byte(seed), 2, int64(1299950), "ONLINE", "a1b2c3d4e5f601")
	}
	f.Add([]byte(`{"transactionIdentification":"0000000001","batchDigest":"D","transactionCreditCount":0,"rejectedTransactionCreditCount":0,"transactionDebitCount":1,"rejectedTransactionDebitCount":0,"totalCreditAmount":0.00,"totalDebitAmount":0.01,"batchProcessingMode":"BATCH","signInfo":{"state":"NONE"},"instructionStatus":"ACTC","exchangeIdentification":"x"}`),
		1, int64(1), "BATCH", "x")
	f.Fuzz(func(t *testing.T, body []byte, count int, totalMinor int64, mode, exch string) {
		if totalMinor <= 0 {
			totalMinor = 1
		}
		s := Sent{
			Headers: map[string]string{kbjson.HeaderProcessingMode: mode, kbjson.HeaderExchangeID: exch},
			Body:    []byte("{}"), Count: count, Total: money.Amount{Minor: totalMinor, Currency: "CZK"},
		}
		r, err := ParseResponse(body, s)
		if r == nil || !bytes.Equal(r.Raw, body) {
			t.Fatal("no response or raw body lost")
		}
		if err != nil {
			var mis *MismatchError
			if !errors.As(err, &mis) || mis.Response != r || mis.Why == "" || !errors.Is(err, bank.ErrOutcomeUnknown) {
				t.Fatalf("error %T %v is not a complete MismatchError", err, err)
			}
			return
		}
		// Accepted: check it independently.
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("accepted a body encoding/json cannot read: %v", err)
		}
		num := func(k string) *big.Rat {
			n, ok := m[k].(json.Number)
			if !ok {
				t.Fatalf("accepted %s = %#v, not a number", k, m[k])
			}
			v, ok := new(big.Rat).SetString(n.String())
			if !ok {
				t.Fatalf("accepted %s = %s, not a number math/big reads", k, n)
			}
			return v
		}
		str := func(k string) string {
			v, _ := m[k].(string)
			return v
		}
		sum := new(big.Rat).Add(num("transactionDebitCount"), num("transactionCreditCount"))
		if sum.Cmp(big.NewRat(int64(count), 1)) != 0 {
			t.Fatalf("accepted counts summing to %s for %d items", sum, count)
		}
		sent := big.NewRat(totalMinor, 100)
		debit := num("totalDebitAmount")
		rejected := new(big.Rat).Add(num("rejectedTransactionDebitCount"), num("rejectedTransactionCreditCount"))
		if rejected.Sign() == 0 && debit.Cmp(sent) != 0 {
			t.Fatalf("accepted totalDebitAmount %s for %s sent", debit.FloatString(20), sent.FloatString(2))
		}
		if debit.Sign() < 0 || debit.Cmp(sent) > 0 {
			t.Fatalf("accepted totalDebitAmount %s outside [0, %s]", debit.FloatString(20), sent.FloatString(2))
		}
		if got, ok := new(big.Rat).SetString(r.TotalDebitAmount.String()); !ok || got.Cmp(debit) != 0 {
			t.Fatalf("TotalDebitAmount %s differs from the body's %s", r.TotalDebitAmount, debit.FloatString(20))
		}
		if str("batchProcessingMode") != mode || str("exchangeIdentification") != exch {
			t.Fatalf("accepted echoes %q/%q for %q/%q", str("batchProcessingMode"), str("exchangeIdentification"), mode, exch)
		}
		if st := str("instructionStatus"); st != "ACTC" && st != "ACWC" {
			t.Fatalf("accepted instructionStatus %q", st)
		}
		si, _ := m["signInfo"].(map[string]any)
		switch st, _ := si["state"].(string); st {
		case "OPEN", "CLOSE", "REJECT", "NONE":
		default:
			t.Fatalf("accepted signInfo %v", m["signInfo"])
		}
	})
}

// FuzzDecimalFromJSON: the number grammar agrees with encoding/json, and
// every accepted literal has exactly the value math/big reads from it.
func FuzzDecimalFromJSON(f *testing.F) {
	for _, s := range []string{"0", "12999.50", "-0.01", "1e3", "1.29995E+4", "125e-2", "01", "1.", ".5", "1e65", "1e-64", "0.0000000000000000001", "99999999999999999999", " 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lit := s != "" && (s[0] == '-' || s[0] >= '0' && s[0] <= '9') && !strings.ContainsAny(s, " \t\r\n")
		if want := lit && json.Valid([]byte(s)); isJSONNumber(s) != want {
			t.Fatalf("isJSONNumber(%q) = %v, encoding/json says %v", s, !want, want)
		}
		d, err := decimalFromJSON(s)
		if err != nil {
			return
		}
		want, ok := new(big.Rat).SetString(s)
		got, ok2 := new(big.Rat).SetString(d.String())
		if !ok || !ok2 || want.Cmp(got) != 0 {
			t.Fatalf("decimalFromJSON(%q) = %s, math/big reads %v", s, d, want)
		}
	})
}

// FuzzParseProblems: any error body gives a bounded list of non-empty
// problems, the same every time, and never panics.
func FuzzParseProblems(f *testing.F) {
	for _, s := range []string{
		`{"errors":[{"error":"AM05","scope":"x-exchange-identification","message":"duplicate"}]}`,
		`{"errors":[{"code":"INVALID_HEADER_VALUE","message":"m","additionalInfo":{"parameterName":"x-correlation-id","rejectedValue":"v"}}]}`,
		`{"errors":[{"errorCode":"FIELD_INVALID","scope":"contacts","description":"d"}]}`,
		`{"errors":[{"error":"DT01","parameters":{"min":"2026-06-16","n":1}}]}`,
		`{"error":"invalid_token","error_description":"expired"}`,
		`<am:fault xmlns:am="http://wso2.org/apimanager"><am:code>101504</am:code><am:message>Runtime Error</am:message><am:description>Send timeout</am:description></am:fault>`,
		`{"errors":[null,1,"x",{}]}`, `<html/>`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ps := parseProblems(body)
		if len(ps) > maxProblems {
			t.Fatalf("%d problems", len(ps))
		}
		for _, p := range ps {
			if p == (Problem{}) || p.String() == "" {
				t.Fatalf("empty problem from %q", body)
			}
		}
		if again := parseProblems(body); !reflect.DeepEqual(ps, again) {
			t.Fatalf("not deterministic: %v / %v", ps, again)
		}
	})
}
