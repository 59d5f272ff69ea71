package main

// The fault campaign: one daemon runs through a stream of valid, invalid and
// duplicate files on a BankIntegration route and a KB route, with a statement
// block per bank, while the simulators break in every way the banks can —
// 500/503, 429 with Retry-After, timeouts, slow bodies, connections dropped
// before and after the bank committed, refused signatures, expired access
// tokens, rotated refresh tokens — and the outbox disk fills up and empties
// again. At the end each bank must hold every valid payment exactly once,
// every file must be accounted for, every status and statement file must be
// complete and valid, and no statement entry may appear twice.
//
// ERPCONNECTOR_FAULT_SEED replays a campaign (the seed is logged);
// ERPCONNECTOR_FAULT_ROUNDS sets its length (default 60, about 60–90 s);
// ERPCONNECTOR_FAULT_RETRY_AFTER sets the Retry-After of the 429s (seconds,
// default 3): no call of any kind may reach that bank before it has passed.
//
// The BankIntegration route's inbox is on a real OpenSSH sshd, reached through
// a proxy that drops connections, cuts them a few KiB into a transfer, or
// refuses new ones for a while: the SFTP side's faults.

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"erpconnector/connector/admin"
	"erpconnector/connector/sandbox"
	"erpconnector/connector/sandbox/kbsim"
	"erpconnector/connector/sandbox/simhttp"
	"erpconnector/connector/store"
	"erpconnector/internal/testenv"
)

const (
	faultBIAccount = "52470021527478"
	faultKBIBAN    = "CZ0801000000192000145399"
	faultTimeout   = 2 * time.Second // both banks' client timeout in the campaign's config
)

// faultKind is one way a bank (or the disk) breaks. arm returns how many
// simulator faults it armed (0 for faults acted out another way).
type faultKind struct {
	name string
	bank string // "dk", "kb" or "" (the disk)
	arm  func(c *faultCampaign) int
}

// faultKinds lists every fault the campaign injects; each is armed at least
// once per campaign of at least len(faultKinds) rounds.
func faultKinds(retryAfter int) []faultKind {
	uses := func(f map[string]any) int {
		if n, ok := f["count"].(int); ok {
			return n
		}
		return 1
	}
	bi := func(name string, f map[string]any) faultKind {
		return faultKind{name, "dk", func(c *faultCampaign) int { c.biFault(f); return uses(f) }}
	}
	kb := func(name string, f map[string]any) faultKind {
		return faultKind{name, "kb", func(c *faultCampaign) int { c.kbFault(f); return uses(f) }}
	}
	slow := (faultTimeout + time.Second).String() // longer than the client waits
	return []faultKind{
		bi("dk 500 on /payment", map[string]any{"path": "/payment", "kind": "status", "status": 500}),
		bi("dk 503 twice on /payment", map[string]any{"path": "/payment", "kind": "status", "status": 503, "count": 2}),
		bi("dk 429 Retry-After on /payment", map[string]any{"path": "/payment", "kind": "status", "status": 429, "retryAfter": retryAfter}),
		bi("dk timeout on /payment", map[string]any{"path": "/payment", "kind": "delay", "delay": slow}),
		bi("dk slow body past the timeout on /payment", map[string]any{"path": "/payment", "kind": "slow-body", "delay": slow}),
		bi("dk slow body within the timeout", map[string]any{"kind": "slow-body", "delay": "800ms"}),
		bi("dk drop before commit on /payment", map[string]any{"path": "/payment", "kind": "drop-before-commit"}),
		bi("dk drop after commit on /payment", map[string]any{"path": "/payment", "kind": "drop-after-commit"}),
		bi("dk invalid signature on /status", map[string]any{"path": "/status", "kind": "invalid-signature"}),
		bi("dk 503 on any call (statements too)", map[string]any{"kind": "status", "status": 503}),
		kb("kb 500 on batchPayments", map[string]any{"path": kbsim.PathBatchPayments, "kind": "status", "status": 500}),
		kb("kb 503 on batchPayments", map[string]any{"path": kbsim.PathBatchPayments, "kind": "status", "status": 503}),
		kb("kb gateway XML 504 on batchPayments", map[string]any{"path": kbsim.PathBatchPayments, "kind": "gateway-xml"}),
		kb("kb 429 Retry-After on batchPayments", map[string]any{"path": kbsim.PathBatchPayments, "kind": "status", "status": 429, "retryAfter": retryAfter}),
		kb("kb timeout on batchPayments", map[string]any{"path": kbsim.PathBatchPayments, "kind": "delay", "delay": slow}),
		kb("kb slow body past the timeout on batchPayments", map[string]any{"path": kbsim.PathBatchPayments, "kind": "slow-body", "delay": slow}),
		kb("kb slow body within the timeout", map[string]any{"kind": "slow-body", "delay": "800ms"}),
		kb("kb drop before commit on batchPayments", map[string]any{"path": kbsim.PathBatchPayments, "kind": "drop-before-commit"}),
		kb("kb drop after commit on batchPayments", map[string]any{"path": kbsim.PathBatchPayments, "kind": "drop-after-commit"}),
		kb("kb 503 on the token endpoint", map[string]any{"path": "/oauth2/v3/access_token", "kind": "status", "status": 503}),
		kb("kb 503 on any call (statements too)", map[string]any{"kind": "status", "status": 503}),
		// The bank's clock runs past the access token's life: the daemon's
		// cached token is refused (401) and must be refreshed once.
		{"kb expired access token", "kb", func(c *faultCampaign) int {
			c.kbControl("/_sim/clock", map[string]string{"advance": "10m"}, nil)
			return 0
		}},
		// Refresh tokens rotate on every refresh throughout (config); this
		// forces a refresh now by expiring the access token as well.
		{"kb rotated refresh token", "kb", func(c *faultCampaign) int {
			c.kbControl("/_sim/clock", map[string]string{"advance": "1m"}, nil)
			return 0
		}},
		{"sftp connection dropped", "sftp", func(c *faultCampaign) int {
			c.proxy.DropAll()
			return 0
		}},
		{"sftp connection cut mid-transfer", "sftp", func(c *faultCampaign) int {
			c.proxy.CutAfter(int64(1500+c.r.IntN(20000)), int64(1500+c.r.IntN(20000)))
			c.proxy.DropAll()
			time.AfterFunc(time.Duration(300+c.r.IntN(700))*time.Millisecond, func() { c.proxy.CutAfter(0, 0) })
			return 0
		}},
		{"sftp server unreachable", "sftp", func(c *faultCampaign) int {
			c.proxy.Refuse(true)
			c.proxy.DropAll()
			time.AfterFunc(time.Duration(500+c.r.IntN(1500))*time.Millisecond, func() { c.proxy.Refuse(false) })
			return 0
		}},
	}
}

