package kb

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"erpconnector/connector/bank"
	"erpconnector/connector/sandbox/kbsim"
	"erpconnector/formats"
	"erpconnector/formats/kbjson"
	"erpconnector/formats/money"
)

const (
	simClient   = "Erpconnector-6073"
	simSecret   = "aIiAgTXYH6v9C_5ckhiKNA"
	simRedirect = "https://erp.example/kb/callback"
	adaaOnly    = "AdaaOnly-1635"
	debtorIBAN  = "CZ0801000000192000145399" // 19-2000145399/0100
)

type simClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// startSim runs kbsim on loopback at 08:00 Prague on the §8 example's
// execution date.
func startSim(t *testing.T, mod func(*kbsim.Config)) *kbsim.Running {
	t.Helper()
	clock := &simClock{t: time.Date(2026, 6, 16, 6, 0, 0, 0, time.UTC)}
	cfg := kbsim.Config{
		Now: clock.Now,
		Clients: []kbsim.Client{
			{ID: simClient, Secret: simSecret, RedirectURIs: []string{simRedirect},
				Accounts: []kbsim.Account{{IBAN: debtorIBAN, Currency: "CZK", Name: "Provozní účet"}}},
			{ID: adaaOnly, Secret: "adaa-secret", RedirectURIs: []string{simRedirect}, Scopes: []string{kbsim.ScopeADAA},
				Accounts: []kbsim.Account{{IBAN: debtorIBAN, Currency: "CZK"}}},
		},
	}
	if mod != nil {
		mod(&cfg)
	}
	sim, err := kbsim.Start("127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		sim.Close(ctx)
	})
	return sim
}

// simTokens is a minimal OAuth client for kbsim: an authorization code from
// the control API (the user's consent), exchanged at the token endpoint;
// ForceRefresh uses the refresh_token grant, as KB documents (spec §4.5).
type simTokens struct {
	t        *testing.T
	url      string
	clientID string
	secret   string

	mu        sync.Mutex
	access    string
	refresh   string
	refreshes int
}

func newSimTokens(t *testing.T, sim *kbsim.Running, clientID, secret string) *simTokens {
	t.Helper()
	st := &simTokens{t: t, url: sim.URL, clientID: clientID, secret: secret}
	var out struct{ Code string }
	simControl(t, sim, "/_sim/authorize", map[string]string{"client_id": clientID, "redirect_uri": simRedirect}, &out)
	tr, err := st.grant(url.Values{"grant_type": {"authorization_code"}, "code": {out.Code}, "redirect_uri": {simRedirect}})
	if err != nil {
		t.Fatal(err)
	}
	st.access, st.refresh = tr.AccessToken, tr.RefreshToken
	return st
}

func (s *simTokens) grant(form url.Values) (kbsim.TokenResponse, error) {
	form.Set("client_id", s.clientID)
	form.Set("client_secret", s.secret)
	req, _ := http.NewRequest("POST", s.url+"/oauth2/v3/access_token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("apiKey", kbsim.DefaultOAuthAPIKey)
	req.Header.Set("x-correlation-id", NewUUID())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return kbsim.TokenResponse{}, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return kbsim.TokenResponse{}, fmt.Errorf("token endpoint: HTTP %d: %s", resp.StatusCode, body)
	}
	var tr kbsim.TokenResponse
	return tr, json.Unmarshal(body, &tr)
}

func (s *simTokens) Token(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.access, nil
}

func (s *simTokens) ForceRefresh(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refreshes++
	tr, err := s.grant(url.Values{"grant_type": {"refresh_token"}, "refresh_token": {s.refresh}, "redirect_uri": {simRedirect}})
	if err != nil {
		return "", err
	}
	s.access = tr.AccessToken
	return s.access, nil
}

func simControl(t *testing.T, sim *kbsim.Running, path string, in, out any) {
	t.Helper()
	body, _ := json.Marshal(in)
	resp, err := http.Post(sim.URL+path, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: HTTP %d: %s", path, resp.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
}

func ledger(t *testing.T, sim *kbsim.Running) kbsim.Ledger {
	t.Helper()
	var l kbsim.Ledger
	resp, err := http.Get(sim.URL + "/_sim/ledger")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&l); err != nil {
		t.Fatal(err)
	}
	return l
}

