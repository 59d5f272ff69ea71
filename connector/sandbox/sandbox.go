// Package sandbox starts the built-in bank simulators with the credentials
// that config.example.toml and the README use. These credentials are public
// test values: they unlock nothing but the simulator.
package sandbox

import (
	"erpconnector/connector/sandbox/bisim"
	"erpconnector/connector/sandbox/kbsim"
)

// BankIntegration sandbox credentials.
const (
	BIERP    = "erpconnector-sandbox"
	BIAPIKey = "6f1c0e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
)

// BIAccounts are the Danish debtor accounts the BankIntegration sandbox knows,
// with their integration codes.
var BIAccounts = []bisim.Account{
	{BBAN: "52470021527478", IntegrationCode: "sandbox-5247", Currency: "DKK", Name: "Driftkonto", OpeningBalance: 250_000_00},
	{BBAN: "30000012345678", IntegrationCode: "sandbox-3000", Currency: "DKK", Name: "Lønkonto", OpeningBalance: 100_000_00},
}

// BIConfig is the simulator configuration for the sandbox credentials.
func BIConfig() bisim.Config {
	return bisim.Config{
		ERPs:     map[string]string{BIERP: BIAPIKey},
		Accounts: append([]bisim.Account(nil), BIAccounts...),
	}
}

// BICode returns the sandbox integration code of a debtor account.
func BICode(bban string) (string, bool) {
	for _, a := range BIAccounts {
		if a.BBAN == bban {
			return a.IntegrationCode, true
		}
	}
	return "", false
}

// KB sandbox credentials: one registered client with the §8 example's KB
// account as its consented debtor account.
const (
	KBClientID     = "Erpconnector-0001"
	KBClientSecret = "sandbox-kb-client-secret"
	KBRedirectURI  = "http://127.0.0.1:8751/callback"
)

// KBAccounts are the Komerční banka accounts the sandbox client may debit.
var KBAccounts = []kbsim.Account{
	{IBAN: "CZ0801000000192000145399", Currency: "CZK", Name: "Provozní účet"},
	{IBAN: "CZ9701000000002198370339", Currency: "CZK", Name: "Mzdový účet"},
}

// KBConfig is the KB simulator configuration for the sandbox credentials.
func KBConfig() kbsim.Config {
	return kbsim.Config{
		Clients: []kbsim.Client{{ID: KBClientID, Secret: KBClientSecret, RedirectURIs: []string{KBRedirectURI},
			Accounts: append([]kbsim.Account(nil), KBAccounts...)}},
	}
}
