package kbsim

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"erpconnector/formats/money"
)

func TestSpecExampleAccepted(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.login(testClient, testSecret, "").AccessToken
	r := h.submit(tok, "a1b2c3d4e5f601", specBody)
	if r.Code != 200 {
		t.Fatalf("status %d: %s", r.Code, r.Body)
	}
	if r.Header.Get("x-correlation-id") != testCorrID {
		t.Errorf("correlation id not echoed")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(r.Body, &raw); err != nil {
		t.Fatal(err)
	}
	// totalDebitAmount is exactly 12999.5, written from integers.
	total, err := money.ParseDec(string(raw["totalDebitAmount"]))
	if err != nil || !sameDec(total, money.Dec{Units: 129995, Scale: 1}) {
		t.Errorf("totalDebitAmount %s", raw["totalDebitAmount"])
	}
	if string(raw["totalDebitAmount"]) != "12999.50" || string(raw["totalCreditAmount"]) != "0.00" {
		t.Errorf("amounts not written with the currency's 2 decimals: %s %s", raw["totalDebitAmount"], raw["totalCreditAmount"])
	}
	var resp BatchResponse
	if err := json.Unmarshal(r.Body, &resp); err != nil {
		t.Fatal(err)
	}
	sum := sha1.Sum([]byte(specBody))
	want := BatchResponse{
		TransactionIdentification: resp.TransactionIdentification,
		BatchDigest:               strings.ToUpper(hex.EncodeToString(sum[:])),
		TransactionDebitCount:     2, TotalCreditAmount: "0.00", TotalDebitAmount: "12999.50",
		BatchProcessingMode: "ONLINE", SignInfo: SignInfo{State: "OPEN", SignID: "SIGN-" + resp.TransactionIdentification},
		InstructionStatus: "ACTC", ExchangeIdentification: "a1b2c3d4e5f601",
	}
	if !reflect.DeepEqual(resp, want) {
		t.Errorf("response\n got %+v\nwant %+v", resp, want)
	}
	if !regexp.MustCompile(`^[0-9A-Z]{10}$`).MatchString(resp.TransactionIdentification) {
		t.Errorf("transactionIdentification %q", resp.TransactionIdentification)
	}
	// The ledger holds the batch, its items and one reception.
	l := h.srv.Ledger()
	b, ok := l.Batch(resp.TransactionIdentification)
	if !ok || b.State != BatchForSignature || b.SignState != SignOpen || b.Received != 1 || l.Received("a1b2c3d4e5f601") != 1 ||
		b.TotalDebitMinor != 1299950 || b.TotalDebit != "12999.50" || b.InstructionName != "Dodavatele 2026-06-16" ||
		b.CorrelationID != testCorrID || b.DebtorIBAN != debtorIBAN || len(b.Items) != 2 {
		t.Fatalf("ledger batch %+v", b)
	}
	it := b.Items[1]
	if it.InstructionIdentification != "RENT202606" || it.AmountMinor != 49950 || it.Amount != "499.50" || it.Currency != "CZK" ||
		it.CreditorIBAN != "CZ6203000000001000000005" || !reflect.DeepEqual(it.References, []string{"VS:20260042", "SS:1234"}) ||
		it.Unstructured != "Najem cerven" || it.State != ItemAwaitingSignature || it.RequestedExecutionDate != "2026-06-16" {
		t.Errorf("ledger item %+v", it)
	}
	if b.Items[0].CreditorName != "Dodavatel s.r.o." {
		t.Errorf("creditor name %q", b.Items[0].CreditorName)
	}
}

func sameDec(a, b money.Dec) bool {
	for a.Scale < b.Scale {
		a.Units, a.Scale = a.Units*10, a.Scale+1
	}
	for b.Scale < a.Scale {
		b.Units, b.Scale = b.Units*10, b.Scale+1
	}
	return a == b
}

// specItems returns the §8 example's items as generic JSON for mutation.
func specItems(t *testing.T) []any {
	t.Helper()
	var root map[string]any
	dec := json.NewDecoder(strings.NewReader(specBody))
	dec.UseNumber()
	if err := dec.Decode(&root); err != nil {
		t.Fatal(err)
	}
	return root[rootKey].([]any)
}

// setPath sets (or with del deletes) a dotted path inside item i.
func setPath(items []any, i int, path string, v any, del bool) {
	m := items[i].(map[string]any)
	keys := strings.Split(path, ".")
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	if del {
		delete(m, keys[len(keys)-1])
	} else {
		m[keys[len(keys)-1]] = v
	}
}

func itemScope(i int, path string) string { return fmt.Sprintf("%s[%d].%s", rootKey, i, path) }

func TestBatchValidation(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.login(testClient, testSecret, "").AccessToken
	set := func(i int, path string, v any) func([]any) { return func(it []any) { setPath(it, i, path, v, false) } }
	del := func(i int, path string) func([]any) { return func(it []any) { setPath(it, i, path, nil, true) } }
	num := func(s string) json.Number { return json.Number(s) }
	e := func(code, scope, msg string) APIError { return APIError{Error: code, Scope: scope, Message: msg} }
	amountScope := itemScope(0, "amount.instructedAmount.value")
	cases := []struct {
		name string
		mod  func([]any)
		want []APIError
	}{
		{"zero amount", set(0, "amount.instructedAmount.value", num("0")), []APIError{e("AM12", amountScope, "amount must be greater than zero")}},
		{"negative amount", set(0, "amount.instructedAmount.value", num("-5")), []APIError{e("AM12", amountScope, "amount must be greater than zero")}},
		{"three decimals", set(0, "amount.instructedAmount.value", num("1.005")), []APIError{e("AM12", amountScope, "1.005 has more decimal places than CZK allows")}},
		{"trailing zero decimal", set(0, "amount.instructedAmount.value", num("1.000")), []APIError{e("AM12", amountScope, "1.000 has more decimal places than CZK allows")}},
		{"amount as string", set(0, "amount.instructedAmount.value", "12500.00"), []APIError{e("AM12", amountScope, "must be a JSON number, not string")}},
		{"amount missing", del(0, "amount.instructedAmount.value"), []APIError{e("FIELD_MISSING", amountScope, "field is required")}},
		{"JPY with decimals", func(it []any) {
			for i := range it {
				setPath(it, i, "amount.instructedAmount.currency", "JPY", false)
			}
		}, []APIError{e("AM12", amountScope, "12500.00 has more decimal places than JPY allows"), e("AM12", itemScope(1, "amount.instructedAmount.value"), "499.50 has more decimal places than JPY allows")}},
		{"unknown currency", set(1, "amount.instructedAmount.currency", "XYZ"), []APIError{e("AM11", itemScope(1, "amount.instructedAmount.currency"), `"XYZ" is not a supported ISO 4217 currency`)}},
		{"lower-case currency", set(1, "amount.instructedAmount.currency", "czk"), []APIError{e("AM11", itemScope(1, "amount.instructedAmount.currency"), `"czk" is not a supported ISO 4217 currency`)}},
		{"currency differs", set(1, "amount.instructedAmount.currency", "EUR"), []APIError{e("CURR_DIFFERENT", itemScope(1, "amount.instructedAmount.currency"), "EUR differs from the batch currency CZK")}},
		{"date in the past", set(0, "requestedExecutionDate", "2026-06-15"), []APIError{e("DT01", itemScope(0, "requestedExecutionDate"), "2026-06-15 is in the past (today is 2026-06-16)")}},
		{"date not ISO", set(0, "requestedExecutionDate", "16.06.2026"), []APIError{e("DT01", itemScope(0, "requestedExecutionDate"), `"16.06.2026" is not a date YYYY-MM-DD`)}},
		{"impossible date", set(0, "requestedExecutionDate", "2026-02-30"), []APIError{e("DT01", itemScope(0, "requestedExecutionDate"), `"2026-02-30" is not a date YYYY-MM-DD`)}},
		{"date missing", del(0, "requestedExecutionDate"), []APIError{e("FIELD_MISSING", itemScope(0, "requestedExecutionDate"), "field is required")}},
		{"instruction id missing", del(0, "paymentIdentification.instructionIdentification"), []APIError{e("FIELD_MISSING", itemScope(0, "paymentIdentification.instructionIdentification"), "field is required")}},
		{"instruction id 36 chars", set(0, "paymentIdentification.instructionIdentification", strings.Repeat("X", 36)), []APIError{e("FIELD_INVALID", itemScope(0, "paymentIdentification.instructionIdentification"), "36 characters; at most 35")}},
		{"instruction id empty", set(0, "paymentIdentification.instructionIdentification", ""), []APIError{e("FIELD_INVALID", itemScope(0, "paymentIdentification.instructionIdentification"), "must not be empty")}},
		{"creditor IBAN mod-97", set(0, "creditorAccount.identification.iban", "CZ5608000000001234567899"), []APIError{e("AC03", itemScope(0, "creditorAccount.identification.iban"), `IBAN "CZ5608000000001234567899": check digits do not match (mod 97)`)}},
		// Passes mod-97 but the account number fails the Czech mod-11 check.
		{"creditor IBAN mod-11", set(0, "creditorAccount.identification.iban", "CZ4701000000001234567890"), nil},
		{"debtor IBAN mod-97", set(0, "debtorAccount.identification.iban", "CZ0901000000192000145399"), []APIError{e("AC02", itemScope(0, "debtorAccount.identification.iban"), `IBAN "CZ0901000000192000145399": check digits do not match (mod 97)`)}},
		{"debtor IBAN with spaces", set(0, "debtorAccount.identification.iban", "CZ08 0100 0000 1920 0014 5399"), []APIError{e("AC02", itemScope(0, "debtorAccount.identification.iban"), `IBAN "CZ08 0100 0000 1920 0014 5399" is not normalised: spaces or lower-case letters`)}},
		{"debtor not consented", func(it []any) {
			for i := range it {
				setPath(it, i, "debtorAccount.identification.iban", "CZ6203000000001000000005", false)
			}
			setPath(it, 1, "creditorAccount.identification.iban", creditorIBAN, false)
		}, []APIError{
			e("AC02", itemScope(0, "debtorAccount.identification.iban"), "CZ6203000000001000000005 is not an account the client has consented to"),
			e("AC02", itemScope(1, "debtorAccount.identification.iban"), "CZ6203000000001000000005 is not an account the client has consented to")}},
		{"debtor differs", set(1, "debtorAccount.identification.iban", debtor2IBAN), []APIError{e("ACC_DIFFERENT", itemScope(1, "debtorAccount.identification.iban"), "CZ9701000000002198370339 differs from the batch's debtor account CZ0801000000192000145399")}},
		{"debtor currency", set(0, "debtorAccount.currency", "EUR"), []APIError{e("AC10", itemScope(0, "debtorAccount.currency"), "EUR is not the account currency CZK")}},
		{"payer is payee", set(0, "creditorAccount.identification.iban", debtorIBAN), []APIError{e("REC_SEND", itemScope(0, "creditorAccount.identification.iban"), "payer and payee accounts are the same")}},
		{"creditor account missing", del(0, "creditorAccount"), []APIError{e("FIELD_MISSING", itemScope(0, "creditorAccount"), "field is required")}},
		{"charge bearer", set(0, "chargeBearer", "OUR"), []APIError{e("BE19", itemScope(0, "chargeBearer"), `"OUR" is not one of DEBT, CRED, SHAR, SLEV`)}},
		{"charge bearer ok", set(0, "chargeBearer", "SHAR"), nil},
		{"symbol with letters", set(0, "remittanceInformation.structured.creditorReferenceInformation.reference", []any{"VS:12A"}),
			[]APIError{e("FIELD_INVALID", itemScope(0, "remittanceInformation.structured.creditorReferenceInformation.reference[0]"), `"VS:12A" is not VS:, KS: or SS: followed by 1 to 10 digits`)}},
		{"symbol 11 digits", set(0, "remittanceInformation.structured.creditorReferenceInformation.reference", []any{"SS:12345678901"}),
			[]APIError{e("FIELD_INVALID", itemScope(0, "remittanceInformation.structured.creditorReferenceInformation.reference[0]"), `"SS:12345678901" is not VS:, KS: or SS: followed by 1 to 10 digits`)}},
		{"two variable symbols", set(0, "remittanceInformation.structured.creditorReferenceInformation.reference", []any{"VS:1", "KS:308", "VS:2"}),
			[]APIError{e("FIELD_INVALID", itemScope(0, "remittanceInformation.structured.creditorReferenceInformation.reference[2]"), "VS given more than once")}},
		{"reference as a single string", set(0, "remittanceInformation.structured.creditorReferenceInformation.reference", "VS:2026001"), nil},
		{"reference as a bad single string", set(0, "remittanceInformation.structured.creditorReferenceInformation.reference", "2026001"),
			[]APIError{e("FIELD_INVALID", itemScope(0, "remittanceInformation.structured.creditorReferenceInformation.reference"), `"2026001" is not VS:, KS: or SS: followed by 1 to 10 digits`)}},
		{"message 141 chars", set(0, "remittanceInformation.unstructured", strings.Repeat("a", 141)), []APIError{e("FIELD_INVALID", itemScope(0, "remittanceInformation.unstructured"), "141 characters; at most 140")}},
		{"message with Czech letters", set(0, "remittanceInformation.unstructured", "Nájem červen – ŽLUŤOUČKÝ kůň"), []APIError{e("RF01", itemScope(0, "remittanceInformation.unstructured"), `character '–' is outside the Czech payment character set`)}},
		{"message Czech letters only", set(0, "remittanceInformation.unstructured", "Nájem červen, ŽLUŤOUČKÝ kůň / 2026"), nil},
		{"message with newline", set(0, "remittanceInformation.unstructured", "a\nb"), []APIError{e("RF01", itemScope(0, "remittanceInformation.unstructured"), `character '\n' is outside the Czech payment character set`)}},
		{"unknown item key", set(0, "PaymentIdentification", map[string]any{"instructionIdentification": "X"}), []APIError{e("FIELD_INVALID", itemScope(0, "PaymentIdentification"), "unknown field")}},
		{"unknown nested key", set(1, "amount.instructedAmount.amount", num("1")), []APIError{e("FIELD_INVALID", itemScope(1, "amount.instructedAmount.amount"), "unknown field")}},
		{"priority", set(0, "paymentTypeInformation.instructionPriority", "URGENT"), []APIError{e("FIELD_INVALID", itemScope(0, "paymentTypeInformation.instructionPriority"), `"URGENT" is not one of NORM, HIGH, INST`)}},
		{"amount object as array", set(0, "amount", []any{}), []APIError{e("FIELD_INVALID", itemScope(0, "amount"), "must be an object, not array")}},
		{"exponent amount is exact", set(0, "amount.instructedAmount.value", num("1.25e4")), nil},
		{"creditor name too long", set(0, "creditor.name", strings.Repeat("N", 141)), []APIError{e("RR03", itemScope(0, "creditor.name"), "141 characters; at most 140")}},
		{"country code", set(0, "creditor.postalAddress.country", "CZE"), []APIError{e("FIELD_INVALID", itemScope(0, "creditor.postalAddress.country"), `"CZE" is not an ISO 3166 alpha-2 code`)}},
		{"two errors in one item", func(it []any) {
			setPath(it, 0, "amount.instructedAmount.value", num("0.001"), false)
			setPath(it, 0, "chargeBearer", "X", false)
		}, []APIError{e("AM12", amountScope, "0.001 has more decimal places than CZK allows"), e("BE19", itemScope(0, "chargeBearer"), `"X" is not one of DEBT, CRED, SHAR, SLEV`)}},
	}
	for n, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			items := specItems(t)
			c.mod(items)
			body := mustJSON(map[string]any{rootKey: items})
			r := h.submit(tok, fmt.Sprintf("V%03d", n), body)
			okCase := c.want == nil && !strings.Contains(c.name, "IBAN")
			if okCase {
				if r.Code != 200 {
					t.Fatalf("want 200, got %d %s", r.Code, r.Body)
				}
				return
			}
			if r.Code != 400 {
				t.Fatalf("want 400, got %d %s", r.Code, r.Body)
			}
			got := errorsOf(t, r)
			if c.want == nil { // the mod-11 case: the code and scope are ours, the text is formats/account's
				if len(got) != 1 || got[0].Error != "AC03" || got[0].Scope != itemScope(0, "creditorAccount.identification.iban") || !strings.Contains(got[0].Message, "mod-11") {
					t.Errorf("got %+v", got)
				}
				return
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("errors\n got %s\nwant %s", mustJSON(got), mustJSON(c.want))
			}
		})
	}
	// Nothing of a refused batch is kept.
	for _, b := range h.srv.Ledger().Batches {
		if len(b.Items) != 2 || b.RejectedDebitCount != 0 {
			t.Errorf("kept a refused batch: %+v", b)
		}
	}
}

