package bijson

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

// The inputs and expected values of bankintegration.md §2.5, byte for byte.
var (
	specCreds = Credentials{
		ERP:             "MyERP",
		APIKey:          "0f8fad5b-d9cb-469f-a165-70867728950e",
		Account:         "52470021527478",
		IntegrationCode: "TestKode123",
	}
	specNow   = time.Date(2015, 5, 21, 10, 45, 23, 0, time.UTC)
	specToken = "fb54b44efd85cd0f7c4c8ea9d317df6d127d726a7ad5b638480289de54ad4658"
	specTxs   = []HashInput{
		{PaymentID: "PAY_01", Currency: "DKK", PaymentDate: "20150415", Amount: "154.00", CreditorAccount: "80790000820049"},
		{PaymentID: "PAY_02", Currency: "DKK", PaymentDate: "20150416", Amount: "217.50", CreditorAccount: "80790000820064"},
	}
)

const (
	specRequestHash   = "7DeeOxPzNdz2icDVUtYz/yE4/ZEcteLNDE1T9+2GKAk="
	specRequestJSON   = `{"serviceProvider":"MyERP","account":"52470021527478","time":"2015-05-21T10:45:23","requestId":"REQ_01","hash":[{"id":"REQ_01","hash":"7DeeOxPzNdz2icDVUtYz/yE4/ZEcteLNDE1T9+2GKAk="}]}`
	specRequestHeader = "eyJzZXJ2aWNlUHJvdmlkZXIiOiJNeUVSUCIsImFjY291bnQiOiI1MjQ3MDAyMTUyNzQ3OCIsInRpbWUiOiIyMDE1LTA1LTIxVDEwOjQ1OjIzIiwicmVxdWVzdElkIjoiUkVRXzAxIiwiaGFzaCI6W3siaWQiOiJSRVFfMDEiLCJoYXNoIjoiN0RlZU94UHpOZHoyaWNEVlV0WXoveUU0L1pFY3RlTE5ERTFUOSsyR0tBaz0ifV19"
	specWrongKeyHash  = "Fd9wO/2EeLh6lrFs2ymlAPLaOKZTrHrKveRYKz21t/A="
	specPay01Hash     = "+WcRKn8qTIcZAUXviRxHohkHbr/qPcOMd11UU2CD1F0="
	specPay02Hash     = "Ilz0zHUlXcfw6elI0fj8i0kPLmEP5VkrFsURelhEKUk="
)

func TestKeyBytes(t *testing.T) {
	const want = "5bad8f0fcbd99f46a16570867728950e" // §2.4
	for _, in := range []string{
		"0f8fad5b-d9cb-469f-a165-70867728950e",
		"0F8FAD5B-D9CB-469F-A165-70867728950E",
		"{0f8fad5b-d9cb-469f-a165-70867728950e}",
		"(0f8fad5b-d9cb-469f-a165-70867728950e)",
		"0f8fad5bd9cb469fa16570867728950e",
		" 0f8fad5b-d9cb-469f-a165-70867728950e\n",
	} {
		b, err := KeyBytes(in)
		if err != nil {
			t.Errorf("KeyBytes(%q): %v", in, err)
			continue
		}
		if got := hex.EncodeToString(b); got != want {
			t.Errorf("KeyBytes(%q) = %s, want %s", in, got, want)
		}
	}
	for _, in := range []string{
		"", "0f8fad5b-d9cb-469f-a165-70867728950", "0f8fad5b-d9cb-469f-a165-70867728950e0",
		"0f8fad5bd9cb-469f-a165-70867728950e-", "0f8fad5g-d9cb-469f-a165-70867728950e",
		"{0f8fad5b-d9cb-469f-a165-70867728950e)", "0f8fad5b:d9cb:469f:a165:70867728950e",
	} {
		_, err := KeyBytes(in)
		if !errors.Is(err, ErrAPIKey) {
			t.Errorf("KeyBytes(%q) error = %v, want ErrAPIKey", in, err)
		}
		if in != "" && err != nil && strings.Contains(err.Error(), in) {
			t.Errorf("error %q quotes the secret", err)
		}
	}
}