// specRequest encodes the §8 example with formats/kbjson, as the daemon does.
func specRequest(t *testing.T, name string, mode string) kbjson.Request {
	t.Helper()
	amt := func(s string) money.Amount {
		a, err := money.Parse(s, "CZK")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	date := formats.Date{Year: 2026, Month: 6, Day: 16}
	debtor := formats.Account{Number: "19-2000145399", BankCode: "0100", Country: "CZ"}
	batch := &formats.Batch{ID: "G1", Pos: formats.Pos{Line: 3}}
	ps := []*formats.Payment{{
		Index: 0, Pos: formats.Pos{Line: 4}, Batch: batch, InstructionID: "INV2026001", Amount: amt("12500.00"),
		RequestedDate: date, DebtorAccount: debtor,
		CreditorAccount: formats.Account{Number: "1234567899", BankCode: "0800", Country: "CZ"},
		Creditor:        formats.Party{Name: "Dodavatel s.r.o."},
		Remittance:      formats.Remittance{Unstructured: "Faktura 2026001", VS: "0002026001", KS: "0308", SS: "0000000000"},
	}, {
		Index: 1, Pos: formats.Pos{Line: 5}, Batch: batch, InstructionID: "RENT202606", Amount: amt("499.50"),
		RequestedDate: date, DebtorAccount: debtor,
		CreditorAccount: formats.Account{Number: "1000000005", BankCode: "0300", Country: "CZ"},
		Remittance:      formats.Remittance{Unstructured: "Najem cerven", VS: "0020260042", KS: "0000", SS: "0000001234"},
	}}
	enc := kbjson.NewEncoder(kbjson.Source{SHA256: sha256.Sum256([]byte(name)), Name: name}, kbjson.Options{ProcessingMode: mode})
	for _, p := range ps {
		if probs := enc.Add(p); len(probs) > 0 {
			t.Fatalf("kbjson refused the spec example: %v", probs)
		}
	}
	reqs := enc.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests", len(reqs))
	}
	return reqs[0]
}

// TestSimSpecExample: the §8 batch, encoded by kbjson, submitted with a real
// kbsim token, imported once and confirmed exactly.
func TestSimSpecExample(t *testing.T) {
	sim := startSim(t, nil)
	toks := newSimTokens(t, sim, simClient, simSecret)
	req := specRequest(t, "Dodavatele.kpc", "")
	if string(req.Body) != specBody {
		t.Fatalf("kbjson no longer writes the §8 body:\n%s", req.Body)
	}
	c := &Client{BaseURL: sim.URL, Tokens: toks, HTTP: &http.Client{Timeout: 10 * time.Second}}
	r, err := c.Submit(context.Background(), SentFrom(req))
	if err != nil {
		t.Fatal(err)
	}
	if r.Partial() || r.InstructionStatus != "ACTC" || r.SignInfo.State != "OPEN" || r.TransactionDebitCount != 2 ||
		r.TotalDebitAmount.String() != "12999.50" || r.ExchangeIdentification != req.ExchangeID() || r.BatchProcessingMode != "ONLINE" {
		t.Errorf("response %+v", r)
	}
	if toks.refreshes != 0 {
		t.Errorf("%d refreshes with a fresh token", toks.refreshes)
	}
	l := ledger(t, sim)
	if len(l.Batches) != 1 || len(l.Receptions) != 1 {
		t.Fatalf("ledger: %d batches, %d receptions; want 1 and 1", len(l.Batches), len(l.Receptions))
	}
	b := l.Batches[0]
	if b.TransactionIdentification != r.TransactionIdentification || b.BatchDigest != r.BatchDigest ||
		b.CorrelationID != r.CorrelationID || b.ExchangeIdentification != req.ExchangeID() ||
		b.InstructionName != req.Headers[kbjson.HeaderInstructionName] || b.TotalDebitMinor != 1299950 || len(b.Items) != 2 {
		t.Errorf("ledger batch %+v does not match response %+v", b, r)
	}
	// The signer approves it in internet banking: the state the daemon
	// reports as "awaiting signature" ends.
	var signed kbsim.LedgerBatch
	simControl(t, sim, "/_sim/sign", map[string]string{"batch": r.TransactionIdentification}, &signed)
	if signed.SignState != "CLOSE" {
		t.Errorf("after signing: %s", signed.SignState)
	}
}