func TestBatchRequestLevel(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.MaxItems = 3 })
	tok := h.login(testClient, testSecret, "").AccessToken
	items := specItems(t)
	four := mustJSON(map[string]any{rootKey: []any{items[0], items[1], items[0], items[1]}})
	e := func(code, scope, msg string) APIError { return APIError{Error: code, Scope: scope, Message: msg} }
	cases := []struct {
		name   string
		header map[string]string // "" deletes
		body   string
		status int
		want   []APIError
	}{
		{"invalid JSON", nil, `{"batchPaymentDataCollectionRequest":[`, 400, []APIError{e("FF01", "", "invalid JSON: unexpected EOF")}},
		{"trailing data", nil, specBody + `{}`, 400, []APIError{e("FF01", "", "invalid JSON: data after the JSON value")}},
		{"duplicate key", nil, `{"batchPaymentDataCollectionRequest":[],"batchPaymentDataCollectionRequest":[]}`, 400,
			[]APIError{e("FF01", "", `invalid JSON: duplicate key "batchPaymentDataCollectionRequest"`)}},
		{"array body", nil, `[]`, 400, []APIError{e("FF01", "", "request body must be a JSON object, not array")}},
		{"not UTF-8", nil, "{\"a\":\"\xff\"}", 400, []APIError{e("RF01", "", "request body is not valid UTF-8")}},
		{"no array", nil, `{}`, 400, []APIError{e("FIELD_MISSING", rootKey, "field is required")}},
		{"empty array", nil, `{"batchPaymentDataCollectionRequest":[]}`, 400, []APIError{e("FIELD_INVALID", rootKey, "must hold at least one payment")}},
		{"object instead of array", nil, `{"batchPaymentDataCollectionRequest":{}}`, 400, []APIError{e("FIELD_INVALID", rootKey, "must be an array, not object")}},
		{"unknown top-level key", nil, `{"batchPaymentDataCollectionRequest":[],"x":1}`, 400,
			[]APIError{e("FIELD_INVALID", "x", "unknown field"), e("FIELD_INVALID", rootKey, "must hold at least one payment")}},
		{"too many payments", nil, four, 400, []APIError{e("TOO_MANY_PMTS", rootKey, "4 payments; at most 3 per batch")}},
		{"item not an object", nil, `{"batchPaymentDataCollectionRequest":[42]}`, 400, []APIError{e("FIELD_INVALID", rootKey+"[0]", "payment must be an object, not number")}},
		{"no exchange id", map[string]string{HeaderExchangeID: ""}, specBody, 400, []APIError{e("FIELD_MISSING", HeaderExchangeID, "header is required")}},
		{"exchange id 19 chars", map[string]string{HeaderExchangeID: strings.Repeat("1", 19)}, specBody, 400, []APIError{e("FIELD_INVALID", HeaderExchangeID, "must be 1 to 18 printable characters")}},
		{"exchange id 18 chars", map[string]string{HeaderExchangeID: strings.Repeat("1", 18)}, specBody, 200, nil},
		{"no mode", map[string]string{HeaderProcessingMode: ""}, specBody, 400, []APIError{e("FIELD_MISSING", HeaderProcessingMode, "header is required")}},
		{"bad mode", map[string]string{HeaderProcessingMode: "online"}, specBody, 400, []APIError{e("FIELD_INVALID", HeaderProcessingMode, "must be ONLINE, CONTINUOUS or BATCH")}},
		{"name 36 chars", map[string]string{HeaderInstructionName: strings.Repeat("n", 36)}, specBody, 400, []APIError{e("FIELD_INVALID", HeaderInstructionName, "must be 1 to 35 printable characters")}},
		{"two header errors", map[string]string{HeaderProcessingMode: "", HeaderExchangeID: ""}, specBody, 400,
			[]APIError{e("FIELD_MISSING", HeaderExchangeID, "header is required"), e("FIELD_MISSING", HeaderProcessingMode, "header is required")}},
		{"BATCH mode echoed", map[string]string{HeaderProcessingMode: "BATCH", HeaderExchangeID: "MODE-B"}, specBody, 200, nil},
		{"no token", map[string]string{"Authorization": ""}, specBody, 401, []APIError{{Error: "UNAUTHORISED", Message: "Missing certificate or access token"}}},
		{"garbage token", map[string]string{"Authorization": "Bearer abc"}, specBody, 401, []APIError{{Error: "UNAUTHORISED", Message: "invalid access token"}}},
		{"basic auth", map[string]string{"Authorization": "Basic abc"}, specBody, 401, []APIError{{Error: "UNAUTHORISED", Message: "Missing certificate or access token"}}},
		{"XML body", map[string]string{"Content-Type": "application/xml"}, specBody, 415, []APIError{{Error: "UNSUPPORTED_MEDIA_TYPE", Message: "Content-Type must be application/json"}}},
		{"charset parameter ok", map[string]string{"Content-Type": "application/json; charset=utf-8", HeaderExchangeID: "CS-1"}, specBody, 200, nil},
		{"apiKey is ignored", map[string]string{"apiKey": "anything", "x-api-key": "x", HeaderExchangeID: "AK-1"}, specBody, 200, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hd := batchHeaders(tok, "REQ-"+strings.ReplaceAll(c.name, " ", "")[:4])
			for k, v := range c.header {
				if v == "" {
					delete(hd, k)
				} else {
					hd[k] = v
				}
			}
			r := h.do("POST", PathBatchPayments, hd, []byte(c.body))
			if r.Code != c.status {
				t.Fatalf("status %d, want %d: %s", r.Code, c.status, r.Body)
			}
			if c.status == 200 {
				var resp BatchResponse
				json.Unmarshal(r.Body, &resp)
				if resp.BatchProcessingMode != hd[HeaderProcessingMode] || resp.ExchangeIdentification != hd[HeaderExchangeID] {
					t.Errorf("echoes %+v", resp)
				}
				return
			}
			if got := errorsOf(t, r); !reflect.DeepEqual(got, c.want) {
				t.Errorf("errors\n got %s\nwant %s", mustJSON(got), mustJSON(c.want))
			}
		})
	}
	// A token without bpisp is forbidden.
	adaa := h.login(adaaClient, "adaa-secret", "adaa").AccessToken
	r := h.submit(adaa, "F-1", specBody)
	if r.Code != 403 || mustJSON(errorsOf(t, r)) != `[{"error":"FORBIDDEN","message":"access token lacks scope bpisp"}]` {
		t.Errorf("adaa-only token: %d %s", r.Code, r.Body)
	}
	// A bpisp client asking only for adaa gets a token without bpisp.
	r = h.submit(h.login(testClient, testSecret, "adaa").AccessToken, "F-2", specBody)
	if r.Code != 403 {
		t.Errorf("token without bpisp scope: %d", r.Code)
	}
}