func TestSpecVectors(t *testing.T) {
	if got := Token(specCreds.IntegrationCode); got != specToken {
		t.Fatalf("token = %s, want %s", got, specToken)
	}
	key, err := KeyBytes(specCreds.APIKey)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("request", func(t *testing.T) {
		payload := Payload(specToken, specCreds.Account, "REQ_01", "MyERP", nil, specNow)
		if want := specToken + "#52470021527478##REQ_01####MyERP#REQ_01#20150521104523"; payload != want {
			t.Fatalf("payload\n got %s\nwant %s", payload, want)
		}
		if got := Sign(key, payload); got != specRequestHash {
			t.Errorf("hash = %s, want %s", got, specRequestHash)
		}
		// The negative vector: the key string's UTF-8 bytes give another HMAC.
		if got := Sign([]byte(specCreds.APIKey), payload); got != specWrongKeyHash {
			t.Errorf("wrong-key hash = %s, want %s", got, specWrongKeyHash)
		}
		h, err := RequestAuthorization(specCreds, "REQ_01", specNow)
		if err != nil {
			t.Fatal(err)
		}
		if h != "Basic "+specRequestHeader {
			t.Errorf("header\n got %s\nwant Basic %s", h, specRequestHeader)
		}
		js, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
		if string(js) != specRequestJSON {
			t.Errorf("JSON\n got %s\nwant %s", js, specRequestJSON)
		}
		// The time is taken in UTC whatever zone the caller's clock is in.
		cph := time.FixedZone("CEST", 2*3600)
		if h2, _ := RequestAuthorization(specCreds, "REQ_01", specNow.In(cph)); h2 != h {
			t.Errorf("a non-UTC time gives a different header")
		}
	})

	t.Run("payment", func(t *testing.T) {
		for i, want := range []struct{ payload, hash string }{
			{specToken + "#52470021527478#DKK#REQ_01#20150415#154.00#80790000820049#MyERP#PAY_01#20150521104523", specPay01Hash},
			{specToken + "#52470021527478#DKK#REQ_01#20150416#217.50#80790000820064#MyERP#PAY_02#20150521104523", specPay02Hash},
		} {
			p := Payload(specToken, specCreds.Account, "REQ_01", "MyERP", &specTxs[i], specNow)
			if p != want.payload {
				t.Errorf("payload %d\n got %s\nwant %s", i, p, want.payload)
			}
			if got := Sign(key, p); got != want.hash {
				t.Errorf("hash %d = %s, want %s", i, got, want.hash)
			}
		}
		h, err := PaymentAuthorization(specCreds, "REQ_01", specTxs, specNow)
		if err != nil {
			t.Fatal(err)
		}
		want := `{"serviceProvider":"MyERP","account":"52470021527478","time":"2015-05-21T10:45:23","requestId":"REQ_01","hash":[` +
			`{"id":"PAY_01","hash":"` + specPay01Hash + `"},{"id":"PAY_02","hash":"` + specPay02Hash + `"}]}`
		if h != "Basic "+base64.StdEncoding.EncodeToString([]byte(want)) {
			js, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(h, "Basic "))
			t.Errorf("JSON\n got %s\nwant %s", js, want)
		}
	})
}

// An independent HMAC over the spec's payload, so that Sign is not only
// checked against itself.
func TestSignIsHMACSHA256(t *testing.T) {
	key, _ := KeyBytes(specCreds.APIKey)
	m := hmac.New(sha256.New, key)
	m.Write([]byte("x"))
	if Sign(key, "x") != base64.StdEncoding.EncodeToString(m.Sum(nil)) {
		t.Fatal("Sign is not base64(HMAC-SHA256)")
	}
}

