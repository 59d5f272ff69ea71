package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"erpconnector/connector/sandbox"
	"erpconnector/connector/sandbox/bisim"
	"erpconnector/connector/sandbox/kbsim"
	"erpconnector/formats/money"
)

func init() {
	register("sandbox", "run the built-in bank simulators alone, with their /_sim control API", cmdSandbox)
}

func cmdSandbox(args []string, stdout, stderr io.Writer) error {
	fs := newFlags("sandbox", stderr)
	listen := fs.String("listen", "127.0.0.1:8760", "address of the BankIntegration simulator (loopback)")
	kbListen := fs.String("kb-listen", "", "address of the KB simulator (loopback); empty: no KB simulator")
	state := fs.String("state", "", "file that keeps the simulator's ledger across restarts")
	kbState := fs.String("kb-state", "", "file that keeps the KB simulator's ledger and tokens across restarts")
	step := fs.Duration("step", 2*time.Second, "time a payment spends in each lifecycle state")
	approval := fs.Bool("approval", false, "payments wait in Waiting until approved via POST /_sim/approve")
	kbTTL := fs.Duration("kb-access-token-ttl", 0, "KB access token lifetime (default 180s, as KB)")
	kbRotate := fs.Bool("kb-rotate-refresh-tokens", false, "every KB token refresh returns a new refresh token and revokes the old one (KB does not)")
	kbProcess := fs.Duration("kb-process-after", 0, "a signed KB batch is processed this long after signing (default 10s)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg := sandbox.BIConfig()
	cfg.StatePath = *state
	cfg.StepAfter = *step
	cfg.ApprovalRequired = *approval
	run, err := bisim.Start(*listen, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "BankIntegration sandbox listening on %s\n", run.URL)
	fmt.Fprintf(stdout, "  erp = %q, api_key = %s (sandbox credentials, public)\n", sandbox.BIERP, sandbox.BIAPIKey)
	for _, a := range sandbox.BIAccounts {
		fmt.Fprintf(stdout, "  account %s integration code %s (%s, opening balance %s)\n", a.BBAN, a.IntegrationCode, a.Name,
			money.Amount{Minor: a.OpeningBalance, Currency: a.Currency})
	}
	fmt.Fprintf(stdout, "  control: GET %s/_sim/ledger, POST /_sim/approve, /_sim/reject, /_sim/fault, /_sim/clock, /_sim/reset\n", run.URL)
	if *kbListen != "" {
		kcfg := sandbox.KBConfig()
		kcfg.StatePath = *kbState
		if *kbTTL > 0 {
			kcfg.AccessTokenTTL = *kbTTL
		}
		if *kbProcess > 0 {
			kcfg.ProcessAfter = *kbProcess
		}
		kcfg.RotateRefreshTokens = *kbRotate
		krun, err := kbsim.Start(*kbListen, kcfg)
		if err != nil {
			return err
		}
		defer krun.Close(context.Background())
		fmt.Fprintf(stdout, "KB sandbox listening on %s\n", krun.URL)
		fmt.Fprintf(stdout, "  client_id = %q, client_secret = %s, redirect_uri = %s, oauth apiKey = %s (sandbox credentials, public)\n",
			sandbox.KBClientID, sandbox.KBClientSecret, sandbox.KBRedirectURI, kbsim.DefaultOAuthAPIKey)
		for _, a := range sandbox.KBAccounts {
			fmt.Fprintf(stdout, "  account %s (%s)\n", a.IBAN, a.Name)
		}
		fmt.Fprintf(stdout, "  control: GET %s/_sim/ledger, POST /_sim/sign, /_sim/reject, /_sim/authorize, /_sim/fault, /_sim/clock\n", krun.URL)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return run.Close(sctx)
}