// faultCampaign is the state of one campaign run.
type faultCampaign struct {
	t          *testing.T
	r          *rand.Rand
	e          *env // the daemon; e.inbox/e.outbox are the DK route's
	bi         *sim
	proxy      *testenv.Proxy // between the daemon and the sshd holding the DK inbox
	kbURL      string
	adminURL   string
	outRoot    string // the small tmpfs
	kbIn       string
	kbOut      string
	retryAfter int

	reqs    map[string][]simhttp.Request // per bank, every request logged
	lastSeq map[string]int64
	armed   map[string]int    // per bank: simulator faults armed
	current map[string]string // per bank: the kind armed last, which fired faults belong to
	kinds   map[string]int    // per fault kind name: times armed
	fired   map[string]int    // per fault kind name: simulator faults fired, or times acted out

	dropped    map[string]string // file name -> "valid", "invalid" or "duplicate"
	routeOf    map[string]string // file name -> "dk" or "kb"
	contents   map[string][]byte // valid files, per name, for duplicates
	validDK    []string          // payment IDs that must reach BankIntegration once
	validKB    []string          // instruction IDs that must reach KB once
	creditsDK  []string          // amounts of injected credits, as the statement CSV writes them
	creditsKB  []string
	resolved   map[string]int // "submitted" / "not-submitted"
	diskFull   time.Duration
	kbLedger   kbsim.Ledger // read just before the daemon (and its KB simulator) stops
	duplicates int          // receptions beyond the first, at both banks
	atBanks0   int          // payments at the banks when the disk filled up
	dropped0   int          // valid payments dropped by then
}