func TestAuthorizationErrors(t *testing.T) {
	secretKey, secretCode := specCreds.APIKey, specCreds.IntegrationCode
	mod := func(f func(*Credentials)) Credentials { c := specCreds; f(&c); return c }
	tests := []struct {
		name  string
		c     Credentials
		reqID string
		txs   []HashInput
		want  error
		msg   string
	}{
		{"no ERP", mod(func(c *Credentials) { c.ERP = "" }), "R", nil, ErrCredentials, "serviceProvider"},
		{"short account", mod(func(c *Credentials) { c.Account = "5247021527478" }), "R", nil, ErrCredentials, `"5247021527478" is not a 14-digit`},
		{"IBAN account", mod(func(c *Credentials) { c.Account = "DK5052470021527478" }), "R", nil, ErrCredentials, "not a 14-digit"},
		{"no code", mod(func(c *Credentials) { c.IntegrationCode = "" }), "R", nil, ErrCredentials, "integration code"},
		{"no request ID", specCreds, "", nil, ErrCredentials, "requestId is empty"},
		{"bad key", mod(func(c *Credentials) { c.APIKey = "not-a-guid-" + secretCode }), "R", nil, ErrAPIKey, "not a GUID"},
		{"no transactions", specCreds, "R", []HashInput{}, ErrCredentials, "at least one transaction"},
		{"no payment ID", specCreds, "R", []HashInput{{Currency: "DKK", PaymentDate: "20150415", Amount: "1.00", CreditorAccount: "x"}}, ErrCredentials, "paymentId is empty"},
		{"amount 1 decimal", specCreds, "R", []HashInput{{PaymentID: "P", Currency: "DKK", PaymentDate: "20150415", Amount: "154.0", CreditorAccount: "x"}}, ErrCredentials, `amount "154.0"`},
		{"amount comma", specCreds, "R", []HashInput{{PaymentID: "P", Currency: "DKK", PaymentDate: "20150415", Amount: "154,00", CreditorAccount: "x"}}, ErrCredentials, "exactly 2 decimals"},
		{"date with hyphens", specCreds, "R", []HashInput{{PaymentID: "P", Currency: "DKK", PaymentDate: "2015-04-15", Amount: "1.00", CreditorAccount: "x"}}, ErrCredentials, "yyyyMMdd"},
		{"currency", specCreds, "R", []HashInput{{PaymentID: "P", Currency: "DK", PaymentDate: "20150415", Amount: "1.00", CreditorAccount: "x"}}, ErrCredentials, "3-letter"},
		{"no creditor account", specCreds, "R", []HashInput{{PaymentID: "P", Currency: "DKK", PaymentDate: "20150415", Amount: "1.00"}}, ErrCredentials, "creditor account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.txs == nil {
				_, err = RequestAuthorization(tt.c, tt.reqID, specNow)
			} else {
				_, err = PaymentAuthorization(tt.c, tt.reqID, tt.txs, specNow)
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("error = %v, want %v containing %q", err, tt.want, tt.msg)
			}
			for _, s := range []string{secretKey, secretCode, tt.c.APIKey} {
				if s != "" && strings.Contains(err.Error(), s) {
					t.Errorf("error %q contains a secret", err)
				}
			}
		})
	}
}

func TestDecodeAndVerify(t *testing.T) {
	h, err := PaymentAuthorization(specCreds, "REQ_01", specTxs, specNow)
	if err != nil {
		t.Fatal(err)
	}
	b64 := strings.TrimPrefix(h, "Basic ")
	for _, form := range []string{h, "BASIC " + b64, "basic " + b64, b64} {
		hd, err := DecodeAuthorization(form)
		if err != nil {
			t.Fatalf("DecodeAuthorization(%.12q…): %v", form, err)
		}
		if hd.RequestID != "REQ_01" || hd.Account != specCreds.Account || len(hd.Hash) != 2 || hd.Hash[1].Hash != specPay02Hash {
			t.Fatalf("decoded %+v", hd)
		}
		if err := Verify(hd, specCreds, specTxs); err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if now, _ := hd.Now(); !now.Equal(specNow) {
			t.Errorf("Now = %v", now)
		}
	}
	hd, _ := DecodeAuthorization(h)
	wrong := []struct {
		name string
		c    Credentials
		txs  []HashInput
	}{
		{"other code", Credentials{ERP: "MyERP", APIKey: specCreds.APIKey, Account: specCreds.Account, IntegrationCode: "TestKode124"}, specTxs},
		{"other key", Credentials{ERP: "MyERP", APIKey: "0f8fad5b-d9cb-469f-a165-70867728950f", Account: specCreds.Account, IntegrationCode: "TestKode123"}, specTxs},
		{"other amount", specCreds, []HashInput{specTxs[0], {PaymentID: "PAY_02", Currency: "DKK", PaymentDate: "20150416", Amount: "217.51", CreditorAccount: "80790000820064"}}},
		{"one transaction", specCreds, specTxs[:1]},
		{"as a non-payment request", specCreds, nil},
	}
	for _, w := range wrong {
		if err := Verify(hd, w.c, w.txs); !errors.Is(err, ErrAuthorization) {
			t.Errorf("%s: Verify = %v, want ErrAuthorization", w.name, err)
		}
	}
	rq, _ := RequestAuthorization(specCreds, "REQ_01", specNow)
	rh, _ := DecodeAuthorization(rq)
	if err := Verify(rh, specCreds, nil); err != nil {
		t.Errorf("Verify request header: %v", err)
	}
	for _, bad := range []string{"Basic !!!", "Basic " + base64.StdEncoding.EncodeToString([]byte(`{"x":1}`)),
		"Basic " + base64.StdEncoding.EncodeToString([]byte(`{"account":"1"} {}`))} {
		if _, err := DecodeAuthorization(bad); !errors.Is(err, ErrAuthorization) {
			t.Errorf("DecodeAuthorization(%q) = %v, want ErrAuthorization", bad, err)
		}
	}
}
