package kb

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"erpconnector/connector/bank"
)

func TestParseResponse(t *testing.T) {
	set := func(kv ...any) string {
		f := okFields()
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(f, kv[i].(string))
			} else {
				f[kv[i].(string)] = kv[i+1]
			}
		}
		return mustJSON(f)
	}
	n := func(s string) json.Number { return json.Number(s) }
	cases := []struct {
		name    string
		body    string
		why     string // "" = accepted; else a substring of MismatchError.Why
		partial bool
	}{
		{name: "spec answer", body: okBody()},
		{name: "currency scale", body: set("totalDebitAmount", n("12999.50"), "totalCreditAmount", n("0.00"))},
		{name: "extra zeros", body: set("totalDebitAmount", n("12999.500000"))},
		{name: "exponent", body: set("totalDebitAmount", n("1.29995E4"))},
		{name: "negative exponent", body: set("totalDebitAmount", n("1299950e-2"))},
		{name: "unknown fields are ignored", body: set("somethingNew", "x")},
		{name: "signId optional", body: set("signInfo", map[string]any{"state": "OPEN"})},
		{name: "signID spelling", body: set("signInfo", map[string]any{"state": "CLOSE", "signID": "S1"})},
		{name: "sign states", body: set("signInfo", map[string]any{"state": "NONE"})},
		{name: "statusChangeInfo", body: set("statusChangeInfo", "note")},

		{name: "ACWC with rejects, total of imported items", partial: true,
			body: set("instructionStatus", "ACWC", "rejectedTransactionDebitCount", n("1"), "totalDebitAmount", n("12500.00"))},
		{name: "ACWC, total of all items", partial: true,
			body: set("instructionStatus", "ACWC", "rejectedTransactionDebitCount", n("1"))},
		{name: "ACWC without rejected counts", partial: true, body: set("instructionStatus", "ACWC")},
		{name: "rejects under ACTC", partial: true,
			body: set("rejectedTransactionDebitCount", n("1"), "totalDebitAmount", n("499.5"))},
		{name: "all rejected, zero total", partial: true,
			body: set("instructionStatus", "ACWC", "rejectedTransactionDebitCount", n("2"), "totalDebitAmount", n("0"))},

		{name: "total one haler off", body: set("totalDebitAmount", n("12999.49")), why: "totalDebitAmount 12999.49, but 12999.50 CZK was sent"},
		{name: "total beyond float precision", body: set("totalDebitAmount", n("12999.500000000000000001")), why: "totalDebitAmount"},
		{name: "total as string", body: set("totalDebitAmount", "12999.50"), why: "totalDebitAmount is not an exact decimal number"},
		{name: "total null", body: set("totalDebitAmount", json.RawMessage("null")), why: "totalDebitAmount is missing"},
		{name: "negative total", body: set("totalCreditAmount", n("-0.01")), why: "negative total"},
		{name: "partial total above sent", partial: true,
			body: set("instructionStatus", "ACWC", "rejectedTransactionDebitCount", n("1"), "totalDebitAmount", n("12999.51")), why: "exceeds"},
		{name: "partial zero total with imports", partial: true,
			body: set("instructionStatus", "ACWC", "rejectedTransactionDebitCount", n("1"), "totalDebitAmount", n("0")), why: "zero although 1 debit item"},
		{name: "credit total without credits", body: set("totalCreditAmount", n("1")), why: "totalCreditAmount 1 without any credit item"},
		{name: "count short", body: set("transactionDebitCount", n("1")), why: "debit+credit count 1+0, but 2 items were sent"},
		{name: "count via credit", body: set("transactionDebitCount", n("1"), "transactionCreditCount", n("1"), "totalDebitAmount", n("12500")), why: "totalDebitAmount 12500, but 12999.50 CZK was sent"},
		{name: "rejected above count", partial: true, body: set("rejectedTransactionCreditCount", n("1")), why: "rejectedTransactionCreditCount 1 exceeds transactionCreditCount 0"},
		{name: "count not integer", body: set("transactionDebitCount", n("2.0")), why: "transactionDebitCount is not a whole number"},
		{name: "count negative", body: set("transactionDebitCount", n("-2")), why: "transactionDebitCount is not a whole number"},
		{name: "count missing", body: set("rejectedTransactionDebitCount", nil), why: "rejectedTransactionDebitCount is missing"},
		{name: "mode echo", body: set("batchProcessingMode", "BATCH"), why: `batchProcessingMode "BATCH", but x-batch-processing-mode was "ONLINE"`},
		{name: "exchange echo", body: set("exchangeIdentification", "a1b2c3d4e5f602"), why: `exchangeIdentification "a1b2c3d4e5f602"`},
		{name: "exchange missing", body: set("exchangeIdentification", nil), why: "exchangeIdentification is missing"},
		{name: "status RJCT", body: set("instructionStatus", "RJCT"), why: `instructionStatus "RJCT"`},
		{name: "sign state unknown", body: set("signInfo", map[string]any{"state": "PENDING"}), why: `signInfo.state "PENDING"`},
		{name: "sign state missing", body: set("signInfo", map[string]any{"signId": "x"}), why: "signInfo.state is missing"},
		{name: "signInfo wrong type", body: set("signInfo", "OPEN"), why: "signInfo is not an object"},
		{name: "signInfo key case", body: set("signInfo", map[string]any{"State": "OPEN"}), why: "signInfo.state is missing"},
		{name: "signInfo state not a string", body: set("signInfo", map[string]any{"state": 1}), why: "signInfo.state is not a string"},
		{name: "transaction ID too long", body: set("transactionIdentification", "000012GYPUX"), why: "transactionIdentification has 11 characters"},
		{name: "transaction ID empty", body: set("transactionIdentification", ""), why: "transactionIdentification is empty"},
		{name: "transaction ID number", body: set("transactionIdentification", n("12")), why: "transactionIdentification is not a string"},
		{name: "digest too long", body: set("batchDigest", strings.Repeat("A", 51)), why: "batchDigest has 51 characters"},
		{name: "duplicate key", body: strings.Replace(okBody(), `{`, `{"totalDebitAmount":1,`, 1), why: `key "totalDebitAmount" appears twice`},
		{name: "trailing data", body: okBody() + `{}`, why: "data after the object"},
		{name: "array", body: `[` + okBody() + `]`, why: "not an object"},
		{name: "empty", body: ``, why: "not the BATCHDA JSON object"},
		{name: "truncated", body: okBody()[:100], why: "not the BATCHDA JSON object"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := ParseResponse([]byte(tc.body), specSent())
			if r == nil || string(r.Raw) != tc.body {
				t.Fatalf("response %+v must always come back with the raw body", r)
			}
			var mis *MismatchError
			switch {
			case tc.why == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.why != "" && !errors.As(err, &mis):
				t.Fatalf("accepted (%v), want a mismatch about %q", err, tc.why)
			case tc.why != "":
				if !strings.Contains(mis.Why, tc.why) {
					t.Errorf("why %q\nwant it to mention %q", mis.Why, tc.why)
				}
				if mis.Response != r || !errors.Is(err, bank.ErrOutcomeUnknown) {
					t.Errorf("mismatch must carry the response and be an unknown outcome")
				}
				return
			}
			if r.Partial() != tc.partial {
				t.Errorf("Partial() %v, want %v", r.Partial(), tc.partial)
			}
		})
	}
}