// TestSimFaults: each kbsim fault, what the client reports, what the bank
// kept, and what a resend would do. Resending is only done here to show the
// consequences; the daemon resends only on bank.ErrNotSent.
func TestSimFaults(t *testing.T) {
	cases := []struct {
		name       string
		fault      kbsim.Fault
		timeout    time.Duration
		class      string
		kept       int // batches in the ledger after the faulty call
		received   int // receptions (requests KB's back end judged)
		retryAfter time.Duration
		problem    string
	}{
		{name: "503", fault: kbsim.Fault{Kind: kbsim.FaultStatus, Status: 503}, class: "unknown", problem: "SERVICE_UNAVAILABLE"},
		{name: "500", fault: kbsim.Fault{Kind: kbsim.FaultStatus, Status: 500}, class: "unknown", problem: "INTERNAL_ERROR"},
		{name: "429", fault: kbsim.Fault{Kind: kbsim.FaultStatus, Status: 429, RetryAfter: 7}, class: "not-sent",
			retryAfter: 7 * time.Second, problem: "TOO_MANY_REQUESTS"},
		{name: "gateway XML 504", fault: kbsim.Fault{Kind: kbsim.FaultGatewayXML}, class: "unknown", problem: "101504: Runtime Error: Send timeout"},
		// The client hung up while KB was still working: it cannot know
		// whether KB finishes (here kbsim notices and drops the work).
		{name: "delay beyond client timeout", fault: kbsim.Fault{Kind: kbsim.FaultDelay, Delay: "3s"}, timeout: 300 * time.Millisecond, class: "unknown"},
		// The whole request was written before the gateway hung up, so
		// from here it is unknown, although kbsim kept nothing: a client
		// cannot tell this from drop-after-commit.
		{name: "drop before commit", fault: kbsim.Fault{Kind: kbsim.FaultDropBeforeCommit}, class: "unknown"},
		{name: "drop after commit", fault: kbsim.Fault{Kind: kbsim.FaultDropAfterCommit}, class: "unknown", kept: 1, received: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sim := startSim(t, nil)
			toks := newSimTokens(t, sim, simClient, simSecret)
			fault := tc.fault
			fault.Path = kbsim.PathBatchPayments
			simControl(t, sim, "/_sim/fault", fault, nil)
			timeout := tc.timeout
			if timeout == 0 {
				timeout = 10 * time.Second
			}
			c := &Client{BaseURL: sim.URL, Tokens: toks, HTTP: &http.Client{Timeout: timeout}}
			req := specRequest(t, "faults.kpc", "")
			_, err := c.Submit(context.Background(), SentFrom(req))
			if got := class(t, err); got != tc.class {
				t.Fatalf("class %s, want %s (%v)", got, tc.class, err)
			}
			var se *StatusError
			if tc.problem != "" || tc.retryAfter != 0 {
				if !errors.As(err, &se) {
					t.Fatalf("want *StatusError, got %T", err)
				}
				if got := problemsText(se.Problems); got != tc.problem && !strings.HasPrefix(got, tc.problem+":") {
					t.Errorf("problems %q, want %q", got, tc.problem)
				}
				if se.RetryAfter != tc.retryAfter {
					t.Errorf("RetryAfter %s, want %s", se.RetryAfter, tc.retryAfter)
				}
			}
			if tc.fault.Kind == kbsim.FaultDelay {
				// Let kbsim finish the abandoned request before reading its ledger.
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				sim.Close(ctx)
				return
			}
			l := ledger(t, sim)
			if len(l.Batches) != tc.kept || len(l.Receptions) != tc.received {
				t.Fatalf("ledger: %d batches, %d receptions; want %d and %d", len(l.Batches), len(l.Receptions), tc.kept, tc.received)
			}
			if tc.kept == 1 {
				b := l.Batches[0]
				if b.ExchangeIdentification != req.ExchangeID() || b.TotalDebitMinor != req.Total.Minor {
					t.Errorf("kept batch %+v", b)
				}
			}

			// What a resend does: after not-sent it is the first import;
			// after drop-after-commit kbsim's duplicate check refuses it
			// (KB itself has none documented: it would be a second batch).
			r, err := c.Submit(context.Background(), SentFrom(req))
			l = ledger(t, sim)
			switch {
			case tc.kept == 1:
				var rej *RejectedError
				if !errors.As(err, &rej) || rej.Status != 400 || len(rej.Problems) != 1 ||
					rej.Problems[0].Code != "AM05" || rej.Problems[0].Scope != kbjson.HeaderExchangeID {
					t.Errorf("resend after commit: %v, want 400 AM05 at %s", err, kbjson.HeaderExchangeID)
				}
				var he *bank.HTTPError
				if !errors.As(err, &he) || !he.Rejected() {
					t.Errorf("a rejection must read as bank.HTTPError.Rejected()")
				}
			case err != nil:
				t.Errorf("resend: %v", err)
			case r.TransactionIdentification != l.Batches[0].TransactionIdentification:
				t.Errorf("resend answered %s, ledger has %s", r.TransactionIdentification, l.Batches[0].TransactionIdentification)
			}
			if len(l.Batches) != 1 {
				t.Errorf("%d batches after the resend; the bank must hold exactly one", len(l.Batches))
			}
		})
	}
}