func TestAlwaysOnline(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.AlwaysOnline = true })
	hd := batchHeaders(h.login(testClient, testSecret, "").AccessToken, "KBPLUS-1")
	hd[HeaderProcessingMode] = ModeBatch
	r := h.do("POST", PathBatchPayments, hd, []byte(specBody))
	var resp BatchResponse
	json.Unmarshal(r.Body, &resp)
	if r.Code != 200 || resp.BatchProcessingMode != ModeOnline {
		t.Errorf("%d %s", r.Code, r.Body)
	}
}

func TestDuplicateExchangeID(t *testing.T) {
	h := newHarness(t, nil)
	tok := h.login(testClient, testSecret, "").AccessToken
	first := h.submit(tok, "DUP-1", specBody)
	if first.Code != 200 {
		t.Fatalf("first: %d %s", first.Code, first.Body)
	}
	var resp BatchResponse
	json.Unmarshal(first.Body, &resp)
	for i := 0; i < 2; i++ {
		r := h.submit(tok, "DUP-1", specBody)
		want := `[{"error":"AM05","scope":"x-exchange-identification","message":"duplicate: a batch with this exchange identification was already accepted (` + resp.TransactionIdentification + `)"}]`
		if r.Code != 400 || mustJSON(errorsOf(t, r)) != want {
			t.Fatalf("resend %d: %d %s", i, r.Code, r.Body)
		}
	}
	// A refused batch does not block its exchange ID.
	if r := h.submit(tok, "DUP-2", `{}`); r.Code != 400 {
		t.Fatal(r.Code)
	}
	if r := h.submit(tok, "DUP-2", specBody); r.Code != 200 {
		t.Fatalf("after a refused attempt: %d %s", r.Code, r.Body)
	}
	l := h.srv.Ledger()
	if l.Received("DUP-1") != 3 || len(l.Accepted("DUP-1")) != 1 || l.Received("DUP-2") != 2 || len(l.Accepted("DUP-2")) != 1 {
		t.Errorf("received %d/%d accepted %d/%d", l.Received("DUP-1"), l.Received("DUP-2"), len(l.Accepted("DUP-1")), len(l.Accepted("DUP-2")))
	}
	b, _ := l.Batch(resp.TransactionIdentification)
	if b.Received != 3 {
		t.Errorf("batch received %d", b.Received)
	}
	var errs []string
	for _, r := range l.Receptions {
		errs = append(errs, r.ExchangeID+":"+fmt.Sprint(r.Status)+":"+r.Error)
	}
	if got := strings.Join(errs, " "); got != "DUP-1:200: DUP-1:400:AM05 DUP-1:400:AM05 DUP-2:400:FIELD_MISSING DUP-2:200:" {
		t.Errorf("receptions %s", got)
	}

	// With the check off, KB's presumed behaviour: a second batch.
	h2 := newHarness(t, func(c *Config) { c.DisableDuplicateCheck = true })
	tok2 := h2.login(testClient, testSecret, "").AccessToken
	a, b2 := h2.submit(tok2, "DUP-1", specBody), h2.submit(tok2, "DUP-1", specBody)
	if a.Code != 200 || b2.Code != 200 || len(h2.srv.Ledger().Accepted("DUP-1")) != 2 {
		t.Errorf("duplicate check off: %d %d", a.Code, b2.Code)
	}
}