func TestParseResponseFields(t *testing.T) {
	body := `{"transactionIdentification":"000012GYPU","batchDigest":"AB","transactionCreditCount":0,
		"rejectedTransactionCreditCount":0,"transactionDebitCount":2,"rejectedTransactionDebitCount":1,
		"totalCreditAmount":0,"totalDebitAmount":12500.00,"batchProcessingMode":"ONLINE",
		"signInfo":{"state":"OPEN","signId":"SIGN-1"},"instructionStatus":"ACWC",
		"statusChangeInfo":"1 of 2 payments rejected at import","exchangeIdentification":"a1b2c3d4e5f601"}`
	r, err := ParseResponse([]byte(body), specSent())
	if err != nil {
		t.Fatal(err)
	}
	want := Response{TransactionIdentification: "000012GYPU", BatchDigest: "AB", TransactionDebitCount: 2,
		RejectedTransactionDebitCount: 1, BatchProcessingMode: "ONLINE", SignInfo: SignInfo{"OPEN", "SIGN-1"},
		InstructionStatus: "ACWC", ExchangeIdentification: "a1b2c3d4e5f601", StatusChangeInfo: "1 of 2 payments rejected at import"}
	got := *r
	got.Raw, got.TotalDebitAmount, got.TotalCreditAmount = nil, want.TotalDebitAmount, want.TotalCreditAmount
	if got.String() != want.String() {
		t.Errorf("got  %s\nwant %s", got.String(), want.String())
	}
	if r.TotalDebitAmount.String() != "12500.00" || r.TotalCreditAmount.String() != "0" || r.Rejected() != 1 || !r.Partial() {
		t.Errorf("totals %s / %s, rejected %d", r.TotalDebitAmount, r.TotalCreditAmount, r.Rejected())
	}
}