func TestSimAuth(t *testing.T) {
	t.Run("expired token refreshed once", func(t *testing.T) {
		sim := startSim(t, nil)
		toks := newSimTokens(t, sim, simClient, simSecret)
		simControl(t, sim, "/_sim/clock", map[string]string{"advance": "181s"}, nil)
		c := &Client{BaseURL: sim.URL, Tokens: toks}
		r, err := c.Submit(context.Background(), SentFrom(specRequest(t, "expired.kpc", "")))
		if err != nil {
			t.Fatal(err)
		}
		if toks.refreshes != 1 {
			t.Errorf("%d refreshes, want 1", toks.refreshes)
		}
		l := ledger(t, sim)
		if len(l.Batches) != 1 || l.Batches[0].CorrelationID != r.CorrelationID {
			t.Errorf("ledger %+v", l.Batches)
		}
	})
	t.Run("withdrawn consent", func(t *testing.T) {
		sim := startSim(t, nil)
		toks := newSimTokens(t, sim, simClient, simSecret)
		simControl(t, sim, "/_sim/expire-refresh", map[string]string{"client_id": simClient}, nil)
		simControl(t, sim, "/_sim/clock", map[string]string{"advance": "181s"}, nil)
		_, err := (&Client{BaseURL: sim.URL, Tokens: toks}).Submit(context.Background(), SentFrom(specRequest(t, "consent.kpc", "")))
		// simTokens does not classify its errors: a failed refresh is
		// "not sent", which is true (the 401 came before processing).
		if class(t, err) != "not-sent" || !strings.Contains(err.Error(), "invalid_grant") {
			t.Errorf("got %v", err)
		}
		if l := ledger(t, sim); len(l.Batches) != 0 {
			t.Errorf("%d batches kept", len(l.Batches))
		}
	})
	t.Run("refresh gives another bad token", func(t *testing.T) {
		sim := startSim(t, nil)
		toks := &fakeTokens{tokens: []string{"not-a-jwt", "still-not-a-jwt"}}
		_, err := (&Client{BaseURL: sim.URL, Tokens: toks}).Submit(context.Background(), SentFrom(specRequest(t, "bad.kpc", "")))
		var se *StatusError
		if class(t, err) != "auth" || !errors.As(err, &se) || se.Status != 401 || toks.refreshes != 1 {
			t.Errorf("got %v after %d refreshes, want a 401 bank.ErrAuth after 1", err, toks.refreshes)
		}
		if l := ledger(t, sim); len(l.Batches) != 0 || len(l.Receptions) != 0 {
			t.Errorf("ledger %+v", l)
		}
	})
	t.Run("token without bpisp", func(t *testing.T) {
		sim := startSim(t, nil)
		toks := newSimTokens(t, sim, adaaOnly, "adaa-secret")
		_, err := (&Client{BaseURL: sim.URL, Tokens: toks}).Submit(context.Background(), SentFrom(specRequest(t, "adaa.kpc", "")))
		var se *StatusError
		if class(t, err) != "auth" || !errors.As(err, &se) || se.Status != 403 || toks.refreshes != 0 {
			t.Errorf("got %v, %d refreshes; want 403 bank.ErrAuth without refresh", err, toks.refreshes)
		}
	})
	t.Run("apiKey is accepted", func(t *testing.T) {
		sim := startSim(t, nil)
		toks := newSimTokens(t, sim, simClient, simSecret)
		if _, err := (&Client{BaseURL: sim.URL, Tokens: toks, APIKey: "batchda-key"}).Submit(context.Background(), SentFrom(specRequest(t, "key.kpc", ""))); err != nil {
			t.Error(err)
		}
	})
}

