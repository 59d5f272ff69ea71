package bisim

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestCopenhagenTime(t *testing.T) {
	cases := []struct{ utc, want string }{
		{"2015-01-15T12:00:00Z", "2015-01-15T13:00:00+01:00"},
		{"2015-03-29T00:59:59Z", "2015-03-29T01:59:59+01:00"}, // last Sunday of March, before the switch
		{"2015-03-29T01:00:00Z", "2015-03-29T03:00:00+02:00"},
		{"2015-10-25T00:59:59Z", "2015-10-25T02:59:59+02:00"}, // last Sunday of October
		{"2015-10-25T01:00:00Z", "2015-10-25T02:00:00+01:00"},
		{"2015-05-21T22:30:00Z", "2015-05-22T00:30:00+02:00"}, // already tomorrow in Denmark
	}
	for _, c := range cases {
		u, _ := time.Parse(time.RFC3339, c.utc)
		if got := copenhagen(u).Format(wireTimeLayout); got != c.want {
			t.Errorf("%s: %s, want %s", c.utc, got, c.want)
		}
	}
	if d := dayStart(time.Date(2015, 12, 24, 0, 0, 0, 0, time.UTC)); d.Format(time.RFC3339) != "2015-12-23T23:00:00Z" {
		t.Errorf("winter day start %v", d)
	}
}

func TestHolidaysAreNotBankDays(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Holidays = []string{"2015-05-25"} }) // Whit Monday
	a := h.pay([]tx{with(goodTx("H"), "paymentDate", "2015-05-23")}, map[string]any{"moveToNextBankDate": true}).Answers[0]
	if a.Status != StatusCreated {
		t.Fatalf("%+v", a)
	}
	if p := h.srv.Ledger().Find(vecAccount, "H")[0]; p.PaymentDate != "2015-05-26" {
		t.Errorf("moved to %s, want 2015-05-26", p.PaymentDate)
	}
	if _, err := New(Config{Holidays: []string{"25.05.2015"}}); err == nil {
		t.Error("malformed holiday accepted")
	}
}

// Without a hijackable connection the 401 keeps the standard phrase and the
// body still says Invalid Signature.
func TestUnauthorizedWithoutHijack(t *testing.T) {
	s := fuzzServer(t)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest("GET", "/status?requestId=R", nil))
	if w.Code != 401 || !strings.Contains(w.Body.String(), `"code":"AUTH_HEADER","text":"Invalid Signature: Authorization header missing"`) {
		t.Errorf("%d %s", w.Code, w.Body)
	}
}

func TestConfigErrors(t *testing.T) {
	good := Account{BBAN: vecAccount, IntegrationCode: "x", Currency: "DKK"}
	cases := map[string]Config{
		"key not a GUID":   {ERPs: map[string]string{"E": "not-a-guid"}},
		"BBAN too short":   {Accounts: []Account{{BBAN: "5247", IntegrationCode: "x", Currency: "DKK"}}},
		"duplicate BBAN":   {Accounts: []Account{good, good}},
		"no code":          {Accounts: []Account{{BBAN: vecAccount, Currency: "DKK"}}},
		"bad currency":     {Accounts: []Account{{BBAN: vecAccount, IntegrationCode: "x", Currency: "Kr"}}},
		"unknown ERP link": {Accounts: []Account{{BBAN: vecAccount, IntegrationCode: "x", Currency: "DKK", ERPs: []string{"Nope"}}}},
	}
	for name, c := range cases {
		if _, err := New(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, k := range []string{vecKey, "{" + vecKey + "}", strings.ReplaceAll(vecKey, "-", ""), strings.ToUpper(vecKey)} {
		if _, err := guidKey(k); err != nil {
			t.Errorf("GUID form %q refused: %v", k, err)
		}
	}
}