// String is a test-only dump that compares every field but Raw.
func (r Response) String() string {
	r.Raw = nil
	return mustJSON(r)
}

func TestDecimalFromJSON(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0", "0"}, {"12999.5", "12999.5"}, {"12999.50", "12999.50"}, {"-0.01", "-0.01"},
		{"1e3", "1000"}, {"1E+3", "1000"}, {"1.5e1", "15"}, {"125e-2", "1.25"}, {"5e-1", "0.5"}, {"0.5e1", "5"},
		{"1.0000000000000000000000", "1"}, {"0.000000000000000001", "0.000000000000000001"},
		{"1e-64", ""}, {"1e65", ""}, {"1e99999999999", ""}, {"0.0000000000000000001", ""},
		{"01", ""}, {"1.", ""}, {".5", ""}, {"+1", ""}, {"1e", ""}, {"--1", ""}, {`"1"`, ""}, {"NaN", ""}, {"", ""},
		{"99999999999999999999", ""}, {"9223372036854775807", "9223372036854775807"}, {"9223372036854775808", ""}, {"1e19", ""},
	} {
		d, err := decimalFromJSON(tc.in)
		got := ""
		if err == nil {
			got = d.String()
		}
		if got != tc.want {
			t.Errorf("decimalFromJSON(%q) = %q (%v), want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestParseProblems(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{"errors":[{"error":"AM05","scope":"x-exchange-identification","message":"duplicate"}]}`, "AM05 at x-exchange-identification: duplicate"},
		{`{"errors":[{"message":"Required String parameter 'x-correlation-id' is not present","additionalInfo":{"parameterName":"x-correlation-id"}}]}`,
			"at x-correlation-id: Required String parameter 'x-correlation-id' is not present"},
		{`{"errors":[{"error":"UNAUTHORISED","message":"Missing certificate or access token"}]}`, "UNAUTHORISED: Missing certificate or access token"},
		{`{"error":"invalid_token","error_description":"expired"}`, "invalid_token: expired"},
		{`{"errors":[{},{"error":"FF01"},42,"x"]}`, "FF01"},
		{`{"errors":{"error":"X"}}`, ""},
		{`<am:fault xmlns:am="http://wso2.org/apimanager"><am:code>900901</am:code><am:message>Invalid Credentials</am:message></am:fault>`, "900901: Invalid Credentials"},
		{`<html>oops</html>`, ""},
		{`not json`, ""},
		{``, ""},
	} {
		if got := problemsText(parseProblems([]byte(tc.body))); got != tc.want {
			t.Errorf("%s\n got: %q\nwant: %q", tc.body, got, tc.want)
		}
	}
	many := `{"errors":[` + strings.TrimSuffix(strings.Repeat(`{"error":"X"},`, 1000), ",") + `]}`
	if n := len(parseProblems([]byte(many))); n != maxProblems {
		t.Errorf("%d problems kept, want the cap %d", n, maxProblems)
	}
}