// TestSimRefusals: KB validates and refuses; nothing is kept.
func TestSimRefusals(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*Sent)
		codes string // Code@Scope of each problem
	}{
		{"past execution date", func(s *Sent) {
			s.Body = bytes.ReplaceAll(s.Body, []byte("2026-06-16"), []byte("2026-06-15"))
		}, "DT01@batchPaymentDataCollectionRequest[0].requestedExecutionDate DT01@batchPaymentDataCollectionRequest[1].requestedExecutionDate"},
		{"unknown processing mode", func(s *Sent) { s.Headers[kbjson.HeaderProcessingMode] = "FAST" },
			"FIELD_INVALID@x-batch-processing-mode"},
		{"exchange ID too long", func(s *Sent) { s.Headers[kbjson.HeaderExchangeID] = strings.Repeat("a", 19) },
			"FIELD_INVALID@x-exchange-identification"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := startSim(t, nil)
			toks := newSimTokens(t, sim, simClient, simSecret)
			s := SentFrom(specRequest(t, "refused.kpc", ""))
			h := map[string]string{}
			for k, v := range s.Headers {
				h[k] = v
			}
			s.Headers = h
			tc.edit(&s)
			_, err := (&Client{BaseURL: sim.URL, Tokens: toks}).Submit(context.Background(), s)
			var rej *RejectedError
			if !errors.As(err, &rej) || class(t, err) != "none" {
				t.Fatalf("got %v, want *RejectedError", err)
			}
			var got []string
			for _, p := range rej.Problems {
				got = append(got, p.Code+"@"+p.Scope)
			}
			if strings.Join(got, " ") != tc.codes {
				t.Errorf("problems %v, want %s", got, tc.codes)
			}
			if l := ledger(t, sim); len(l.Batches) != 0 {
				t.Errorf("refused batch kept")
			}
		})
	}
}

func TestSimPartialAcceptance(t *testing.T) {
	sim := startSim(t, func(c *kbsim.Config) { c.PartialAcceptance = true })
	toks := newSimTokens(t, sim, simClient, simSecret)
	s := SentFrom(specRequest(t, "partial.kpc", ""))
	// Break the second item's creditor account checksum: KB rejects that
	// item at import and keeps the first.
	s.Body = bytes.Replace(s.Body, []byte("CZ6203000000001000000005"), []byte("CZ6203000000001000000006"), 1)
	r, err := (&Client{BaseURL: sim.URL, Tokens: toks}).Submit(context.Background(), s)
	if err != nil {
		t.Fatalf("partial acceptance must not be an error: %v", err)
	}
	if !r.Partial() || r.InstructionStatus != "ACWC" || r.Rejected() != 1 || r.TotalDebitAmount.String() != "12500.00" || r.StatusChangeInfo == "" {
		t.Errorf("response %+v", r)
	}
	if l := ledger(t, sim); len(l.Batches) != 1 || l.Batches[0].RejectedDebitCount != 1 {
		t.Errorf("ledger %+v", l.Batches)
	}
}

// TestSimModeNotEchoed: KB+ processes everything ONLINE and says so; a BATCH
// request then gets an answer that does not confirm it (spec §5.2). The
// batch is in the bank: a mismatch, never a resend.
func TestSimModeNotEchoed(t *testing.T) {
	sim := startSim(t, func(c *kbsim.Config) { c.AlwaysOnline = true })
	toks := newSimTokens(t, sim, simClient, simSecret)
	r, err := (&Client{BaseURL: sim.URL, Tokens: toks}).Submit(context.Background(), SentFrom(specRequest(t, "mode.kpc", kbjson.ModeBatch)))
	var mis *MismatchError
	if !errors.As(err, &mis) || class(t, err) != "unknown" || !strings.Contains(mis.Why, `batchProcessingMode "ONLINE"`) {
		t.Fatalf("got %v, want a mode mismatch", err)
	}
	if r == nil || r.TransactionIdentification == "" || !strings.Contains(err.Error(), r.TransactionIdentification) {
		t.Errorf("the mismatch must name KB's batch ID: %v", err)
	}
	if l := ledger(t, sim); len(l.Batches) != 1 || l.Batches[0].TransactionIdentification != r.TransactionIdentification {
		t.Errorf("ledger %+v", l.Batches)
	}
}