func TestFaultCampaign(t *testing.T) {
	rounds := 60
	if v, err := strconv.Atoi(os.Getenv("ERPCONNECTOR_FAULT_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	seed := time.Now().UnixNano()
	if v, err := strconv.ParseInt(os.Getenv("ERPCONNECTOR_FAULT_SEED"), 10, 64); err == nil {
		seed = v // replay a failed campaign
	}
	retryAfter := 3
	if v, err := strconv.Atoi(os.Getenv("ERPCONNECTOR_FAULT_RETRY_AFTER")); err == nil && v > 0 {
		retryAfter = v
	}
	t.Logf("fault campaign: %d rounds (seed %d, Retry-After %ds)", rounds, seed, retryAfter)
	binary(t) // skips where the e2e tests cannot run
	testenv.Tool(t, "xmllint")
	c := faultSetup(t, seed, retryAfter)
	start := time.Now()

	kinds := faultKinds(retryAfter)
	// Per bank a deck holding each of its kinds once, shuffled, then random
	// ones: every kind is armed at least once when the rounds allow.
	decks := map[string][]faultKind{}
	for _, bank := range []string{"dk", "kb", "sftp"} {
		var own []faultKind
		for _, k := range kinds {
			if k.bank == bank {
				own = append(own, k)
			}
		}
		for _, i := range c.r.Perm(len(own)) {
			decks[bank] = append(decks[bank], own[i])
		}
		for len(decks[bank]) < rounds {
			decks[bank] = append(decks[bank], own[c.r.IntN(len(own))])
		}
	}
	diskAt := rounds/4 + c.r.IntN(max(rounds/3, 1))
	diskFor := 5 + c.r.IntN(4)
	var filler string
	var filledAt time.Time
	for k := 0; k < rounds; k++ {
		c.dropFiles(k)
		if k%5 == 2 {
			c.credit(k)
		}
		// One fault at a time per bank: a fault armed while another still
		// waits for its request would fire later than planned, and could
		// not be told apart in the request log.
		for _, bank := range []string{"dk", "kb", "sftp"} {
			if len(decks[bank]) > 0 && c.pending(bank) == 0 && c.r.IntN(4) > 0 {
				c.arm(decks[bank][0])
				decks[bank] = decks[bank][1:]
			}
		}
		switch k {
		case diskAt:
			filler = faultFill(t, c.outRoot)
			filledAt = time.Now()
			c.fired["outbox disk full"]++
			c.atBanks0, c.dropped0 = c.atBanks(), len(c.validDK)+len(c.validKB)
		case diskAt + diskFor:
			c.unfill(filler, filledAt)
			filler = ""
		}
		time.Sleep(time.Duration(300+c.r.IntN(900)) * time.Millisecond)
		c.resolveUnknownKB()
		c.pollRequests()
		select {
		case err := <-c.e.exited:
			t.Fatalf("the daemon exited during the campaign (round %d): %v", k, err)
		default:
		}
	}
	if filler != "" {
		c.unfill(filler, filledAt)
	}
	// The SFTP faults end with the rounds; the server is reachable again.
	c.proxy.CutAfter(0, 0)
	c.proxy.Refuse(false)
	for _, bank := range []string{"dk", "kb", "sftp"} {
		// Kinds the rounds had no room for (short campaigns): one at a time.
		for _, kind := range decks[bank] {
			if c.kinds[kind.name] > 0 {
				continue
			}
			c.flushFaults()
			c.arm(kind)
		}
	}
	c.flushFaults()
	for _, kind := range kinds {
		if c.kinds[kind.name] == 0 || c.fired[kind.name] == 0 {
			t.Errorf("fault %q was armed %d times and fired %d times", kind.name, c.kinds[kind.name], c.fired[kind.name])
		}
	}
	c.finish()
	faultCheckOutboxes(c.e, c.kbOut)
	c.check()
	t.Logf("fault campaign: %s", c.summary(time.Since(start)))
}

// faultSetup starts the BankIntegration simulator (its own process), mounts
// the small outbox file system and starts the daemon with its in-process KB
// simulator.
func faultSetup(t *testing.T, seed int64, retryAfter int) *faultCampaign {
	t.Helper()
	bi := startSim(t)
	dir := t.TempDir()
	outRoot := filepath.Join(dir, "outfs")
	if err := os.MkdirAll(outRoot, 0o750); err != nil {
		t.Fatal(err)
	}
	// A small tmpfs of its own, so that filling it fills nothing else.
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=16m,mode=0750", "tmpfs", outRoot).CombinedOutput(); err != nil {
		testenv.Missing(t, "mount a tmpfs for the disk-full fault (needs root): %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", outRoot).CombinedOutput(); err != nil {
			exec.Command("umount", "-l", outRoot).Run()
			t.Logf("umount %s: %v %s", outRoot, err, out)
		}
	})
	sshd := testenv.StartSSHD(t)
	proxy := testenv.StartProxy(t, sshd.Addr)
	_, proxyPort, _ := strings.Cut(proxy.Addr, ":")
	kbPort, adminPort := freePort(t), freePort(t)
	e := &env{t: t, dir: dir, config: filepath.Join(dir, "erpconnector.toml"),
		inbox: filepath.Join(dir, "in-dk"), outbox: filepath.Join(outRoot, "out-dk"), sim: bi, log: &syncBuffer{}}
	cfg := fmt.Sprintf(`
[store]
path = "var/store.db"
[admin]
listen = "127.0.0.1:%d"
[log]
level = "debug"
[[bank]]
name = "dk"
kind = "bankintegration"
url = %q
erp = %q
api_key = "env:E2E_BI_KEY"
poll_every = "300ms"
timeout = %q
move_to_next_bank_date = true
  [[bank.account]]
  number = %q
  integration_code = "env:E2E_BI_CODE"
[[bank]]
name = "kb"
kind = "kb"
url = "sandbox"
poll_every = "300ms"
timeout = %q
token_margin = "1s"
  [bank.sandbox]
  listen = "127.0.0.1:%d"
  process_after = "1s"
  rotate_refresh_tokens = true
  access_token_ttl = "6s"
[[route]]
name = "dk"
inbox = "sftp://%s@127.0.0.1:%s%s"
outbox = "outfs/out-dk"
bank = "dk"
status = ["pain.002", "csv", "json"]
past_dates = "today"
settle = "0s"
sweep = "500ms"
[[route]]
name = "kb"
inbox = "in-kb"
outbox = "outfs/out-kb"
bank = "kb"
status = ["pain.002", "json"]
past_dates = "today"
settle = "0s"
sweep = "500ms"
[[statement]]
bank = "dk"
account = %q
every = "1s"
formats = ["camt.053", "csv"]
outbox = "outfs/stmt-dk"
[[statement]]
bank = "kb"
account = %q
every = "1s"
formats = ["camt.053", "csv"]
outbox = "outfs/stmt-kb"
[[sftp]]
host = "127.0.0.1"
port = %s
user = %q
known_hosts = %q
private_key = "file:%s"
timeout = "3s"
`, adminPort, bi.URL, sandbox.BIERP, faultTimeout.String(), faultBIAccount, faultTimeout.String(), kbPort,
		sshd.User, proxyPort, e.inbox, faultBIAccount, faultKBIBAN, proxyPort, sshd.User, sshd.KnownHostsFor(t, proxy.Addr), sshd.KeyFile)
	if err := os.WriteFile(e.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &faultCampaign{t: t, r: rand.New(rand.NewPCG(uint64(seed), 8)), e: e, bi: bi, proxy: proxy,
		kbURL: fmt.Sprintf("http://127.0.0.1:%d", kbPort), adminURL: fmt.Sprintf("http://127.0.0.1:%d", adminPort),
		outRoot: outRoot, kbIn: filepath.Join(dir, "in-kb"), kbOut: filepath.Join(outRoot, "out-kb"), retryAfter: retryAfter,
		reqs: map[string][]simhttp.Request{}, lastSeq: map[string]int64{}, armed: map[string]int{}, current: map[string]string{}, kinds: map[string]int{}, fired: map[string]int{},
		dropped: map[string]string{}, routeOf: map[string]string{}, contents: map[string][]byte{}, resolved: map[string]int{}}
	for _, d := range []string{e.inbox, c.kbIn} {
		os.MkdirAll(d, 0o750)
	}
	// Registered after the unmount, so it runs before it: the daemon lets go
	// of the file system first.
	t.Cleanup(func() {
		e.stop()
		if t.Failed() {
			t.Logf("daemon log:\n%s", e.log.String())
		}
	})
	e.start()
	waitFor(t, "the KB sandbox", 15*time.Second, func() bool {
		resp, err := http.Get(c.kbURL + "/_sim/ledger")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
	return c
}

// faultKBFile is a pain.001 for the KB route with n payments whose
// instruction IDs start with prefix (letters and digits: KB's charset).
func faultKBFile(prefix string, n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"><CstmrCdtTrfInitn>
<GrpHdr><MsgId>%s</MsgId><CreDtTm>2026-01-01T00:00:00</CreDtTm><NbOfTxs>%d</NbOfTxs><InitgPty><Nm>ACME</Nm></InitgPty></GrpHdr>
<PmtInf><PmtInfId>%s</PmtInfId><PmtMtd>TRF</PmtMtd><ReqdExctnDt>%s</ReqdExctnDt><Dbtr><Nm>ACME s.r.o.</Nm></Dbtr>
<DbtrAcct><Id><IBAN>%s</IBAN></Id></DbtrAcct><DbtrAgt><FinInstnId><BIC>KOMBCZPP</BIC></FinInstnId></DbtrAgt>
`, prefix, n, prefix, time.Now().AddDate(0, 0, 7).Format("2006-01-02"), faultKBIBAN)
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `<CdtTrfTxInf><PmtId><InstrId>%sP%d</InstrId><EndToEndId>%sP%d</EndToEndId></PmtId><Amt><InstdAmt Ccy="CZK">%d.%02d</InstdAmt></Amt><Cdtr><Nm>Dodavatel s.r.o.</Nm></Cdtr><CdtrAcct><Id><IBAN>CZ5508000000001234567899</IBAN></Id></CdtrAcct></CdtTrfTxInf>
`, prefix, i, prefix, i, 100+i, i)
	}
	b.WriteString("</PmtInf></CstmrCdtTrfInitn></Document>\n")
	return []byte(b.String())
}

// dropFiles drops one or two files, on either route: mostly valid, some
// invalid (wrong control count), some duplicates of an earlier valid file.
func (c *faultCampaign) dropFiles(k int) {
	for j := 0; j < 1+c.r.IntN(2); j++ {
		route := "dk"
		if c.r.IntN(2) == 0 {
			route = "kb"
		}
		kind := "valid"
		switch x := c.r.IntN(10); {
		case x == 0:
			kind = "invalid"
		case x == 1 && c.hasValid(route):
			kind = "duplicate"
		}
		c.dropFile(k, route, kind)
	}
}

// dropFile drops one file of the given kind on a route.
func (c *faultCampaign) dropFile(k int, route, kind string) {
	n := len(c.dropped) + 1
	name := fmt.Sprintf("%s%03d.xml", route, n)
	pays := 1 + c.r.IntN(4)
	prefix := fmt.Sprintf("F%dR%d", k, n)
	var content []byte
	switch {
	case kind == "duplicate":
		names := c.originals(route)
		content = c.contents[names[c.r.IntN(len(names))]]
	case route == "dk":
		content = crashFile(prefix, pays)
	default:
		content = faultKBFile(prefix, pays)
	}
	if kind == "invalid" {
		content = []byte(strings.Replace(string(content), fmt.Sprintf("<NbOfTxs>%d</NbOfTxs>", pays), fmt.Sprintf("<NbOfTxs>%d</NbOfTxs>", pays+1), 1))
	}
	if kind == "valid" {
		c.contents[name] = content
		for i := 0; i < pays; i++ {
			if route == "dk" {
				c.validDK = append(c.validDK, fmt.Sprintf("%s-%d", prefix, i))
			} else {
				c.validKB = append(c.validKB, fmt.Sprintf("%sP%d", prefix, i))
			}
		}
	}
	c.dropped[name], c.routeOf[name] = kind, route
	inbox := c.e.inbox
	if route == "kb" {
		inbox = c.kbIn
	}
	tmp := filepath.Join(c.e.dir, name+".tmp")
	if err := os.WriteFile(tmp, content, 0o640); err != nil {
		c.t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(inbox, name)); err != nil {
		c.t.Fatal(err)
	}
}

// flushFaults drops valid files until every armed simulator fault has
// fired: a fault still armed at the end would prove nothing.
func (c *faultCampaign) flushFaults() {
	c.t.Helper()
	for _, bank := range []string{"dk", "kb"} {
		for i := 0; c.pending(bank) > 0; i++ {
			if i == 20 {
				c.t.Errorf("%s: %d armed faults never fired", bank, c.pending(bank))
				break
			}
			if i%3 == 0 {
				c.dropFile(1000+i, bank, "valid")
			}
			time.Sleep(time.Second)
			c.resolveUnknownKB()
		}
	}
}

func (c *faultCampaign) hasValid(route string) bool { return len(c.originals(route)) > 0 }

// originals are the valid files of a route the daemon has taken from the
// inbox: a copy of one of them is a duplicate for certain (a copy dropped
// together with its original could be claimed first and be the original).
// On the SFTP inbox a file in processing/ is not claimed yet: only one gone
// from both folders is.
func (c *faultCampaign) originals(route string) []string {
	inbox := c.e.inbox
	if route == "kb" {
		inbox = c.kbIn
	}
	gone := func(p string) bool { _, err := os.Stat(p); return errors.Is(err, os.ErrNotExist) }
	var names []string
	for nm := range c.contents {
		if c.routeOf[nm] == route && gone(filepath.Join(inbox, nm)) && gone(filepath.Join(inbox, "processing", nm)) {
			names = append(names, nm)
		}
	}
	sort.Strings(names)
	return names
}

// credit books an incoming payment on both accounts, for the statements.
func (c *faultCampaign) credit(k int) {
	dk := fmt.Sprintf("%d.%02d", 500+k, k%100)
	c.bi.control(c.t, "/_sim/credit", map[string]any{"account": faultBIAccount, "amount": dk, "name": "Kunde A/S", "text": "Faktura " + strconv.Itoa(k)})
	c.creditsDK = append(c.creditsDK, dk)
	kb := fmt.Sprintf("%d.%02d", 700+k, k%100)
	if code := c.kbControl("/_sim/credit", map[string]any{"iban": faultKBIBAN, "amount": kb, "name": "Odběratel s.r.o.", "vs": strconv.Itoa(2026000 + k)}, nil); code != 200 {
		c.t.Fatalf("KB credit: HTTP %d", code)
	}
	c.creditsKB = append(c.creditsKB, kb)
}

// arm injects one fault of a kind.
func (c *faultCampaign) arm(k faultKind) {
	c.pollRequests() // earlier faults belong to the kind armed before
	n := k.arm(c)
	c.armed[k.bank] += n
	c.current[k.bank] = k.name
	c.kinds[k.name]++
	if n == 0 {
		c.fired[k.name]++ // acted out at once
	}
}

func (c *faultCampaign) biFault(f map[string]any) { c.bi.control(c.t, "/_sim/fault", f) }

func (c *faultCampaign) kbFault(f map[string]any) {
	if code := c.kbControl("/_sim/fault", f, nil); code != 200 {
		c.t.Fatalf("KB fault %v: HTTP %d", f, code)
	}
}

// kbControl calls the KB simulator's control API (GET when in is nil).
func (c *faultCampaign) kbControl(path string, in, out any) int {
	c.t.Helper()
	k := &kbEnv{env: c.e, simURL: c.kbURL}
	return k.control(path, in, out)
}

// pending is how many armed simulator faults of a bank have not fired yet.
func (c *faultCampaign) pending(bank string) int {
	c.pollRequests()
	fired := 0
	for _, r := range c.reqs[bank] {
		if r.Fault != "" {
			fired++
		}
	}
	return c.armed[bank] - fired
}

// pollRequests appends what each simulator logged since the last poll. The
// simulators keep a bounded log, so the campaign reads it as it goes.
func (c *faultCampaign) pollRequests() {
	for bank, url := range map[string]string{"dk": c.bi.URL, "kb": c.kbURL} {
		resp, err := http.Get(fmt.Sprintf("%s/_sim/requests?after=%d", url, c.lastSeq[bank]))
		if err != nil {
			c.t.Fatalf("%s request log: %v", bank, err)
		}
		var got []simhttp.Request
		err = json.NewDecoder(resp.Body).Decode(&got)
		resp.Body.Close()
		if err != nil {
			c.t.Fatalf("%s request log: %v", bank, err)
		}
		if len(got) > 0 {
			if got[0].Seq != c.lastSeq[bank]+1 {
				c.t.Fatalf("%s request log lost entries %d..%d: poll more often", bank, c.lastSeq[bank]+1, got[0].Seq-1)
			}
			for _, r := range got {
				if r.Fault != "" {
					c.fired[c.current[bank]]++
				}
			}
			c.reqs[bank] = append(c.reqs[bank], got...)
			c.lastSeq[bank] = got[len(got)-1].Seq
		}
	}
}

// faultFill fills the file system under dir with one file and returns its path.
func faultFill(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "filler")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Big writes first, then small ones to use the last page.
	for _, size := range []int{1 << 20, 4 << 10, 64} {
		buf := make([]byte, size)
		for {
			if _, err := f.Write(buf); err != nil {
				if !errors.Is(err, syscall.ENOSPC) {
					t.Fatalf("filling %s: %v", dir, err)
				}
				break
			}
		}
	}
	return p
}

// unfill deletes the filler after checking that the daemon met the full disk
// and kept running.
func (c *faultCampaign) unfill(filler string, since time.Time) {
	c.t.Helper()
	waitFor(c.t, "a status or statement write to fail for lack of space", 20*time.Second, func() bool {
		return strings.Contains(c.e.log.String(), "no space left on device")
	})
	// Payments go to the bank before their status file is written: a full
	// outbox must not hold them back.
	if len(c.validDK)+len(c.validKB) > c.dropped0 {
		waitFor(c.t, "payments to reach a bank while the outbox is full", 20*time.Second, func() bool {
			c.resolveUnknownKB()
			return c.atBanks() > c.atBanks0
		})
	}
	if err := os.Remove(filler); err != nil {
		c.t.Fatal(err)
	}
	c.diskFull = time.Since(since)
}

// atBanks counts the payments both banks hold.
func (c *faultCampaign) atBanks() int {
	var kl kbsim.Ledger
	c.kbControl("/_sim/ledger", nil, &kl)
	n := len(c.bi.ledger(c.t).Payments)
	for _, b := range kl.Batches {
		n += len(b.Items)
	}
	return n
}

// resolveUnknownKB does what the operator does for a KB batch whose outcome
// is unknown: look in internet banking (the simulator's ledger) and tell the
// daemon whether the batch is there.
func (c *faultCampaign) resolveUnknownKB() {
	c.t.Helper()
	st := c.adminStatus()
	var l kbsim.Ledger
	ledgerRead := false
	for _, f := range st.Files {
		for _, q := range f.Requests {
			if q.State != store.ReqUnknown || !strings.HasPrefix(q.Key, "kb/") {
				continue
			}
			if !ledgerRead {
				c.kbControl("/_sim/ledger", nil, &l)
				ledgerRead = true
			}
			how := "--not-submitted"
			if len(l.Accepted(strings.TrimPrefix(q.Key, "kb/"))) > 0 {
				how = "--submitted"
			}
			out, err := exec.Command(binary(c.t), "resolve", "--config", c.e.config, how, q.Key).CombinedOutput()
			if err != nil {
				c.t.Fatalf("resolve %s %s: %v\n%s", how, q.Key, err, out)
			}
			c.resolved[strings.TrimPrefix(how, "--")]++
		}
	}
}

func (c *faultCampaign) adminStatus() admin.Status {
	c.t.Helper()
	resp, err := http.Get(c.adminURL + "/api/status?limit=10000")
	if err != nil {
		c.t.Fatalf("admin status: %v", err)
	}
	defer resp.Body.Close()
	var st admin.Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		c.t.Fatalf("admin status: %v", err)
	}
	return st
}

// finish waits until everything the campaign dropped has settled, then stops
// the daemon.
func (c *faultCampaign) finish() {
	c.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		c.resolveUnknownKB()
		c.pollRequests()
		missing := c.missing()
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out after 90s waiting for the campaign to settle: %s", missing)
		}
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second) // a wrong daemon would send something again now
	c.pollRequests()
	// The KB simulator lives in the daemon: its ledger is read first.
	c.kbControl("/_sim/ledger", nil, &c.kbLedger)
	c.e.stop()
}

// missing says what has not settled yet: "" once every valid payment is at
// its bank, every file has the status it must end with, and every credit is
// in a statement.
func (c *faultCampaign) missing() string {
	bl := c.bi.ledger(c.t)
	for _, id := range c.validDK {
		if bl.Received(faultBIAccount, id) == 0 {
			return "payment " + id + " is not at BankIntegration"
		}
	}
	var kl kbsim.Ledger
	c.kbControl("/_sim/ledger", nil, &kl)
	have := faultKBItems(kl)
	for _, id := range c.validKB {
		if have[id] == 0 {
			return "payment " + id + " is not at KB"
		}
	}
	names := slices.Sorted(maps.Keys(c.dropped))
	for _, name := range names {
		if st, ok := c.lastState(name); !ok {
			return fmt.Sprintf("%s (%s) has the last status %q, want one of %v", name, c.dropped[name], st, c.wantStates(name))
		}
	}
	dk, _ := csvEntries(c.t, filepath.Join(c.outRoot, "stmt-dk"))
	kb, _ := csvEntries(c.t, filepath.Join(c.outRoot, "stmt-kb"))
	if len(dk) < len(c.creditsDK) || len(kb) < len(c.creditsKB) {
		return fmt.Sprintf("statements hold %d+%d entries of %d+%d credits", len(dk), len(kb), len(c.creditsDK), len(c.creditsKB))
	}
	return ""
}

// faultKBItems counts, per instruction ID, the items KB holds in batches.
func faultKBItems(l kbsim.Ledger) map[string]int {
	have := map[string]int{}
	for _, b := range l.Batches {
		for _, it := range b.Items {
			have[it.InstructionIdentification]++
		}
	}
	return have
}

var faultStatusName = regexp.MustCompile(`^(.+)\.(F\d+)\.(\d{3})\.([a-z-]+)\.(pain002\.xml|csv|json)$`)

// faultStatusFile is one status file name, taken apart.
type faultStatusFile struct {
	name, stem, fileID, state, ext string
	seq                            int
}

func faultStatusFiles(dir string) []faultStatusFile {
	des, _ := os.ReadDir(dir)
	var out []faultStatusFile
	for _, de := range des {
		m := faultStatusName.FindStringSubmatch(de.Name())
		if m == nil {
			continue
		}
		seq, _ := strconv.Atoi(m[3])
		out = append(out, faultStatusFile{name: de.Name(), stem: m[1], fileID: m[2], seq: seq, state: m[4], ext: m[5]})
	}
	return out
}

// lastState is the state in the newest JSON status file of a dropped file,
// when that state is the one the file must end in.
func (c *faultCampaign) lastState(name string) (string, bool) {
	dir := c.e.outbox
	if c.routeOf[name] == "kb" {
		dir = c.kbOut
	}
	stem := strings.TrimSuffix(name, ".xml")
	last := faultStatusFile{seq: -1}
	for _, f := range faultStatusFiles(dir) {
		if f.stem == stem && f.ext == "json" && f.seq > last.seq {
			last = f
		}
	}
	if last.seq < 0 {
		return "", false
	}
	b, err := os.ReadFile(filepath.Join(dir, last.name))
	if err != nil {
		return "", false
	}
	var d statusDoc
	if json.Unmarshal(b, &d) != nil {
		return "", false
	}
	return d.State, slices.Contains(c.wantStates(name), d.State)
}

// wantStates are the states a dropped file may end the campaign in.
func (c *faultCampaign) wantStates(name string) []string {
	switch c.dropped[name] {
	case "invalid":
		return []string{"rejected"}
	case "duplicate":
		return []string{"duplicate"}
	}
	if c.routeOf[name] == "kb" {
		return []string{"awaiting-authorisation"} // nobody signs in this campaign
	}
	return []string{"accepted", "pending"} // executed a week from now
}

// faultCheckOutboxes validates the status files of both routes (pain.002 against
// the official schema, JSON parsed; no temporary file left) and the camt.053
// statements; the daemon is stopped first.
func faultCheckOutboxes(e *env, more ...string) {
	e.t.Helper()
	e.checkOutbox()
	saved := e.outbox
	for _, dir := range more {
		e.outbox = dir
		e.checkOutbox()
	}
	e.outbox = saved
}

// check runs the end checks on the stopped daemon's results.
func (c *faultCampaign) check() {
	t := c.t
	t.Helper()
	// Nothing left on the SFTP server but the archive and error folders.
	for _, d := range []string{c.e.inbox, filepath.Join(c.e.inbox, "processing")} {
		des, _ := os.ReadDir(d)
		for _, de := range des {
			if !de.IsDir() {
				t.Errorf("left on the SFTP server: %s", filepath.Join(d, de.Name()))
			}
		}
	}
	// Exactly once at BankIntegration.
	bl := c.bi.ledger(t)
	exactlyOnce(t, bl, c.validDK...)
	for _, p := range bl.Payments {
		c.duplicates += p.Received - 1
	}
	if len(bl.Payments) != len(c.validDK) {
		t.Errorf("BankIntegration has %d payments, %d valid ones were dropped", len(bl.Payments), len(c.validDK))
	}
	// Exactly once at KB: every item in one batch, every batch received once.
	kl := c.kbLedger
	have := faultKBItems(kl)
	for _, id := range c.validKB {
		if have[id] != 1 {
			t.Errorf("KB payment %s is in %d batches, want exactly 1", id, have[id])
		}
	}
	total := 0
	for _, n := range have {
		total += n
	}
	if total != len(c.validKB) {
		t.Errorf("KB holds %d items, %d valid ones were dropped", total, len(c.validKB))
	}
	for _, b := range kl.Batches {
		c.duplicates += kl.Received(b.ExchangeIdentification) - 1
		if n := kl.Received(b.ExchangeIdentification); n != 1 {
			t.Errorf("KB batch %s (%s) arrived %d times, want exactly 1", b.TransactionIdentification, b.ExchangeIdentification, n)
		}
	}
	// Every file accounted for, and told to the ERP.
	archived := map[string]bool{}
	for _, in := range []string{c.e.inbox, c.kbIn} {
		filepath.Walk(filepath.Join(in, "archive"), func(p string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				archived[filepath.Base(p)] = true
			}
			return nil
		})
	}
	for name, kind := range c.dropped {
		in := c.e.inbox
		if c.routeOf[name] == "kb" {
			in = c.kbIn
		}
		if _, err := os.Stat(filepath.Join(in, name)); err == nil {
			t.Errorf("%s is still in the inbox", name)
		}
		_, rejErr := os.Stat(filepath.Join(in, "error", name+".error.txt"))
		switch {
		case kind == "invalid" && rejErr != nil:
			t.Errorf("%s (invalid) has no error report", name)
		case kind != "invalid" && !archived[name]:
			t.Errorf("%s (%s) is not archived", name, kind)
		}
		if st, ok := c.lastState(name); !ok {
			t.Errorf("%s (%s, %s route): last status %q, want one of %v", name, kind, c.routeOf[name], st, c.wantStates(name))
		}
	}
	// Every status file set complete: one state per file and sequence
	// number, each in every configured format; one file ID per name.
	for dir, formats := range map[string][]string{c.e.outbox: {"pain002.xml", "csv", "json"}, c.kbOut: {"pain002.xml", "json"}} {
		sets := map[string]map[string]string{} // fileID.seq -> ext -> state
		ids := map[string]string{}             // stem -> file ID
		for _, f := range faultStatusFiles(dir) {
			key := fmt.Sprintf("%s.%03d", f.fileID, f.seq)
			if sets[key] == nil {
				sets[key] = map[string]string{}
			}
			if prev, dup := sets[key][f.ext]; dup {
				t.Errorf("%s: status %s written twice (%s and %s)", filepath.Base(dir), key, prev, f.state)
			}
			sets[key][f.ext] = f.state
			if id, ok := ids[f.stem]; ok && id != f.fileID {
				t.Errorf("%s: %s has status files under two file IDs (%s, %s)", filepath.Base(dir), f.stem, id, f.fileID)
			}
			ids[f.stem] = f.fileID
		}
		for key, set := range sets {
			var state string
			for _, ext := range formats {
				st, ok := set[ext]
				switch {
				case !ok:
					t.Errorf("%s: status %s has no %s file (has %v)", filepath.Base(dir), key, ext, set)
				case state != "" && st != state:
					t.Errorf("%s: status %s says %s and %s", filepath.Base(dir), key, state, st)
				}
				state = st
			}
		}
	}
	// Statements: every injected credit exactly once, no entry twice,
	// every camt.053 valid.
	for dir, credits := range map[string][]string{"stmt-dk": c.creditsDK, "stmt-kb": c.creditsKB} {
		p := filepath.Join(c.outRoot, dir)
		ids, files := csvEntries(t, p)
		seen := map[string]bool{}
		for _, id := range ids {
			if seen[id] {
				t.Errorf("%s: entry %s written twice", dir, id)
			}
			seen[id] = true
		}
		var got []string
		for _, amounts := range files {
			for _, a := range amounts {
				got = append(got, fmt.Sprintf("%d.%02d", a/100, a%100))
			}
		}
		want := slices.Clone(credits)
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: statement amounts %v, want the injected credits %v", dir, got, want)
		}
		xmls, _ := filepath.Glob(filepath.Join(p, "*.camt053.xml"))
		for _, x := range xmls {
			b, _ := os.ReadFile(x)
			testenv.ValidateXSD(t, "camt.053.001.02.xsd", b)
		}
		if len(xmls) == 0 && len(credits) > 0 {
			t.Errorf("%s: no camt.053 written", dir)
		}
		if tmp, _ := filepath.Glob(filepath.Join(p, ".*")); len(tmp) > 0 {
			t.Errorf("%s: temporary files left: %v", dir, tmp)
		}
	}
	c.checkRetryAfter()
}

// checkRetryAfter asserts that after every 429 the daemon made no call of
// any kind to that bank until Retry-After had passed, and then sent the same
// request again, measured on the simulator's own request log. Calls that
// arrive within concurrentSlack of the 429 were already under way.
func (c *faultCampaign) checkRetryAfter() {
	const concurrentSlack = 250 * time.Millisecond
	for bank, reqs := range c.reqs {
		for i, r := range reqs {
			if r.Status != http.StatusTooManyRequests || r.Key == "" {
				continue
			}
			wait := time.Duration(r.RetryAfter) * time.Second
			next := -1
			for j := i + 1; j < len(reqs); j++ {
				gap := reqs[j].At.Sub(r.At)
				if gap > concurrentSlack && gap < wait {
					c.t.Errorf("%s: %s %s reached the bank %s after a 429 with Retry-After: %d", bank, reqs[j].Path, reqs[j].Key, gap.Round(time.Millisecond), r.RetryAfter)
				}
				if reqs[j].Path == r.Path && reqs[j].Key == r.Key {
					next = j
					break
				}
			}
			if next < 0 {
				c.t.Errorf("%s: request %s got a 429 and was never sent again", bank, r.Key)
			}
		}
	}
}

// summary is the line the campaign logs: files per outcome, payments sent,
// faults fired per kind.
func (c *faultCampaign) summary(took time.Duration) string {
	outcome := map[string]int{}
	for name, kind := range c.dropped {
		outcome[c.routeOf[name]+" "+kind]++
	}
	tokens := 0
	var bankWide []string // the gap to the next call of any kind to that bank after a 429
	for bank, reqs := range c.reqs {
		for i, r := range reqs {
			if bank == "kb" && strings.HasSuffix(r.Path, "/access_token") && r.Fault == "" {
				tokens++
			}
			if r.Status == http.StatusTooManyRequests && i+1 < len(reqs) {
				bankWide = append(bankWide, reqs[i+1].At.Sub(r.At).Round(10*time.Millisecond).String())
			}
		}
	}
	return fmt.Sprintf("%s; %d files %v; %d payments sent (%d BankIntegration, %d KB), %d duplicates at the banks; "+
		"%d+%d statement credits; faults fired per kind %v; SFTP connections %d (cut %d); KB tokens minted (each rotating the refresh token) %d; "+
		"disk full for %s; KB unknown outcomes resolved %v; next call of any kind to the bank after a 429: %v",
		took.Round(time.Second), len(c.dropped), outcome, len(c.validDK)+len(c.validKB), len(c.validDK), len(c.validKB), c.duplicates,
		len(c.creditsDK), len(c.creditsKB), c.fired, c.proxy.Accepts.Load(), c.proxy.Cuts.Load(), tokens, c.diskFull.Round(100*time.Millisecond), c.resolved, bankWide)
}