func TestPartialAcceptance(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.PartialAcceptance = true })
	tok := h.login(testClient, testSecret, "").AccessToken
	items := specItems(t)
	setPath(items, 0, "amount.instructedAmount.value", json.Number("-1"), false)
	r := h.submit(tok, "PART-1", mustJSON(map[string]any{rootKey: items}))
	if r.Code != 200 {
		t.Fatalf("%d %s", r.Code, r.Body)
	}
	var resp BatchResponse
	json.Unmarshal(r.Body, &resp)
	if resp.InstructionStatus != "ACWC" || resp.TransactionDebitCount != 2 || resp.RejectedTransactionDebitCount != 1 ||
		resp.TotalDebitAmount != "499.50" || resp.StatusChangeInfo != "1 of 2 payments rejected at import" {
		t.Errorf("response %+v", resp)
	}
	b, _ := h.srv.Batch(resp.TransactionIdentification)
	if b.Items[0].State != ItemRejectedAtImport || b.Items[0].Errors[0].Error != "AM12" || b.Items[1].State != ItemAwaitingSignature ||
		b.TotalDebit != "499.50" || b.RejectedDebitCount != 1 {
		t.Errorf("ledger %+v", b)
	}
	// All items bad: still a 400.
	setPath(items, 1, "amount.instructedAmount.value", json.Number("0"), false)
	if r := h.submit(tok, "PART-2", mustJSON(map[string]any{rootKey: items})); r.Code != 400 || len(errorsOf(t, r)) != 2 {
		t.Errorf("all bad: %d %s", r.Code, r.Body)
	}
}

func TestPlainDecimal(t *testing.T) {
	cases := map[string]string{
		"12500.00": "12500.00", "1.25e3": "1250", "1.25E+3": "1250", "5e-1": "0.5", "100e-2": "1.00",
		"1.2345e1": "12.345", "-1e2": "-100", "0.5e1": "05", "7e-3": "0.007",
	}
	for in, want := range cases {
		if got, err := plainDecimal(in); err != nil || got != want {
			t.Errorf("plainDecimal(%s) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := plainDecimal("1e41"); err == nil {
		t.Error("huge exponent accepted")
	}
}
