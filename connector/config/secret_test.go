package config

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// The values below must never show up in any error text.
const (
	envValue  = "9f1c2e7a-env-secret-value"
	fileValue = "c0ffee42-file-secret-value"
	codeValue = "7777-integration-code-value"
)

// biConfig is a production BankIntegration bank with the given references.
func biConfig(apiKey, code string) string {
	return fmt.Sprintf(`[[bank]]
name = "dk"
kind = "bankintegration"
url = "https://api.bankintegration.dk"
erp = "ACME"
api_key = %q
  [[bank.account]]
  number = "52470021527478"
  integration_code = %q
`, apiKey, code)
}

// loadAndCheckSecrets is what check-config does: Load checks every
// reference's form; CheckSecrets then reads them.
func loadAndCheckSecrets(t *testing.T, file, src string) (*Config, error) {
	t.Helper()
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(file)
	if err != nil {
		return c, err
	}
	if es := c.CheckSecrets(); len(es) > 0 {
		return c, es
	}
	return c, nil
}

func TestSecrets(t *testing.T) {
	const env = "ERPCONNECTOR_TEST_API_KEY"
	const codeEnv = "ERPCONNECTOR_TEST_CODE"
	cases := []struct {
		name    string
		apiKey  string
		setEnv  bool
		file    string      // secret file to create in the config folder ("" none)
		mode    os.FileMode // of that file
		content string
		unix    bool // the check applies only where file modes mean something
		want    []want
		value   string // what api_key resolves to when there is no problem
	}{
		{name: "env set", apiKey: "env:" + env, setEnv: true, value: envValue},
		{name: "env unset", apiKey: "env:" + env,
			want: []want{{`api_key`, "bank[0].api_key", "env:" + env + ": environment variable " + env + " is not set"}}},
		{name: "file relative to config, newline trimmed", apiKey: "file:secrets/api.key", file: "secrets/api.key", mode: 0o600,
			content: fileValue + "\r\n", value: fileValue},
		{name: "file readable by others refused", apiKey: "file:secrets/api.key", file: "secrets/api.key", mode: 0o644,
			content: fileValue, unix: true,
			want: []want{{`api_key`, "bank[0].api_key", "file:secrets/api.key: @DIR/secrets/api.key is readable by others (mode 0644); chmod 600 it"}}},
		{name: "file readable by group refused", apiKey: "file:api.key", file: "api.key", mode: 0o640,
			content: fileValue, unix: true,
			want: []want{{`api_key`, "bank[0].api_key", "file:api.key: @DIR/api.key is readable by others (mode 0640); chmod 600 it"}}},
		{name: "file missing", apiKey: "file:nope.key",
			want: []want{{`api_key`, "bank[0].api_key", "file:nope.key: stat @DIR/nope.key: no such file or directory"}}},
		{name: "plain value refused", apiKey: envValue,
			want: []want{{`api_key`, "bank[0].api_key", `must be a reference, "env:NAME" or "file:PATH"; secrets are not written into the config file`}}},
		{name: "empty env name refused", apiKey: "env:",
			want: []want{{`api_key`, "bank[0].api_key", `must be a reference, "env:NAME" or "file:PATH"; secrets are not written into the config file`}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.unix && runtime.GOOS == "windows" {
				t.Skip("file modes are not permissions on Windows")
			}
			if tc.setEnv {
				t.Setenv(env, envValue)
			} else {
				t.Setenv(env, "")
				os.Unsetenv(env)
			}
			t.Setenv(codeEnv, codeValue)
			dir := t.TempDir()
			file := filepath.Join(dir, "c.toml")
			if tc.file != "" {
				p := filepath.Join(dir, filepath.FromSlash(tc.file))
				if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(tc.content), tc.mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(p, tc.mode); err != nil { // umask-proof
					t.Fatal(err)
				}
			}
			src := biConfig(tc.apiKey, "env:"+codeEnv)
			c, err := loadAndCheckSecrets(t, file, src)
			got := render(t, file, err)
			exp := expect(t, src, tc.want)
			for i := range exp {
				exp[i] = strings.ReplaceAll(exp[i], "@DIR", dir)
			}
			if !slices.Equal(got, exp) {
				t.Fatalf("problems:\n got  %q\n want %q", got, exp)
			}
			for _, v := range []string{envValue, fileValue, codeValue} {
				if err != nil && strings.Contains(err.Error(), v) {
					t.Errorf("a secret value leaked into the error: %v", err)
				}
				if s := fmt.Sprintf("%v %+v", c.Banks, c.Banks); strings.Contains(s, v) {
					t.Errorf("a secret value shows when the config is printed: %s", s)
				}
			}
			if err != nil {
				return
			}
			got1, err := c.Banks[0].APIKey.Resolve()
			if err != nil || got1 != tc.value {
				t.Errorf("api_key resolves to %q, %v; want %q", got1, err, tc.value)
			}
			if code, err := c.Banks[0].Accounts[0].IntegrationCode.Resolve(); err != nil || code != codeValue {
				t.Errorf("integration_code resolves to %q, %v", code, err)
			}
			if s := c.Banks[0].APIKey.String(); s != tc.apiKey {
				t.Errorf("String() = %q, want the reference %q", s, tc.apiKey)
			}
		})
	}
}

// TestSecretIntegrationCodeProblems: the per-account codes get the same
// checks, at the account's own key and line.
func TestSecretIntegrationCodeProblems(t *testing.T) {
	const env, codeEnv = "ERPCONNECTOR_TEST_API_KEY2", "ERPCONNECTOR_TEST_CODE2"
	t.Setenv(env, envValue)
	t.Setenv(codeEnv, codeValue)
	os.Unsetenv("ERPCONNECTOR_TEST_UNSET_CODE")
	cases := []struct {
		name string
		src  string
		want []want
	}{
		{"plain code refused by Load", biConfig("env:"+env, codeValue), []want{
			{codeValue, "bank[0].account[0].integration_code", `must be a reference, "env:NAME" or "file:PATH"; secrets are not written into the config file`}}},
		{"unset variable of the second account", biConfig("env:"+env, "env:"+codeEnv) + `  [[bank.account]]
  number = "52470021527479"
  integration_code = "env:ERPCONNECTOR_TEST_UNSET_CODE"
`, []want{{`ERPCONNECTOR_TEST_UNSET_CODE`, "bank[0].account[1].integration_code",
			"env:ERPCONNECTOR_TEST_UNSET_CODE: environment variable ERPCONNECTOR_TEST_UNSET_CODE is not set"}}},
		{"second account without number", biConfig("env:"+env, "env:"+codeEnv) + "  [[bank.account]] # second\n  integration_code = \"env:" + codeEnv + "\"\n",
			[]want{{`# second`, "bank[0].account[1].number", "missing"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "c.toml")
			_, err := loadAndCheckSecrets(t, file, tc.src)
			got := render(t, file, err)
			if exp := expect(t, tc.src, tc.want); !slices.Equal(got, exp) {
				t.Fatalf("problems:\n got  %q\n want %q", got, exp)
			}
			if strings.Contains(err.Error(), codeValue) || strings.Contains(err.Error(), envValue) {
				t.Errorf("a secret value leaked: %v", err)
			}
		})
	}
}

// TestSandboxNeedsNoSecrets: url = "sandbox" runs with the simulator's
// built-in credentials, so config.example.toml works without any.
func TestSandboxNeedsNoSecrets(t *testing.T) {
	c, _, err := parse(t, "[[bank]]\nname = \"dk\"\nkind = \"bankintegration\"\nurl = \"sandbox\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if c.Banks[0].APIKey.IsSet() || c.Banks[0].ERP != "erpconnector-sandbox" || c.Banks[0].MaxTransactions != 500 {
		t.Errorf("sandbox bank: %+v", c.Banks[0])
	}
}

// A file: secret that is a FIFO, a folder or a huge file is refused at once
// instead of blocking or filling memory (a FIFO once hung check-config).
func TestSecretFileMustBeASmallRegularFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs")
	}
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := mkfifo(fifo); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	os.Mkdir(filepath.Join(dir, "folder"), 0o700)
	os.WriteFile(filepath.Join(dir, "huge"), make([]byte, maxSecretFile+1), 0o600)
	for ref, want := range map[string]string{
		"file:fifo":   "is not a regular file",
		"file:folder": "is not a regular file",
		"file:huge":   "a secret file holds at most 65536",
	} {
		done := make(chan error, 1)
		go func() {
			_, err := Secret{Ref: ref, dir: dir}.Resolve()
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v; want %q", ref, err, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: Resolve blocked", ref)
		}
	}
}
